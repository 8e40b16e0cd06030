"""The cluster objects a NetworkPolicy decision depends on, as small frozen values.

They are parsed once (see `parse.py`) from plain Kubernetes JSON dicts — the same shape whether
they come from the API server or from YAML manifests on disk — so the evaluator never pokes at
nested dicts and every defaulting rule (protocol TCP, policyTypes, the namespace name label)
lives in one place. Nothing here knows about test specs or probes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kubectl_netpoltest.core.labels import Labels, LabelSelector

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
PROTOCOLS = ("TCP", "UDP", "SCTP")


@dataclass(frozen=True)
class Namespace:
    name: str
    labels: Labels


@dataclass(frozen=True)
class ContainerPort:
    port: int
    protocol: str = "TCP"
    name: str | None = None


@dataclass(frozen=True)
class Pod:
    """A pod, or a workload template standing for its pods (offline mode: no IPs)."""

    namespace: str
    name: str
    labels: Labels = ()
    ips: tuple[str, ...] = ()
    ports: tuple[ContainerPort, ...] = ()
    host_network: bool = False
    node: str | None = None
    template_of: str | None = None
    """Offline: the workload kind whose pod template this stands for (e.g. "Deployment")."""

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def ip(self) -> str | None:
        return self.ips[0] if self.ips else None


@dataclass(frozen=True)
class IPBlock:
    cidr: str
    excepts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Peer:
    """One element of `from`/`to`: selectors (ANDed within the element) or an ipBlock.

    `pod_selector` None with a namespace selector means every pod of those namespaces;
    `namespace_selector` None means the policy's own namespace (API NetworkPolicyPeer).
    """

    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None
    ip_block: IPBlock | None = None


@dataclass(frozen=True)
class PortSpec:
    """One NetworkPolicyPort: `port` None = every port of `protocol`; str = a named port."""

    protocol: str = "TCP"
    port: int | str | None = None
    end_port: int | None = None

    def describe(self) -> str:
        if self.port is None:
            return f"any/{self.protocol}"
        if self.end_port is not None:
            return f"{self.port}-{self.end_port}/{self.protocol}"
        return f"{self.port}/{self.protocol}"


@dataclass(frozen=True)
class Rule:
    """An ingress or egress rule. `peers`/`ports` None = absent or empty = everything."""

    peers: tuple[Peer, ...] | None = None
    ports: tuple[PortSpec, ...] | None = None


@dataclass(frozen=True)
class Policy:
    namespace: str
    name: str
    pod_selector: LabelSelector
    ingress_isolates: bool
    egress_isolates: bool
    ingress: tuple[Rule, ...] = ()
    egress: tuple[Rule, ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class ServicePort:
    port: int
    protocol: str = "TCP"
    target_port: int | str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Service:
    namespace: str
    name: str
    cluster_ips: tuple[str, ...] = ()
    selector: Labels | None = None
    ports: tuple[ServicePort, ...] = ()
    headless: bool = False
    """clusterIP: None — the name resolves to the pods themselves, with no port translation.
    (A manifest without clusterIP is not headless: the API server assigns one.)"""
    external_name: str | None = None
    """type: ExternalName — the name is a CNAME to this host: an address outside the pods."""

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class EndpointSlice:
    """The backends of a Service, as the API lists them (live mode)."""

    namespace: str
    service: str
    addresses: tuple[str, ...] = ()
    ports: tuple[ContainerPort, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    """Everything a prediction reads; `complete_ips` is False offline (templates, no IPs)."""

    namespaces: tuple[Namespace, ...] = ()
    pods: tuple[Pod, ...] = ()
    policies: tuple[Policy, ...] = ()
    services: tuple[Service, ...] = ()
    endpoint_slices: tuple[EndpointSlice, ...] = ()
    live: bool = False
    sources: tuple[str, ...] = field(default=(), compare=False)
