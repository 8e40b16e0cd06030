"""doctor on the least-privilege user of examples/sandbox-scenario-richer (`tester`): it may get
replicasets and deployments but not statefulsets or daemonsets, and prepare, execute and
cleanup all work for it (cleanup decides from Ready pods; the workload read is only a hint).
doctor FAILed it (exit 4); a gap that costs only the hint is a WARN that says so."""

from __future__ import annotations

from kubectl_netpoltest.core.findings import Area, Status
from tests.unit.engine.fakegateway import make_pod
from tests.unit.engine.test_doctor import FakeInspector, details, doctor


def test_missing_workload_reads_only_warn_and_say_what_they_cost() -> None:
    inspector = FakeInspector(
        pods={"shop": [details(make_pod("web-1"))]},
        denied={("shop", "get", "statefulsets.apps"), ("shop", "get", "daemonsets.apps")},
    )
    found = doctor(inspector, "web")[(Area.PERMISSIONS, "namespace shop")]
    assert found.status is Status.WARN
    assert "get statefulsets.apps" in found.message
    assert "enough for prepare/execute/cleanup" in found.message
    assert "generate and enforce-time lack" not in found.message, (
        "the workload reads are cleanup's hint, not generate's"
    )


def test_a_namespace_that_does_not_exist_fails_instead_of_reading_as_privileged() -> None:
    """Found on the sandbox: `doctor -n doesnotexist` said 'Pod Security enforce level:
    privileged (no enforce label)' and exited 0 (a typo passed every check)."""

    class Missing(FakeInspector):
        def get_namespace(self, *, name: str) -> None:
            return None

    found = doctor(Missing(pods={}), "web")[(Area.POD_SECURITY, "namespace shop")]
    assert found.status is Status.FAIL
    assert "namespace shop does not exist" in found.message
    assert "privileged" not in found.message
