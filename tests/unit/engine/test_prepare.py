"""prepare's decisions: which pod, label before container, idempotence, failures reported."""

from __future__ import annotations

from kubectl_netpoltest.cluster.gateway import ContainerState
from kubectl_netpoltest.core.model import PodRef
from kubectl_netpoltest.engine.instrument import LABEL_KEY, debug_container
from kubectl_netpoltest.engine.options import PrepareOptions
from kubectl_netpoltest.engine.prepare import PrepState, prepare
from kubectl_netpoltest.errors import Forbidden
from tests.unit.engine.fakegateway import FakeGateway, make_pod

WEB = PodRef(name="web", namespace="shop", podname="web")
OPTIONS = PrepareOptions(image="example/agnhost:1", ttl_seconds=60, timeout_seconds=5)


def test_labels_first_then_adds_one_container_to_the_first_ready_pod() -> None:
    gateway = FakeGateway().add(make_pod("web-b"), make_pod("web-a"), make_pod("db-a"))
    (result,) = prepare(gateway=gateway, sources=[WEB], options=OPTIONS)
    assert result.state is PrepState.READY
    assert result.pod == "shop/web-a"
    # ... then one exec: the tool check of the new container (engine/toolcheck.py)
    # one exec: the tool check; then the container is remembered for execute (annotation)
    assert [kind for kind, _ in gateway.calls] == ["label", "add", "exec", "annotate"]
    assert gateway.pods["shop/web-a"].labels[LABEL_KEY] == "true"
    assert gateway.calls[1][1].endswith("example/agnhost:1")


def test_second_run_changes_nothing() -> None:
    gateway = FakeGateway().add(make_pod("web-a"))
    prepare(gateway=gateway, sources=[WEB], options=OPTIONS)
    calls = list(gateway.calls)
    (again,) = prepare(gateway=gateway, sources=[WEB], options=OPTIONS)
    assert again.state is PrepState.REUSED
    assert gateway.calls == calls


def test_prefers_a_pod_we_touched_even_if_its_container_expired() -> None:
    expired = ContainerState("netpoltest-old01", "img", "terminated", "Completed", None, 0)
    gateway = FakeGateway().add(
        make_pod("web-a"), make_pod("web-b", labels={LABEL_KEY: "true"}, ephemeral=(expired,))
    )
    (result,) = prepare(gateway=gateway, sources=[WEB], options=OPTIONS)
    assert result.pod == "shop/web-b"
    assert [kind for kind, _ in gateway.calls] == ["add", "exec", "annotate"]  # labelled


def test_host_network_and_unready_pods_are_skipped_and_said() -> None:
    gateway = FakeGateway().add(
        make_pod("web-h", host_network=True), make_pod("web-u", ready=False)
    )
    (result,) = prepare(gateway=gateway, sources=[WEB], options=OPTIONS)
    assert result.state is PrepState.NO_POD
    assert "no Ready pod matches shop/web*" in result.message
    assert result.skipped == ("shop/web-h (hostNetwork: NetworkPolicies do not apply to it)",)
    assert gateway.calls == []


def test_nothing_matches() -> None:
    (result,) = prepare(gateway=FakeGateway(), sources=[WEB], options=OPTIONS)
    assert result.state is PrepState.NO_POD
    assert (
        result.message == "no pod matches shop/web*; check the namespace and the podname/selector"
    )


def test_failed_add_takes_the_label_off_again() -> None:
    gateway = FakeGateway(fail_add=Forbidden('pods "web-a" is forbidden: violates PodSecurity'))
    gateway.add(make_pod("web-a"))
    (result,) = prepare(gateway=gateway, sources=[WEB], options=OPTIONS)
    assert result.state is PrepState.FAILED
    assert "violates PodSecurity" in result.message
    assert [kind for kind, _ in gateway.calls] == ["label", "add", "label"]
    assert LABEL_KEY not in gateway.pods["shop/web-a"].labels


def test_image_pull_failure_is_reported_with_the_clusters_message() -> None:
    waiting = ContainerState(
        "x", "bad/image", "waiting", "ErrImagePull", 'failed to pull image "bad/image": not found'
    )
    gateway = FakeGateway(container_outcome=waiting).add(make_pod("web-a"))
    (result,) = prepare(gateway=gateway, sources=[WEB], options=OPTIONS)
    assert result.state is PrepState.FAILED
    assert 'ErrImagePull: failed to pull image "bad/image": not found' in result.message


def test_two_references_to_one_pod_add_one_container() -> None:
    other = PodRef(name="web-too", namespace="shop", podname="web-")
    gateway = FakeGateway().add(make_pod("web-a"))
    results = prepare(gateway=gateway, sources=[WEB, other], options=OPTIONS)
    assert [r.pod for r in results] == ["shop/web-a", "shop/web-a"]
    assert [kind for kind, _ in gateway.calls].count("add") == 1


def test_debug_container_passes_the_restricted_profile() -> None:
    spec = debug_container(name="netpoltest-abcde", image="img", ttl_seconds=600)
    context = spec["securityContext"]
    assert context["runAsNonRoot"] is True and context["runAsUser"] > 0
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["seccompProfile"] == {"type": "RuntimeDefault"}
    assert spec["command"][-2:] == ["600", "netpoltest-abcde"]  # data as argv, not shell text
    assert not {"ports", "resources", "livenessProbe"} & spec.keys()


def test_a_new_image_gets_a_new_container_then_is_reused() -> None:
    old = ContainerState("netpoltest-old01", "busybox:1.36", "running")
    gateway = FakeGateway().add(make_pod("web-a", labels={LABEL_KEY: "true"}, ephemeral=(old,)))
    (first,) = prepare(gateway=gateway, sources=[WEB], options=OPTIONS)
    assert first.state is PrepState.READY
    assert [kind for kind, _ in gateway.calls] == ["add", "exec", "annotate"]
    assert first.container != "netpoltest-old01"
    (second,) = prepare(gateway=gateway, sources=[WEB], options=OPTIONS)
    assert second.state is PrepState.REUSED
    assert second.container == first.container
