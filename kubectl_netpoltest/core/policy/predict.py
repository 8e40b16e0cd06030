"""The predictor: a snapshot, indexed once, answering many connections quickly.

`direction()` is the NetworkPolicy tier for one side (what an admin-tier wrapper calls);
`connection()` combines both sides for two endpoints after DNAT, with the paths the API
treats specially (own IP, node traffic, hostNetwork); `predict()` first resolves a target
address or name to Service backends.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from kubectl_netpoltest.core.labels import Labels
from kubectl_netpoltest.core.labels import selector_matches as matches
from kubectl_netpoltest.core.policy.decision import (
    Code,
    Decision,
    Direction,
    DirectionDecision,
    Prediction,
    Verdict,
    combine,
)
from kubectl_netpoltest.core.policy.direction import Traffic, evaluate_direction
from kubectl_netpoltest.core.policy.matching import Assumptions, Endpoint
from kubectl_netpoltest.core.policy.objects import (
    NAMESPACE_NAME_LABEL,
    EndpointSlice,
    Namespace,
    Pod,
    Policy,
    Service,
    Snapshot,
)
from kubectl_netpoltest.core.policy.services import (
    Backend,
    backends,
    is_ip,
    service_for_name,
)


@dataclass(frozen=True)
class ServiceTarget:
    service: Service
    headless: bool


def pod_endpoint(pod: Pod) -> Endpoint:
    return Endpoint(label=pod.ref, pod=pod, ip=pod.ip)


def same_family(source: Endpoint, destination: Endpoint) -> tuple[Endpoint, Endpoint]:
    """A connection has one IP family, and a dual-stack pod takes part with its address of
    that family (rule 17): the known address decides, the pod end follows it."""
    if destination.ip is not None and source.pod is not None:
        source = replace(source, ip=_of_family(source.pod.ips, destination.ip, source.ip))
    elif source.ip is not None and destination.pod is not None and destination.ip is not None:
        destination = replace(
            destination, ip=_of_family(destination.pod.ips, source.ip, destination.ip)
        )
    return source, destination


def _of_family(ips: tuple[str, ...], like: str, default: str | None) -> str | None:
    family = ":" in like
    return next((ip for ip in ips if (":" in ip) == family), default)


class Predictor:
    """Answers connection questions over one snapshot; cheap per call after construction."""

    def __init__(self, snapshot: Snapshot, *, assumptions: Assumptions | None = None) -> None:
        self.snapshot = snapshot
        self.assumptions = assumptions or Assumptions()
        self.namespaces: dict[str, Namespace] = {n.name: n for n in snapshot.namespaces}
        for pod in snapshot.pods:
            self.namespaces.setdefault(
                pod.namespace, Namespace(pod.namespace, ((NAMESPACE_NAME_LABEL, pod.namespace),))
            )
        self._isolating: dict[tuple[str, Direction], list[Policy]] = defaultdict(list)
        for policy in snapshot.policies:
            if policy.ingress_isolates:
                self._isolating[(policy.namespace, Direction.INGRESS)].append(policy)
            if policy.egress_isolates:
                self._isolating[(policy.namespace, Direction.EGRESS)].append(policy)
        self.pods_by_ip: dict[str, Pod] = {}
        for pod in snapshot.pods:
            for ip in pod.ips:
                if not pod.host_network or ip not in self.pods_by_ip:
                    self.pods_by_ip[ip] = pod
        self.services = {(s.namespace, s.name): s for s in snapshot.services}
        self._service_ips = {ip: s for s in snapshot.services for ip in s.cluster_ips}
        self._slices: dict[tuple[str, str], list[EndpointSlice]] = defaultdict(list)
        for s in snapshot.endpoint_slices:
            self._slices[(s.namespace, s.service)].append(s)
        self._selecting: dict[tuple[str, Labels, bool, Direction], tuple[Policy, ...]] = {}

    # ------------------------------------------------------------------ one direction

    def selecting(self, pod: Pod, direction: Direction) -> tuple[Policy, ...]:
        """Rules 1-3: policies of the pod's namespace whose podSelector matches and that
        isolate this direction. hostNetwork pods are never selected (rule 28)."""
        key = (pod.namespace, pod.labels, pod.host_network, direction)
        found = self._selecting.get(key)
        if found is None:
            labels = pod.labels
            found = (
                ()
                if pod.host_network
                else tuple(
                    p
                    for p in self._isolating.get((pod.namespace, direction), ())
                    if matches(p.pod_selector, labels)
                )
            )
            self._selecting[key] = found
        return found

    def direction(
        self,
        *,
        direction: Direction,
        subject: Pod,
        peer: Endpoint,
        destination: Endpoint,
        port: int,
        protocol: str,
    ) -> DirectionDecision:
        """The NetworkPolicy tier for `subject` (the source for egress, the destination for
        ingress); an admin-tier wrapper calls this when its own rules say Pass/no match."""
        return evaluate_direction(
            subject=subject.ref,
            policies=self.selecting(subject, direction),
            traffic=Traffic(direction, peer, destination, port, protocol.upper()),
            namespaces=self.namespaces,
            assumptions=self.assumptions,
        )

    # ------------------------------------------------------------------ both directions

    def connection(
        self, *, source: Endpoint, destination: Endpoint, port: int, protocol: str
    ) -> Prediction:
        """Both sides for traffic that already has its final (post-DNAT) destination."""
        source, destination = same_family(source, destination)
        if (source.pod is not None and source.pod == destination.pod) or (
            source.ip is not None and source.ip == destination.ip
        ):
            why = "a pod's traffic to its own IP never meets its policies (semantics rule 9)"
            return combine(
                [DirectionDecision(d, Decision.ALLOWED, Code.OWN_IP, why) for d in Direction]
            )
        sides = []
        if source.pod is not None:
            if source.pod.host_network:
                sides.append(
                    DirectionDecision(
                        Direction.EGRESS,
                        Decision.NOT_SELECTED,
                        Code.HOSTNETWORK,
                        f"{source.label} is a hostNetwork pod: NetworkPolicies do not select it "
                        "(semantics rule 28)",
                    )
                )
            else:
                sides.append(self._egress(source, destination, port, protocol))
        if destination.pod is not None:
            sides.append(self._ingress(source, destination, port, protocol))
        return combine(sides)

    def _egress(
        self, source: Endpoint, destination: Endpoint, port: int, protocol: str
    ) -> DirectionDecision:
        assert source.pod is not None
        side = self.direction(
            direction=Direction.EGRESS,
            subject=source.pod,
            peer=destination,
            destination=destination,
            port=port,
            protocol=protocol,
        )
        own_node = (
            destination.pod is not None
            and destination.pod.host_network
            and source.pod.node is not None
            and source.pod.node == destination.pod.node
        )
        exempt = self.assumptions.own_node_egress_exempt
        if side.lets_through or not own_node or exempt is False:
            return side
        if exempt:
            return DirectionDecision(
                Direction.EGRESS,
                Decision.ALLOWED,
                Code.EGRESS_TO_OWN_NODE,
                f"{destination.label} is on {source.label}'s own node, exempt from egress "
                "rules here (assumption)",
            )
        return DirectionDecision(
            Direction.EGRESS,
            Decision.UNDEFINED,
            Code.EGRESS_TO_OWN_NODE,
            f"{side.reason}; but {destination.label} is on {source.label}'s own node, and "
            "whether egress rules apply to a pod's own node is up to the CNI (the API's node "
            "exception is for ingress only; semantics rule 8)",
            side.policies,
        )

    def _ingress(
        self, source: Endpoint, destination: Endpoint, port: int, protocol: str
    ) -> DirectionDecision:
        assert destination.pod is not None
        if destination.pod.host_network:
            return DirectionDecision(
                Direction.INGRESS,
                Decision.NOT_SELECTED,
                Code.HOSTNETWORK,
                f"{destination.label} is a hostNetwork pod: NetworkPolicies do not select it "
                "(semantics rule 28)",
            )
        side = self.direction(
            direction=Direction.INGRESS,
            subject=destination.pod,
            peer=source,
            destination=destination,
            port=port,
            protocol=protocol,
        )
        if source.pod is None or not source.pod.host_network or side.lets_through:
            return side
        src_node, dst_node = source.pod.node, destination.pod.node
        if src_node is not None and src_node == dst_node:
            return DirectionDecision(
                Direction.INGRESS,
                Decision.ALLOWED,
                Code.FROM_OWN_NODE,
                f"{source.label} is on the node of {destination.label}, and traffic from the "
                "pod's own node is always allowed (API NetworkPolicySpec.ingress; rule 8)",
            )
        if src_node is None or dst_node is None:
            return DirectionDecision(
                Direction.INGRESS,
                Decision.UNDEFINED,
                Code.NODE_UNKNOWN,
                f"{side.reason}; but if {source.label} runs on the node of "
                f"{destination.label} it is allowed (rule 8), and the nodes are not known",
                side.policies,
            )
        return side

    # ------------------------------------------------------------------ addresses, Services

    def address(self, host: str, *, from_namespace: str) -> Endpoint | ServiceTarget:
        """What a probe to `host` reaches: a pod, a Service, or an address outside the pods."""
        if is_ip(host):
            pod = self.pods_by_ip.get(host)
            if pod is not None:
                return Endpoint(label=pod.ref, pod=pod, ip=host)
            service = self._service_ips.get(host)
            if service is not None:
                return ServiceTarget(service, headless=False)
            return Endpoint(label=host, ip=host)
        service = service_for_name(host, from_namespace=from_namespace, services=self.services)
        if service is not None and service.external_name is not None:
            return Endpoint(label=f"{host} (ExternalName {service.external_name})")
        if service is not None:
            return ServiceTarget(service, headless=service.headless)
        return Endpoint(label=host)

    def predict(
        self, *, source: Endpoint, target: Endpoint | ServiceTarget, port: int, protocol: str
    ) -> Prediction:
        protocol = protocol.upper()
        if isinstance(target, Endpoint):
            return self.connection(source=source, destination=target, port=port, protocol=protocol)
        service = target.service
        found = self._backends(target, port=port, protocol=protocol)
        if found is None:
            ip = service.cluster_ips[0] if service.cluster_ips else None
            return self.connection(
                source=source,
                destination=Endpoint(service.ref, ip=ip),
                port=port,
                protocol=protocol,
            )
        if not found:
            return Prediction(
                Verdict.DENIED,
                (
                    DirectionDecision(
                        Direction.INGRESS,
                        Decision.DENIED,
                        Code.NO_ENDPOINTS,
                        f"Service {service.ref} has no ready endpoints for {port}/{protocol}",
                    ),
                ),
                via=f"Service {service.ref}",
            )
        return self._over_backends(source, service, found, protocol)

    def _backends(self, target: ServiceTarget, *, port: int, protocol: str) -> list[Backend] | None:
        service = target.service
        return backends(
            service,
            port=port,
            protocol=protocol.upper(),
            slices=self._slices.get((service.namespace, service.name), []),
            pods=self.snapshot.pods,
            pods_by_ip=self.pods_by_ip,
            headless=target.headless,
        )

    def destinations(
        self, *, target: Endpoint | ServiceTarget, port: int, protocol: str
    ) -> list[tuple[Endpoint, int]]:
        """Where a connection lands after DNAT: the target itself, or each Service backend
        with its target port (rule 25)."""
        if isinstance(target, Endpoint):
            return [(target, port)]
        found = self._backends(target, port=port, protocol=protocol)
        if found is None:
            ips = target.service.cluster_ips
            return [(Endpoint(target.service.ref, ip=ips[0] if ips else None), port)]
        return [
            (
                Endpoint(b.pod.ref if b.pod is not None else (b.ip or "?"), pod=b.pod, ip=b.ip),
                b.port,
            )
            for b in found
        ]

    def _over_backends(
        self, source: Endpoint, service: Service, found: list[Backend], protocol: str
    ) -> Prediction:
        predictions = []
        for b in found:
            label = b.pod.ref if b.pod is not None else (b.ip or "?")
            via = f"Service {service.ref} -> {label}:{b.port}"
            if b.pod is not None and b.pod == source.pod:
                allowed = self.assumptions.service_hairpin_allowed
                decision = (
                    Decision.UNDEFINED
                    if allowed is None
                    else (Decision.ALLOWED if allowed else Decision.DENIED)
                )
                side = DirectionDecision(
                    Direction.INGRESS,
                    decision,
                    Code.SERVICE_HAIRPIN,
                    f"{label} reaches itself through Service {service.ref}: hairpin traffic "
                    "is handled differently by each CNI (semantics rule 9)",
                )
                predictions.append(combine([side], via=via))
                continue
            dest = Endpoint(label=label, pod=b.pod, ip=b.ip)
            p = self.connection(source=source, destination=dest, port=b.port, protocol=protocol)
            predictions.append(Prediction(p.verdict, p.because, via=via))
        verdicts = {p.verdict for p in predictions}
        if len(verdicts) == 1:
            return predictions[0]
        first_other = next(p for p in predictions if p.verdict != predictions[0].verdict)
        note = DirectionDecision(
            Direction.INGRESS,
            Decision.UNDEFINED,
            Code.BACKENDS_DIFFER,
            f"Service {service.ref} has backends with different verdicts: "
            f"{predictions[0].via} is {predictions[0].verdict.value}, "
            f"{first_other.via} is {first_other.verdict.value}",
        )
        return Prediction(
            Verdict.UNDEFINED, (*predictions[0].because, note), via=f"Service {service.ref}"
        )
