"""Admin tiers around the NetworkPolicy evaluator: the cases only tiers create.

Topology: namespace shop (web app=web, db app=db with TCP 5432 named pg and 5433), namespace ops
(tool app=tool). Case ids X-a..X-g are the admin-tier issue's cases (a)-(g); the sandbox runs the
same cases with real packets (tests/sandbox/test_admin_tiers.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from kubectl_netpoltest.core.policy import Code, Decision, Direction, Verdict, pod_endpoint
from kubectl_netpoltest.core.policy.admin_model import AdminPolicy, Tier, admin_policy
from kubectl_netpoltest.core.policy.matching import Endpoint
from kubectl_netpoltest.core.policy.objects import Snapshot
from kubectl_netpoltest.core.policy.parse import namespace, pod, policy
from kubectl_netpoltest.core.policy.tiers import TieredPredictor

IPS = {"web": "10.244.0.3", "db": "10.244.0.4", "tool": "10.244.0.5"}


def _pod(name: str, ns: str, app: str, ports: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": ns, "labels": {"app": app}},
        "spec": {"containers": [{"name": "c", "ports": ports}]},
        "status": {"podIP": IPS[name]},
    }


SNAP_OBJECTS = {
    "namespaces": [
        {"metadata": {"name": n, "labels": {"kubernetes.io/metadata.name": n}}}
        for n in ("shop", "ops")
    ],
    "pods": [
        _pod("web", "shop", "web", []),
        _pod("db", "shop", "db", [{"containerPort": 5432, "name": "pg"}, {"containerPort": 5433}]),
        _pod("tool", "ops", "tool", []),
    ],
}


def ns_sel(name: str) -> dict[str, Any]:
    return {"matchLabels": {"kubernetes.io/metadata.name": name}}


def cnp(
    name: str,
    *,
    tier: str = "Admin",
    priority: int = 10,
    subject: dict[str, Any] | None = None,
    **rules: Any,
) -> dict[str, Any]:
    return {
        "apiVersion": "policy.networking.k8s.io/v1alpha2",
        "kind": "ClusterNetworkPolicy",
        "metadata": {"name": name},
        "spec": {
            "tier": tier,
            "priority": priority,
            "subject": subject
            or {
                "pods": {
                    "namespaceSelector": ns_sel("shop"),
                    "podSelector": {"matchLabels": {"app": "db"}},
                }
            },
            **rules,
        },
    }


def netpol(
    name: str,
    *,
    app: str = "db",
    types: tuple[str, ...] = ("Ingress",),
    ingress: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "podSelector": {"matchLabels": {"app": app}},
        "policyTypes": list(types),
    }
    if ingress is not None:
        spec["ingress"] = ingress
    return {"kind": "NetworkPolicy", "metadata": {"name": name, "namespace": "shop"}, "spec": spec}


NP_WEB_TO_DB = netpol(
    "db-in",
    ingress=[
        {"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": 5432}]}
    ],
)
NP_DB_DENY = netpol("db-deny")
SHOP_NS = {"namespaces": ns_sel("shop")}
WEB = {"pods": {"podSelector": {"matchLabels": {"app": "web"}}}}
TCP_5432 = [{"tcp": {"destinationPort": {"number": 5432}}}]


def predictor(*objs: dict[str, Any]) -> TieredPredictor:
    snap = Snapshot(
        namespaces=tuple(namespace(n) for n in SNAP_OBJECTS["namespaces"]),
        pods=tuple(pod(p) for p in SNAP_OBJECTS["pods"]),
        policies=tuple(policy(o) for o in objs if o["kind"] == "NetworkPolicy"),
        live=True,
    )
    admins: list[AdminPolicy] = [admin_policy(o) for o in objs if o["kind"] != "NetworkPolicy"]
    return TieredPredictor(snap, admins)


def predict(pred: TieredPredictor, probe: str) -> Any:
    src, rest = probe.split("->")
    dst, port = rest.split(":")
    pods = {p.name: p for p in pred.snapshot.pods}

    def end(name: str) -> Endpoint:
        return pod_endpoint(pods[name]) if name in pods else Endpoint(label=name, ip=name)

    return pred.connection(source=end(src), destination=end(dst), port=int(port), protocol="TCP")


def side(prediction: Any, direction: Direction) -> Any:
    return next(s for s in prediction.because if s.direction is direction)


CASES: list[tuple[str, list[dict[str, Any]], dict[str, str], dict[str, str]]] = [
    # (id + rule, objects, {probe: verdict}, {probe: expected reason of the deciding side})
    (
        "X-a T9 Deny beats an NP allow",
        [NP_WEB_TO_DB, cnp("deny-shop", ingress=[{"action": "Deny", "from": [SHOP_NS]}])],
        {"web->db:5432": "denied", "tool->db:5432": "denied"},
        {"web->db:5432": "[Admin] Deny (cnp/deny-shop ingress[0])"},
    ),
    (
        "X-b T9 Accept pierces an NP default deny",
        [
            NP_DB_DENY,
            cnp(
                "accept-web",
                ingress=[
                    {
                        "action": "Accept",
                        "from": [{"pods": {"podSelector": {"matchLabels": {"app": "web"}}}}],
                        "protocols": TCP_5432,
                    }
                ],
            ),
        ],
        {"web->db:5432": "allowed", "web->db:5433": "denied", "tool->db:5432": "denied"},
        {
            "web->db:5432": "[Admin] Accept (cnp/accept-web ingress[0])",
            "web->db:5433": "[Admin] no rule matches → [NetworkPolicy] denied: ",
        },
    ),
    (
        "X-c T17 Pass falls through to the NP tier",
        [
            NP_WEB_TO_DB,
            cnp("pass-shop", priority=10, ingress=[{"action": "Pass", "from": [SHOP_NS]}]),
            cnp(
                "deny-all", priority=20, ingress=[{"action": "Deny", "from": [{"namespaces": {}}]}]
            ),
        ],
        {"web->db:5432": "allowed", "web->db:5433": "denied", "tool->db:5432": "denied"},
        {
            "web->db:5432": "[Admin] Pass (cnp/pass-shop ingress[0]) → [NetworkPolicy] allowed "
            "(shop/db-in ingress[0] from[0] ports[0])",
            "tool->db:5432": "[Admin] Deny (cnp/deny-all ingress[0])",
        },
    ),
    (
        "X-d1 T17 Baseline applies without NP",
        [
            cnp(
                "base-ops",
                tier="Baseline",
                subject=SHOP_NS,
                ingress=[{"action": "Deny", "from": [{"namespaces": ns_sel("ops")}]}],
            )
        ],
        {"tool->db:5432": "denied", "web->db:5432": "allowed"},
        {"tool->db:5432": "[Baseline] Deny (cnp/base-ops ingress[0])"},
    ),
    (
        "X-d2 T17 an NP selecting the pod makes Baseline unreachable",
        [
            cnp(
                "base-ops",
                tier="Baseline",
                subject=SHOP_NS,
                ingress=[{"action": "Deny", "from": [{"namespaces": ns_sel("ops")}]}],
            ),
            netpol("db-from-ops", ingress=[{"from": [{"namespaceSelector": ns_sel("ops")}]}]),
        ],
        {"tool->db:5432": "allowed"},
        {"tool->db:5432": "[NetworkPolicy] allowed (shop/db-from-ops ingress[0] from[0])"},
    ),
    (
        "X-d3 NP rule 2: an Egress-only NP leaves ingress to Baseline",
        [
            cnp(
                "base-ops",
                tier="Baseline",
                subject=SHOP_NS,
                ingress=[{"action": "Deny", "from": [{"namespaces": ns_sel("ops")}]}],
            ),
            netpol("db-eg", types=("Egress",)),
        ],
        {"tool->db:5432": "denied"},
        {"tool->db:5432": "[Baseline] Deny (cnp/base-ops ingress[0])"},
    ),
    (
        "X-e T11 networks matches pod IPs",
        [
            cnp(
                "deny-db-ip",
                subject=WEB,
                egress=[{"action": "Deny", "to": [{"networks": [IPS["db"] + "/32"]}]}],
            )
        ],
        {"web->db:5432": "denied", "tool->db:5432": "allowed", "web->203.0.113.9:443": "allowed"},
        {"web->db:5432": "[Admin] Deny (cnp/deny-db-ip egress[0])"},
    ),
    (
        "X-f T9 egress Accept does not bypass the destination's ingress",
        [
            NP_DB_DENY,
            cnp(
                "web-out",
                subject=WEB,
                egress=[
                    {
                        "action": "Accept",
                        "to": [{"pods": {"podSelector": {"matchLabels": {"app": "db"}}}}],
                    }
                ],
            ),
        ],
        {"web->db:5432": "denied"},
        {},
    ),
    (
        "X-g T5 same priority, different actions: undefined",
        [
            cnp("a-accept", ingress=[{"action": "Accept", "from": [SHOP_NS]}]),
            cnp("b-deny", ingress=[{"action": "Deny", "from": [SHOP_NS]}]),
        ],
        {"web->db:5432": "undefined", "tool->db:5432": "allowed"},
        {
            "web->db:5432": "[Admin] undefined: same priority 10, different actions "
            "(cnp/a-accept ingress[0] says Accept, cnp/b-deny ingress[0] says Deny)"
        },
    ),
    (
        "X-g' T5 same priority, same action: decided",
        [
            cnp("a-deny", ingress=[{"action": "Deny", "from": [SHOP_NS]}]),
            cnp("b-deny", ingress=[{"action": "Deny", "from": [{"namespaces": {}}]}]),
        ],
        {"web->db:5432": "denied"},
        {"web->db:5432": "[Admin] Deny (cnp/a-deny ingress[0], cnp/b-deny ingress[0])"},
    ),
    (
        "X-h T17 Pass through an empty NP tier reaches Baseline",
        [
            cnp("pass-shop", ingress=[{"action": "Pass", "from": [SHOP_NS]}]),
            cnp(
                "base-deny",
                tier="Baseline",
                subject=SHOP_NS,
                ingress=[{"action": "Deny", "from": [SHOP_NS]}],
            ),
        ],
        {"web->db:5432": "denied", "tool->db:5432": "allowed"},
        {
            "web->db:5432": "[Admin] Pass (cnp/pass-shop ingress[0]) → [Baseline] Deny "
            "(cnp/base-deny ingress[0])"
        },
    ),
    (
        "X-i T20 Baseline Pass reaches the default",
        [
            cnp(
                "b1",
                tier="Baseline",
                subject=SHOP_NS,
                ingress=[{"action": "Pass", "from": [SHOP_NS]}],
            ),
            cnp(
                "b2",
                tier="Baseline",
                priority=20,
                subject=SHOP_NS,
                ingress=[{"action": "Deny", "from": [{"namespaces": {}}]}],
            ),
        ],
        {"web->db:5432": "allowed", "tool->db:5432": "denied"},
        {
            "web->db:5432": "[Baseline] Pass (cnp/b1 ingress[0]) → [default] allowed (no tier "
            "decided)"
        },
    ),
    (
        "X-j T10 no ingress peer matches an outside source",
        [cnp("deny-all", ingress=[{"action": "Deny", "from": [{"namespaces": {}}]}])],
        {"203.0.113.9->db:5432": "allowed"},
        {},
    ),
    (
        "X-l T16 unknown peer: Accept matches nothing, Deny denies all",
        [
            cnp(
                "future",
                ingress=[
                    {"action": "Accept", "from": [{"services": {}}]},
                    {"action": "Deny", "from": [{"services": {}}]},
                ],
            )
        ],
        {"web->db:5432": "denied"},
        {"web->db:5432": "[Admin] Deny (cnp/future ingress[1])"},
    ),
    (
        "X-m T3 lower priority first",
        [
            cnp("d50", priority=50, ingress=[{"action": "Deny", "from": [SHOP_NS]}]),
            cnp("p40", priority=40, ingress=[{"action": "Pass", "from": [SHOP_NS]}]),
            cnp(
                "b10",
                tier="Baseline",
                subject=SHOP_NS,
                ingress=[{"action": "Accept", "from": [SHOP_NS]}],
            ),
        ],
        {"web->db:5432": "allowed"},
        {
            "web->db:5432": "[Admin] Pass (cnp/p40 ingress[0]) → [Baseline] Accept (cnp/b10 "
            "ingress[0])"
        },
    ),
    (
        "T15 named port resolves on the destination pod",
        [
            cnp(
                "deny-pg",
                subject=WEB,
                egress=[
                    {
                        "action": "Deny",
                        "to": [{"pods": {"podSelector": {}}}],
                        "protocols": [{"destinationNamedPort": "pg"}],
                    }
                ],
            )
        ],
        {"web->db:5432": "denied", "web->db:5433": "allowed"},
        {},
    ),
    (
        "T13 domainNames deciding is undefined",
        [
            cnp(
                "dns",
                subject=WEB,
                egress=[{"action": "Accept", "to": [{"domainNames": ["*.example.com"]}]}],
            )
        ],
        {"web->203.0.113.9:443": "undefined"},
        {},
    ),
    (
        "L2 v1alpha1: ANP Allow and Pass, BANP Deny",
        [
            {
                "kind": "AdminNetworkPolicy",
                "metadata": {"name": "anp"},
                "spec": {
                    "priority": 10,
                    "subject": SHOP_NS,
                    "ingress": [
                        {
                            "action": "Allow",
                            "from": [{"namespaces": ns_sel("ops")}],
                            "ports": [{"portNumber": {"port": 5432, "protocol": "TCP"}}],
                        },
                        {"action": "Pass", "from": [{"namespaces": ns_sel("ops")}]},
                    ],
                },
            },
            {
                "kind": "BaselineAdminNetworkPolicy",
                "metadata": {"name": "default"},
                "spec": {
                    "subject": SHOP_NS,
                    "ingress": [{"action": "Deny", "from": [{"namespaces": ns_sel("ops")}]}],
                },
            },
        ],
        {"tool->db:5432": "allowed", "tool->db:5433": "denied", "web->db:5433": "allowed"},
        {
            "tool->db:5433": "[Admin] Pass (anp/anp ingress[1]) → [Baseline] Deny "
            "(banp/default ingress[0])"
        },
    ),
    (
        "L6 v1alpha1 against v1alpha2 disagreeing: undefined",
        [
            cnp("cnp-deny", priority=1, ingress=[{"action": "Deny", "from": [SHOP_NS]}]),
            {
                "kind": "AdminNetworkPolicy",
                "metadata": {"name": "anp-allow"},
                "spec": {
                    "priority": 0,
                    "subject": SHOP_NS,
                    "ingress": [{"action": "Allow", "from": [SHOP_NS]}],
                },
            },
        ],
        {"web->db:5432": "undefined"},
        {},
    ),
    (
        "L4 v1alpha1 old peer shape is read; sameLabels is undefined",
        [
            {
                "kind": "AdminNetworkPolicy",
                "metadata": {"name": "old"},
                "spec": {
                    "priority": 3,
                    "subject": SHOP_NS,
                    "ingress": [
                        {
                            "action": "Deny",
                            "from": [{"namespaces": {"namespaceSelector": ns_sel("ops")}}],
                        },
                        {"action": "Deny", "from": [{"namespaces": {"sameLabels": ["team"]}}]},
                    ],
                },
            }
        ],
        {"tool->db:5432": "denied", "web->db:5432": "undefined"},
        {},
    ),
]


@pytest.mark.parametrize(
    ("case", "objs", "verdicts", "reasons"), CASES, ids=[c[0].split(" ")[0] for c in CASES]
)
def test_tier_cases(
    case: str, objs: list[dict[str, Any]], verdicts: dict[str, str], reasons: dict[str, str]
) -> None:
    pred = predictor(*objs)
    got = {probe: predict(pred, probe).verdict.value for probe in verdicts}
    assert got == verdicts, case
    for probe, reason in reasons.items():
        p = predict(pred, probe)
        texts = [s.reason for s in p.because]
        assert any(t.startswith(reason) for t in texts), (case, probe, texts)


def test_egress_accept_is_final_for_egress_only() -> None:
    """X-f: the egress side is allowed by the Accept; the ingress NP still denies."""
    pred = predictor(*CASES[7][1])
    p = predict(pred, "web->db:5432")
    eg, ing = side(p, Direction.EGRESS), side(p, Direction.INGRESS)
    assert (eg.decision, eg.code) == (Decision.ALLOWED, Code.ADMIN_TIER)
    assert eg.reason == "[Admin] Accept (cnp/web-out egress[0])"
    assert ing.decision is Decision.DENIED and p.verdict is Verdict.DENIED


def test_same_priority_names_both_policies() -> None:
    pred = predictor(*CASES[8][1])
    ing = side(predict(pred, "web->db:5432"), Direction.INGRESS)
    assert ing.code is Code.SAME_PRIORITY_OVERLAP
    assert [str(r) for r in ing.policies] == ["cnp/a-accept ingress[0]", "cnp/b-deny ingress[0]"]


def test_without_admin_policies_the_np_answer_is_unchanged() -> None:
    pred = predictor(NP_WEB_TO_DB)
    plain = predict(pred, "web->db:5432")
    ing = side(plain, Direction.INGRESS)
    assert ing.reason.startswith("allowed by shop/db-in")


def test_hostnetwork_pods_are_never_subjects() -> None:
    pred = predictor(
        cnp(
            "deny",
            subject={"namespaces": {}},
            egress=[{"action": "Deny", "to": [{"networks": ["0.0.0.0/0"]}]}],
        )
    )
    hostnet = pod(
        {
            "metadata": {"name": "h", "namespace": "shop", "labels": {"app": "db"}},
            "spec": {"hostNetwork": True},
            "status": {"podIP": "10.89.0.1"},
        }
    )
    web = next(p for p in pred.snapshot.pods if p.name == "web")
    assert pred.tier_policies(Tier.ADMIN, hostnet, Direction.EGRESS) == []
    assert [p.name for p in pred.tier_policies(Tier.ADMIN, web, Direction.EGRESS)] == ["deny"]


def test_unreadable_tiers_make_every_side_undefined() -> None:
    """I4: a 403 on served admin kinds is said, never silently left out."""
    snap = predictor(NP_WEB_TO_DB).snapshot
    pred = TieredPredictor(snap, [], unreadable=["clusternetworkpolicies.policy.networking.k8s.io"])
    p = predict(pred, "web->db:5432")
    assert p.verdict is Verdict.UNDEFINED
    ing = side(p, Direction.INGRESS)
    assert ing.code is Code.TIERS_UNREADABLE
    assert ing.reason.startswith(
        "[Admin] unknown: cannot list clusternetworkpolicies.policy.networking.k8s.io (403)"
    )
    assert ing.reason.endswith("→ [NetworkPolicy] allowed (shop/db-in ingress[0] from[0] ports[0])")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"tier": "Admin", "priority": "high", "subject": {}},
            "cnp/bad.spec.priority: 'high' is not an integer from 0 to 1000",
        ),
        (
            {"tier": "Developer", "priority": 1, "subject": {}},
            "cnp/bad.spec.tier: 'Developer' is not Admin or Baseline",
        ),
        (
            {"tier": "Admin", "priority": 1, "subject": {}, "ingress": [{"action": "Reject"}]},
            "cnp/bad.spec.ingress[0].action: 'Reject' is not Accept/Allow, Deny or Pass",
        ),
        (
            {
                "tier": "Admin",
                "priority": 1,
                "subject": {},
                "ingress": [
                    {
                        "action": "Deny",
                        "from": [{"namespaces": {}}],
                        "protocols": [{"tcp": {"destinationPort": {"range": {"start": 80}}}}],
                    }
                ],
            },
            "cnp/bad.spec: not a valid ClusterNetworkPolicy (KeyError: 'end')",
        ),
    ],
)
def test_malformed_offline_objects_are_object_errors(spec: dict[str, Any], message: str) -> None:
    """Offline manifests reach the reader unchecked: an actionable error, never a traceback."""
    from kubectl_netpoltest.core.policy.parse import ObjectError

    with pytest.raises(ObjectError) as exc:
        admin_policy({"kind": "ClusterNetworkPolicy", "metadata": {"name": "bad"}, "spec": spec})
    assert str(exc.value).startswith(message)
