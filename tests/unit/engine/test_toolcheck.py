"""prepare's tool check: one exec in the new container, and what prepare makes of the answer."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kubectl_netpoltest.cluster.execstatus import ExecStatus, ExecStatusKind
from kubectl_netpoltest.cluster.gateway import ExecResult, PodInfo
from kubectl_netpoltest.core.model import PodRef
from kubectl_netpoltest.engine.instrument import DEFAULT_IMAGE
from kubectl_netpoltest.engine.options import PrepareOptions
from kubectl_netpoltest.engine.prepare import PrepState, SourcePrep, prepare
from kubectl_netpoltest.errors import Forbidden
from tests.unit.engine.fakegateway import FakeGateway, make_pod

WEB = PodRef(name="web", namespace="shop", podname="web")
OPTIONS = PrepareOptions(image="example/probe:1", ttl_seconds=60, timeout_seconds=5)

AGNHOST = ["bash 5.2", "devudp yes", "nc openbsd", "getent ahosts", "dig yes", "timeout yes"]
BUSYBOX = ["bash -", "nc busybox", "getent -", "dig -", "timeout yes"]

Handler = Callable[[PodInfo, str, Sequence[str], Callable[[str], None]], ExecResult]


def answering(facts: list[str], *, done: bool = True) -> Handler:
    def handler(
        pod: PodInfo, container: str, argv: Sequence[str], on_line: Callable[[str], None]
    ) -> ExecResult:
        assert argv[:2] == ["sh", "-c"]  # POSIX sh: the check must run where bash is missing
        for fact in [*facts, *(["done yes"] if done else [])]:
            on_line(f"NPTC {fact}")
        return ExecResult(ExecStatus(ExecStatusKind.EXITED, 0), "")

    return handler


def run(handler: Handler, options: PrepareOptions = OPTIONS) -> tuple[FakeGateway, SourcePrep]:
    gateway = FakeGateway().add(make_pod("web-a"))
    gateway.exec_handler = handler
    (result,) = prepare(gateway=gateway, sources=[WEB], options=options)
    return gateway, result


def test_a_complete_image_is_ready_and_says_what_it_has() -> None:
    gateway, result = run(answering(AGNHOST))
    assert result.state is PrepState.READY
    assert result.tools == "bash 5.2, nc openbsd, getent ahosts, dig, timeout"
    assert result.warnings == ()
    assert [kind for kind, _ in gateway.calls] == ["label", "add", "exec", "annotate"]


def test_an_image_without_bash_fails_prepare_naming_the_image_to_use() -> None:
    _, result = run(answering(BUSYBOX))
    assert result.state is PrepState.FAILED
    message = result.message
    assert "example/probe:1 has no bash, so no probe can run" in message
    assert f"--image {DEFAULT_IMAGE}" in message
    assert "is running, but" in message


def test_a_getent_without_ahosts_is_a_warning_not_a_failure() -> None:
    facts = [f if f != "getent ahosts" else "getent hosts" for f in AGNHOST]
    _, result = run(answering(facts))
    assert result.state is PrepState.READY
    (warning,) = result.warnings
    assert "no `ahosts` database" in warning and "completed with dig" in warning
    assert result.message.endswith(f"is running; warning: {warning}")


def test_a_check_that_cannot_run_is_a_warning() -> None:
    def forbidden(*_: object) -> ExecResult:
        raise Forbidden('pods "web-a" is forbidden: cannot create resource "pods/exec"')

    _, result = run(forbidden)
    assert result.state is PrepState.READY
    (warning,) = result.warnings
    assert "could not check the tools in example/probe:1" in warning
    assert "pods/exec" in warning


def test_an_image_without_sh_fails_prepare() -> None:
    def no_sh(*_: object) -> ExecResult:
        status = ExecStatus(
            ExecStatusKind.EXEC_ERROR,
            None,
            'exec: "sh": executable file not found in $PATH: unknown',
        )
        return ExecResult(status, "")

    _, result = run(no_sh)
    assert result.state is PrepState.FAILED
    assert "has no sh" in result.message


def test_a_cut_off_check_never_reads_as_a_complete_image() -> None:
    _, result = run(answering(AGNHOST[:2], done=False))
    assert result.state is PrepState.READY
    (warning,) = result.warnings
    assert "the check did not finish" in warning


def test_the_check_can_be_turned_off() -> None:
    options = PrepareOptions(image="x:1", ttl_seconds=60, timeout_seconds=5, check_tools=False)
    gateway, result = run(answering(BUSYBOX), options)
    assert result.state is PrepState.READY
    assert "exec" not in [kind for kind, _ in gateway.calls]
