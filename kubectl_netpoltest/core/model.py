"""The test-spec model: what a user wrote, after validation, as frozen data.

Everything downstream (plan, probes, reports) works on these types only, so the YAML shape can
evolve without touching them. Names keep the spec's vocabulary (pods, addresses, connections,
rules) so error messages and reports speak the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from kubectl_netpoltest.core.labels import LabelSelector


@dataclass(frozen=True, order=True)
class Location:
    """Where something was written: used in every message about it."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Spread(StrEnum):
    """Which matching pods a spec entry stands for: `one` (the first usable), `nodes` (one per
    node the workload runs on) or `all` (every Ready pod)."""

    ONE = "one"
    NODES = "nodes"
    ALL = "all"


class Protocol(StrEnum):
    TCP = "TCP"
    UDP = "UDP"


class Expectation(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"


@dataclass(frozen=True)
class PodRef:
    """One pod of the cluster, found by name prefix or by label selector in a namespace.

    `namespace` is None when the spec left it out; plan expansion fills in the namespace kubectl
    would use (-n, else the context's, else "default").
    """

    name: str
    namespace: str | None
    podname: str | None = None
    selector: LabelSelector | None = None
    location: Location | None = field(default=None, compare=False)
    spread: Spread = Spread.ONE
    """As a source: which matching pods probe (prepare instruments each of them)."""
    targets: Spread = Spread.ALL
    """As a target: which matching pods are probed (every Ready one by default; `one` is the
    original tool's single pod). Never `nodes`."""

    def describe(self) -> str:
        ns = self.namespace or "<default namespace>"
        if self.podname is not None:
            return f"{ns}/{self.podname}*"
        assert self.selector is not None
        return f"{ns}/[{self.selector.to_kubectl()}]"


@dataclass(frozen=True)
class PodGroup:
    name: str
    members: tuple[str, ...]
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class AddressSet:
    """Named hosts (DNS names, IPv4 or IPv6 literals) outside the spec's pods."""

    name: str
    hosts: tuple[str, ...]
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ServiceRef:
    """A Service of the cluster, usable as a connection target next to pods and addresses.

    A probe to it tries what applications use (the ClusterIP on the Service port, and the DNS
    name when `dns` is set) and each ready backend on its resolved targetPort, so a backend
    that the policy treats differently cannot hide behind the one the ClusterIP picked.
    """

    name: str
    namespace: str | None
    service: str
    dns: bool = False
    location: Location | None = field(default=None, compare=False)

    def describe(self) -> str:
        return f"{self.namespace or '<default namespace>'}/service/{self.service}"

    @property
    def dns_name(self) -> str:
        """The short cluster name a pod's resolv.conf search path completes."""
        return f"{self.service}.{self.namespace or 'default'}.svc"


@dataclass(frozen=True)
class AddressGroup:
    name: str
    members: tuple[str, ...]
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Port:
    port: int
    protocol: Protocol = Protocol.TCP

    def __str__(self) -> str:
        return f"{self.port}/{self.protocol.value}"


@dataclass(frozen=True)
class Connection:
    """Targets (pod, pod group, address or address group names) times ports.

    `includes` names other connections whose targets and ports are added to this one.
    """

    name: str
    targets: tuple[str, ...]
    ports: tuple[Port, ...]
    includes: tuple[str, ...] = ()
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Rule:
    name: str
    sources: tuple[str, ...]
    allowed: tuple[str, ...] = ()
    denied: tuple[str, ...] = ()
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Spec:
    """A validated test spec. Every name it mentions is defined and every group is acyclic."""

    path: str
    pods: tuple[PodRef, ...] = ()
    pod_groups: tuple[PodGroup, ...] = ()
    addresses: tuple[AddressSet, ...] = ()
    address_groups: tuple[AddressGroup, ...] = ()
    connections: tuple[Connection, ...] = ()
    rules: tuple[Rule, ...] = ()
    image: str | None = None
    services: tuple[ServiceRef, ...] = ()


@dataclass(frozen=True)
class PodTarget:
    """A probe target that is a pod: its IP is looked up at execute time."""

    pod: PodRef

    @property
    def label(self) -> str:
        return f"pod/{self.pod.name}"


@dataclass(frozen=True)
class HostTarget:
    """A probe target that is a host name or IP literal; names resolve inside the source pod."""

    address: str
    host: str

    @property
    def label(self) -> str:
        return self.host


@dataclass(frozen=True)
class ServiceTarget:
    """A probe target that is a Service: its ClusterIP and backends are looked up at execute."""

    service: ServiceRef

    @property
    def label(self) -> str:
        return f"svc/{self.service.name}"


Target = PodTarget | HostTarget | ServiceTarget


@dataclass(frozen=True)
class Probe:
    """One connection attempt with its expectation: the unit of planning and of reports.

    `id` is stable for a given spec: it is derived from source, target, port and protocol, which
    are unique after deduplication.
    """

    id: str
    rule: str
    source: PodRef
    target: Target
    port: int
    protocol: Protocol
    expect: Expectation
    also_in_rules: tuple[str, ...] = ()
