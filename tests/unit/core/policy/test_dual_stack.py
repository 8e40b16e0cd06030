"""Dual-stack pods: an ipBlock is matched against the source address of the probed family.

Found by the dual-stack e2e run: a policy allowing `from: ipBlock ::/0` was predicted `denied`
for a probe to the destination's IPv6 address, because the evaluator took the source pod's
first address (IPv4) for every connection; the packet, sent from the pod's IPv6 address,
connected. Rule 17 of docs/networkpolicy-semantics.md: a connection has one family, and each
pod takes part with its address of that family.
"""

from __future__ import annotations

from kubectl_netpoltest.core.policy import Predictor, parse, pod_endpoint
from kubectl_netpoltest.core.policy.matching import Assumptions, Endpoint
from kubectl_netpoltest.core.policy.objects import Snapshot


def _pod(name: str, v4: str, v6: str) -> dict[str, object]:
    return {
        "metadata": {"name": name, "namespace": "x", "labels": {"pod": name}},
        "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}]}]},
        "status": {"podIP": v4, "podIPs": [{"ip": v4}, {"ip": v6}]},
    }


def _predictor(*, peer_cidr: str) -> Predictor:
    pods = [_pod("a", "10.0.0.1", "fd00::1"), _pod("b", "10.0.0.2", "fd00::2")]
    policy = {
        "metadata": {"name": "only-from-block", "namespace": "x"},
        "spec": {
            "podSelector": {"matchLabels": {"pod": "b"}},
            "ingress": [{"from": [{"ipBlock": {"cidr": peer_cidr}}]}],
        },
    }
    snapshot = Snapshot(
        namespaces=(parse.namespace({"metadata": {"name": "x"}}),),
        pods=tuple(parse.pod(p) for p in pods),
        policies=(parse.policy(policy),),
        services=(),
        endpoint_slices=(),
    )
    # Whether an ipBlock matches pod IPs at all is left to the CNI (rule 16): pin it to yes.
    return Predictor(snapshot, assumptions=Assumptions(ipblock_matches_pod_ips=True))


def _to(predictor: Predictor, address: str) -> str:
    source = pod_endpoint(next(p for p in predictor.snapshot.pods if p.name == "a"))
    target_pod = next(p for p in predictor.snapshot.pods if p.name == "b")
    destination = Endpoint(label="x/b", pod=target_pod, ip=address)
    verdict = predictor.connection(source=source, destination=destination, port=80, protocol="TCP")
    return verdict.verdict.value


def test_an_ipv6_block_is_matched_against_the_source_s_ipv6_address() -> None:
    predictor = _predictor(peer_cidr="::/0")
    assert _to(predictor, "fd00::2") == "allowed"
    assert _to(predictor, "10.0.0.2") == "denied"


def test_an_ipv4_block_is_matched_against_the_source_s_ipv4_address() -> None:
    predictor = _predictor(peer_cidr="10.0.0.0/24")
    assert _to(predictor, "10.0.0.2") == "allowed"
    assert _to(predictor, "fd00::2") == "denied"
