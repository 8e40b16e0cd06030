"""execute with --ip-family and with replicas: what each exec is asked to try (fake cluster)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from kubectl_netpoltest.cluster.execstatus import ExecStatus, ExecStatusKind
from kubectl_netpoltest.cluster.gateway import ContainerState, ExecResult, PodInfo
from kubectl_netpoltest.core.ipfamily import IpFamily
from kubectl_netpoltest.core.model import (
    Expectation,
    HostTarget,
    PodRef,
    PodTarget,
    Probe,
    Protocol,
)
from kubectl_netpoltest.core.verdict import Verdict
from kubectl_netpoltest.engine.execute import execute
from kubectl_netpoltest.engine.instrument import LABEL_KEY
from kubectl_netpoltest.engine.options import ExecuteOptions
from tests.unit.engine.fakegateway import FakeGateway, make_pod

WEB = PodRef(name="web", namespace="shop", podname="web")
DB = PodRef(name="db", namespace="shop", podname="db")
RUNNING = (ContainerState("netpoltest-abcde", "img", "running"),)


def _probe(expect: Expectation = Expectation.DENIED) -> Probe:
    return Probe("web->db", "r", WEB, PodTarget(DB), 5432, Protocol.TCP, expect)


def _run(family: IpFamily, *db: PodInfo) -> tuple[list[str], str, Verdict]:
    asked: list[str] = []

    def handler(
        pod: PodInfo, container: str, argv: Sequence[str], on_line: Callable[[str], None]
    ) -> ExecResult:
        asked.extend(a for a in argv if a.count(".") == 3 or ":" in a)
        on_line("\t".join(["NPT1", "END", "0"]))
        return ExecResult(ExecStatus(ExecStatusKind.EXITED, 0), "")

    gateway = FakeGateway(exec_handler=handler).add(
        make_pod("web-a", labels={LABEL_KEY: "true"}, ephemeral=RUNNING, ips=("10.0.0.1",)), *db
    )
    outcome = execute(
        gateway_factory=lambda: gateway,
        probes=[_probe()],
        options=ExecuteOptions(probe_timeout_seconds=1, attempts=1, ip_family=family),
        spec_path="t.yaml",
    )
    result = outcome.results[0]
    return asked, result.reason, result.verdict


def test_ip_family_6_probes_only_the_ipv6_address_of_a_dual_stack_pod() -> None:
    asked, _, _ = _run(IpFamily.V6, make_pod("db-a", ips=("10.0.0.2", "fd00::2")))
    assert "fd00::2" in asked and "10.0.0.2" not in asked


def test_a_target_without_the_family_asked_is_an_error_without_an_exec() -> None:
    asked, reason, verdict = _run(IpFamily.V6, make_pod("db-a", ips=("10.0.0.2",)))
    assert verdict is Verdict.ERROR and asked == []
    assert reason == "target pod/db has no IPv6 address (--ip-family 6; it has 10.0.0.2)"


def test_every_ready_replica_is_tried_and_the_unready_one_is_not() -> None:
    asked, _, _ = _run(
        IpFamily.ANY,
        make_pod("db-a", ips=("10.0.0.2",)),
        replace(make_pod("db-b", ips=("10.0.0.3",)), node="node-2"),
        make_pod("db-c", ips=("10.0.0.4",), ready=False),
    )
    assert "10.0.0.2" in asked and "10.0.0.3" in asked and "10.0.0.4" not in asked


def _name_run(family: IpFamily) -> tuple[Verdict, str, list[str | None]]:
    def handler(
        pod: PodInfo, container: str, argv: Sequence[str], on_line: Callable[[str], None]
    ) -> ExecResult:
        on_line("\t".join(["NPT1", "ADDR", "p0", "db.example", "10.9.0.9,fd00::9"]))
        for address in ("10.9.0.9", "fd00::9"):
            said = f"Connection to {address} 80 port [tcp/http] succeeded!"
            on_line(
                "\t".join(["NPT1", "RES", "p0", "db.example", address, "tcp", "5", "1", "0", said])
            )
        on_line("\t".join(["NPT1", "END", "2"]))
        return ExecResult(ExecStatus(ExecStatusKind.EXITED, 0), "")

    gateway = FakeGateway(exec_handler=handler).add(
        make_pod("web-a", labels={LABEL_KEY: "true"}, ephemeral=RUNNING, ips=("10.0.0.1",))
    )
    probe = Probe(
        "web->db", "r", WEB, HostTarget("db", "db.example"), 80, Protocol.TCP, Expectation.ALLOWED
    )
    outcome = execute(
        gateway_factory=lambda: gateway,
        probes=[probe],
        options=ExecuteOptions(probe_timeout_seconds=1, attempts=1, ip_family=family),
        spec_path="t.yaml",
    )
    result = outcome.results[0]
    return result.verdict, result.reason, [a.address for a in result.addresses]


def test_a_name_keeps_only_the_addresses_of_the_family_asked() -> None:
    verdict, _, addresses = _name_run(IpFamily.V6)
    assert verdict is Verdict.PASS and addresses == ["fd00::9"]
    _, _, both = _name_run(IpFamily.ANY)
    assert both == ["10.9.0.9", "fd00::9"]
