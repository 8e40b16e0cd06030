"""doctor's judgement on a scripted cluster: what is FAIL, what is only WARN, and the fixes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from kubectl_netpoltest.cluster.execstatus import ExecStatus, ExecStatusKind
from kubectl_netpoltest.cluster.gateway import ContainerState, ExecResult, PodInfo
from kubectl_netpoltest.cluster.inspector import AccessReview, PodDetails, ServerVersion
from kubectl_netpoltest.core.findings import Area, Finding, Status, passed
from kubectl_netpoltest.core.model import Expectation, HostTarget, PodRef, Probe, Protocol
from kubectl_netpoltest.engine.doctor import DoctorOptions, run_doctor
from kubectl_netpoltest.errors import Forbidden
from tests.unit.engine.fakegateway import FakeGateway, make_pod

IMAGE = "registry.k8s.io/e2e-test-images/agnhost:2.53"


@dataclass
class FakeInspector:
    pods: dict[str, list[PodDetails]] = field(default_factory=dict)
    denied: set[tuple[str, str, str]] = field(default_factory=set)
    """(namespace, verb, resource) the user may not do."""
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    refuse_dry_run: Forbidden | None = None
    minor: int = 32

    def server_version(self) -> ServerVersion:
        return ServerVersion(1, self.minor, f"v1.{self.minor}.0")

    def served_resources(self, *, group_version: str) -> frozenset[str] | None:
        return frozenset({"pods", "pods/exec", "pods/ephemeralcontainers"})

    def can_i(self, *, verb: str, resource: str, group: str, namespace: str | None) -> AccessReview:
        shown = f"{resource}.{group}" if group and "/" not in resource else resource
        allowed = (namespace or "", verb, shown) not in self.denied
        return AccessReview(verb, shown, namespace, allowed)

    def get_namespace(self, *, name: str) -> Mapping[str, Any] | None:
        return {"metadata": {"name": name, "labels": self.labels.get(name, {})}}

    def list_namespaces(self) -> list[Mapping[str, Any]]:
        return []

    def list_pods(self, *, namespace: str | None) -> list[PodDetails]:
        return self.pods.get(namespace or "", [])

    def get_config_map(self, *, namespace: str, name: str) -> Mapping[str, Any] | None:
        return None

    def get_cluster_object(self, **_: str) -> Mapping[str, Any] | None:
        return None

    def list_network_policies(self, *, namespace: str | None) -> list[Mapping[str, Any]]:
        return []

    def watch_network_policies(
        self, *, namespace: str, timeout_seconds: int, on_listed: Any = None
    ) -> Iterator[tuple[str, Mapping[str, Any]]]:
        return iter(())

    def dry_run_ephemeral(self, *, namespace: str, pod: str, container: Mapping[str, Any]) -> None:
        if self.refuse_dry_run is not None:
            raise self.refuse_dry_run


def details(pod: PodInfo, **spec: Any) -> PodDetails:
    return PodDetails(
        info=pod,
        raw={
            "metadata": {"name": pod.name, "namespace": pod.namespace, "labels": dict(pod.labels)},
            "spec": spec,
        },
    )


def probe(source: str) -> Probe:
    ref = PodRef(name=source, namespace="shop", podname=source)
    return Probe(
        id=f"{source}->h",
        rule="r",
        source=ref,
        target=HostTarget("h", "10.0.0.9"),
        port=80,
        protocol=Protocol.TCP,
        expect=Expectation.DENIED,
    )


KUBE_ROUTER = details(
    make_pod(
        "kube-router-x7k2p", namespace="kube-system", labels={"k8s-app": "kube-router"}, owner=None
    )
)


def doctor(
    inspector: FakeInspector, *sources: str, gateway: FakeGateway | None = None
) -> dict[tuple[Area, str], Finding]:
    findings = run_doctor(
        inspector=inspector,
        gateway=gateway or FakeGateway(),
        probes=[probe(s) for s in sources],
        options=DoctorOptions(image=IMAGE),
    )
    return {(f.area, f.subject): f for f in findings}


def test_a_healthy_cluster_passes_except_the_unchecked_image() -> None:
    web = make_pod("web-1")
    inspector = FakeInspector(pods={"shop": [details(web)], "kube-system": [KUBE_ROUTER]})
    found = doctor(inspector, "web")
    assert passed(list(found.values()))
    assert found[(Area.CNI, "kube-router")].status is Status.PASS
    assert "auto will use reject" in found[(Area.CNI, "kube-router")].message
    assert found[(Area.IMAGE, IMAGE)].status is Status.WARN


def test_a_missing_required_permission_fails_an_optional_one_warns() -> None:
    inspector = FakeInspector(
        pods={"shop": [details(make_pod("web-1"))]},
        denied={("shop", "patch", "pods/ephemeralcontainers")},
    )
    assert doctor(inspector, "web")[(Area.PERMISSIONS, "namespace shop")].status is Status.FAIL
    inspector.denied = {("shop", "watch", "networkpolicies.networking.k8s.io")}
    found = doctor(inspector, "web")[(Area.PERMISSIONS, "namespace shop")]
    assert found.status is Status.WARN and "kubectl netpoltest rbac -n shop" in found.fix


def test_pod_security_refusal_fails_an_rbac_refusal_only_warns() -> None:
    inspector = FakeInspector(
        pods={"shop": [details(make_pod("web-1"))]},
        labels={"shop": {"pod-security.kubernetes.io/enforce": "restricted"}},
    )
    inspector.refuse_dry_run = Forbidden(
        'pods "web-1" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true'
    )
    found = doctor(inspector, "web")[(Area.POD_SECURITY, "namespace shop")]
    assert found.status is Status.FAIL and "enforce level: restricted" in found.message
    inspector.refuse_dry_run = Forbidden(
        'User "x" cannot patch resource "pods/ephemeralcontainers"'
    )
    assert doctor(inspector, "web")[(Area.POD_SECURITY, "namespace shop")].status is Status.WARN


def test_sources_hostnetwork_windows_and_mesh() -> None:
    inspector = FakeInspector(
        pods={
            "shop": [
                details(make_pod("node-1", host_network=True)),
                details(make_pod("win-1"), os={"name": "windows"}),
                details(make_pod("mesh-1", containers=("app", "istio-proxy"))),
                details(make_pod("slow-1", ready=False)),
            ]
        }
    )
    found = doctor(inspector, "node", "win", "mesh", "slow")
    status = {s.split(" ")[1]: f.status for (a, s), f in found.items() if a is Area.SOURCES}
    assert status == {
        "node": Status.FAIL,
        "win": Status.FAIL,
        "mesh": Status.WARN,
        "slow": Status.FAIL,
    }


def test_a_cni_that_enforces_nothing_fails() -> None:
    flannel = details(
        make_pod(
            "kube-flannel-ds-abcde", namespace="kube-system", labels={"app": "flannel"}, owner=None
        )
    )
    inspector = FakeInspector(pods={"shop": [details(make_pod("web-1"))], "kube-system": [flannel]})
    found = doctor(inspector, "web")[(Area.CNI, "flannel")]
    assert found.status is Status.FAIL and "does not enforce" in found.message


def test_the_image_is_judged_from_an_existing_debug_container() -> None:
    running = (ContainerState("netpoltest-abcde", IMAGE, "running"),)
    web = make_pod("web-1", ephemeral=running)

    def lacks_dig(*_: Any) -> ExecResult:
        on_line = _[3]
        on_line("dig")
        return ExecResult(ExecStatus(ExecStatusKind.EXITED, 0, ""), "")

    gateway = FakeGateway(exec_handler=lacks_dig).add(web)
    found = doctor(FakeInspector(pods={"shop": [details(web)]}), "web", gateway=gateway)
    assert found[(Area.IMAGE, IMAGE)].status is Status.FAIL
    assert "lacks dig" in found[(Area.IMAGE, IMAGE)].message
    pulling = (replace(running[0], state="waiting", reason="ImagePullBackOff"),)
    stuck = make_pod("web-1", ephemeral=pulling)
    found = doctor(FakeInspector(pods={"shop": [details(stuck)]}), "web")
    assert found[(Area.IMAGE, IMAGE)].status is Status.FAIL
