"""execute's plumbing: one exec per source pod, and every way a probe cannot run is an ERROR."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from kubectl_netpoltest.cluster.execstatus import ExecStatus, ExecStatusKind
from kubectl_netpoltest.cluster.gateway import ContainerState, ExecResult, PodInfo
from kubectl_netpoltest.core.model import (
    Expectation,
    HostTarget,
    PodRef,
    PodTarget,
    Probe,
    Protocol,
)
from kubectl_netpoltest.core.observation import Observation
from kubectl_netpoltest.core.verdict import Verdict
from kubectl_netpoltest.engine.execute import execute
from kubectl_netpoltest.engine.instrument import LABEL_KEY
from kubectl_netpoltest.engine.options import ExecuteOptions
from kubectl_netpoltest.errors import NotFound
from tests.unit.engine.fakegateway import FakeGateway, make_pod

WEB = PodRef(name="web", namespace="shop", podname="web")
API = PodRef(name="api", namespace="shop", podname="api")
DB = PodRef(name="db", namespace="shop", podname="db")
RUNNING = (ContainerState("netpoltest-abcde", "img", "running"),)
OPTIONS = ExecuteOptions(probe_timeout_seconds=1, attempts=1)


def _probe(source: PodRef, target: PodRef | str, port: int, expect: Expectation) -> Probe:
    tgt = PodTarget(target) if isinstance(target, PodRef) else HostTarget("a", target)
    return Probe(
        id=f"{source.name}->{tgt.label}:{port}",
        rule="r",
        source=source,
        target=tgt,
        port=port,
        protocol=Protocol.TCP,
        expect=expect,
    )


def _tcp_line(task: str, address: str, rc: int, message: str) -> str:
    """What the probe script prints for an IP-literal TCP probe: ADDR, then RES."""
    return (
        "\t".join(["NPT1", "ADDR", task, address, address])
        + "\n"
        + "\t".join(["NPT1", "RES", task, address, address, "tcp", "5", "1", str(rc), message])
    )


def _answer(
    lines_for: dict[str, list[str]],
) -> Callable[[PodInfo, str, Sequence[str], Callable[[str], None]], ExecResult]:
    def handler(
        pod: PodInfo, container: str, argv: Sequence[str], on_line: Callable[[str], None]
    ) -> ExecResult:
        if pod.name not in lines_for:
            raise NotFound(f'pods "{pod.name}" not found')
        lines = [x for line in lines_for[pod.name] for x in line.split("\n")]
        for line in lines:
            on_line(line)
        on_line("\t".join(["NPT1", "END", str(sum(1 for x in lines if "\tRES\t" in x))]))
        return ExecResult(ExecStatus(ExecStatusKind.EXITED, 0), "")

    return handler


def _gateway() -> FakeGateway:
    return FakeGateway().add(
        make_pod("web-a", labels={LABEL_KEY: "true"}, ephemeral=RUNNING, ips=("10.0.0.1",)),
        make_pod("api-a", labels={LABEL_KEY: "true"}, ephemeral=RUNNING, ips=("10.0.0.3",)),
        make_pod("db-a", ips=("10.0.0.2",)),
    )


def test_one_exec_per_source_and_verdicts_from_real_tool_messages() -> None:
    gateway = _gateway()
    gateway.exec_handler = _answer(
        {
            "web-a": [
                _tcp_line(
                    "p0", "10.0.0.2", 0, "Connection to 10.0.0.2 5432 port [tcp/*] succeeded!"
                ),
                _tcp_line(
                    "p1",
                    "10.0.0.2",
                    1,
                    "nc: connect to 10.0.0.2 port 22 (tcp) timed out: Operation now in progress",
                ),
            ],
            "api-a": [
                _tcp_line(
                    "p0",
                    "10.0.0.2",
                    1,
                    "nc: connect to 10.0.0.2 port 5432 (tcp) failed: Connection refused",
                )
            ],
        }
    )
    probes = [
        _probe(WEB, DB, 5432, Expectation.ALLOWED),
        _probe(WEB, DB, 22, Expectation.DENIED),
        _probe(API, DB, 5432, Expectation.DENIED),
    ]
    outcome = execute(
        gateway_factory=lambda: gateway, probes=probes, options=OPTIONS, spec_path="t.yaml"
    )
    assert outcome.exec_calls == 2
    assert [c for c in gateway.calls if c[0] == "exec"] == [
        ("exec", "shop/web-a netpoltest-abcde"),
        ("exec", "shop/api-a netpoltest-abcde"),
    ]
    assert [(r.verdict, r.observation) for r in outcome.results] == [
        (Verdict.PASS, Observation.CONNECTED),
        (Verdict.PASS, Observation.TIMEOUT),
        (Verdict.FAIL, Observation.REFUSED),
    ]
    assert outcome.results[0].address_text == "10.0.0.2"


def test_unprepared_source_and_missing_target_are_errors_that_say_what_to_do() -> None:
    gateway = _gateway()
    gateway.exec_handler = _answer({"web-a": []})
    ghost = PodRef(name="ghost", namespace="shop", podname="ghost")
    probes = [_probe(DB, WEB, 80, Expectation.ALLOWED), _probe(WEB, ghost, 80, Expectation.DENIED)]
    outcome = execute(
        gateway_factory=lambda: gateway, probes=probes, options=OPTIONS, spec_path="t.yaml"
    )
    first, second = outcome.results
    assert first.verdict is Verdict.ERROR
    assert first.reason == (
        "no prepared pod for db (shop/db*): it was never prepared, or the prepared pod is gone; "
        "run `kubectl netpoltest prepare t.yaml` again"
    )
    assert second.verdict is Verdict.ERROR
    assert second.reason.startswith("target pod ghost (shop/ghost*) not found")
    assert outcome.exec_calls == 0


def test_a_vanished_source_errors_its_probes_and_the_run_goes_on() -> None:
    gateway = _gateway()
    gateway.exec_handler = _answer(
        {
            "api-a": [
                _tcp_line(
                    "p0", "192.0.2.10", 0, "Connection to 192.0.2.10 443 port [tcp/*] succeeded!"
                )
            ]
        }
    )
    probes = [
        _probe(WEB, "192.0.2.10", 443, Expectation.ALLOWED),
        _probe(API, "192.0.2.10", 443, Expectation.ALLOWED),
    ]
    outcome = execute(
        gateway_factory=lambda: gateway, probes=probes, options=OPTIONS, spec_path="t.yaml"
    )
    lost, fine = outcome.results
    assert lost.verdict is Verdict.ERROR
    assert "vanished or lost its debug container since prepare" in lost.reason
    assert "run `kubectl netpoltest prepare t.yaml` again" in lost.reason
    assert fine.verdict is Verdict.PASS


def test_missing_exec_status_is_never_success() -> None:
    gateway = _gateway()

    def handler(
        pod: PodInfo, container: str, argv: Sequence[str], on_line: Callable[[str], None]
    ) -> ExecResult:
        return ExecResult(ExecStatus(ExecStatusKind.UNKNOWN, None, "no exec status received"), "")

    gateway.exec_handler = handler
    (result,) = execute(
        gateway_factory=lambda: gateway,
        probes=[_probe(WEB, DB, 5432, Expectation.DENIED)],
        options=OPTIONS,
        spec_path="t.yaml",
    ).results
    assert result.verdict is Verdict.ERROR
    assert "no exec status received" in result.reason


def test_a_huge_batch_is_split_so_the_exec_url_stays_under_the_api_servers_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("kubectl_netpoltest.engine.execplan.MAX_PROBES_PER_EXEC", 2)
    gateway = _gateway()
    gateway.exec_handler = _answer({"web-a": []})
    probes = [_probe(WEB, "192.0.2.10", port, Expectation.DENIED) for port in (1, 2, 3, 4, 5)]
    outcome = execute(
        gateway_factory=lambda: gateway, probes=probes, options=OPTIONS, spec_path="t.yaml"
    )
    assert outcome.exec_calls == 3
    assert len(outcome.results) == 5


def test_a_meshed_source_never_passes_on_a_tcp_connect() -> None:
    gateway = FakeGateway().add(
        make_pod(
            "web-a",
            labels={LABEL_KEY: "true"},
            ephemeral=RUNNING,
            containers=("istio-init", "main", "istio-proxy"),
        ),
        make_pod("db-a", ips=("10.0.0.2",)),
    )
    gateway.exec_handler = _answer(
        {
            "web-a": [
                _tcp_line(
                    "p0", "10.0.0.2", 0, "Connection to 10.0.0.2 5432 port [tcp/*] succeeded!"
                ),
                _tcp_line(
                    "p1",
                    "10.0.0.2",
                    1,
                    "nc: connect to 10.0.0.2 port 22 (tcp) timed out: Operation now in progress",
                ),
            ]
        }
    )
    probes = [_probe(WEB, DB, 5432, Expectation.ALLOWED), _probe(WEB, DB, 22, Expectation.DENIED)]
    connected, dropped = execute(
        gateway_factory=lambda: gateway, probes=probes, options=OPTIONS, spec_path="t.yaml"
    ).results
    assert connected.verdict is Verdict.ERROR and connected.inconclusive
    assert "istio-proxy sidecar" in connected.reason
    assert dropped.verdict is Verdict.PASS  # silence is still evidence of a drop


def _recording(
    lines_for: dict[str, list[str]], seen: list[Sequence[str]]
) -> Callable[[PodInfo, str, Sequence[str], Callable[[str], None]], ExecResult]:
    answer = _answer(lines_for)

    def handler(
        pod: PodInfo, container: str, argv: Sequence[str], on_line: Callable[[str], None]
    ) -> ExecResult:
        seen.append(list(argv))
        return answer(pod, container, argv, on_line)

    return handler


CONNECTED_5 = "Connection to {a} 5432 port [tcp/*] succeeded!"
TIMED_OUT_5 = "nc: connect to {a} port 5432 (tcp) timed out: Operation now in progress"


def test_a_target_is_never_the_probing_pod_itself() -> None:
    """Issue 9 item 1: `from: [db]` to `db` probed the source's own IP and passed."""
    gateway = FakeGateway().add(
        make_pod("db-a", labels={LABEL_KEY: "true"}, ephemeral=RUNNING, ips=("10.0.0.1",)),
        make_pod("db-b", ips=("10.0.0.5",)),
    )
    seen: list[Sequence[str]] = []
    gateway.exec_handler = _recording(
        {"db-a": [_tcp_line("p0", "10.0.0.5", 1, TIMED_OUT_5.format(a="10.0.0.5"))]}, seen
    )
    (result,) = execute(
        gateway_factory=lambda: gateway,
        probes=[_probe(DB, DB, 5432, Expectation.ALLOWED)],
        options=OPTIONS,
        spec_path="t.yaml",
    ).results
    (argv,) = seen
    assert "10.0.0.1" not in argv and "10.0.0.5" in argv
    assert result.verdict is Verdict.FAIL


def test_the_source_as_the_only_matching_target_is_an_error() -> None:
    gateway = FakeGateway().add(
        make_pod("db-a", labels={LABEL_KEY: "true"}, ephemeral=RUNNING, ips=("10.0.0.1",)),
    )
    gateway.exec_handler = _answer({"db-a": []})
    outcome = execute(
        gateway_factory=lambda: gateway,
        probes=[_probe(DB, DB, 5432, Expectation.DENIED)],
        options=OPTIONS,
        spec_path="t.yaml",
    )
    (result,) = outcome.results
    assert result.verdict is Verdict.ERROR
    assert result.reason.startswith(
        "the only pod matching db (shop/db*) is the source itself (shop/db-a); traffic to "
        "itself is not subject to NetworkPolicy"
    )
    assert outcome.exec_calls == 0


def test_an_unready_or_ipless_target_is_an_error_never_a_verdict() -> None:
    gateway = _gateway()
    gateway.add(make_pod("db-a", ips=("10.0.0.2",), ready=False))
    gateway.exec_handler = _answer(
        {"web-a": [_tcp_line("p0", "10.0.0.2", 1, TIMED_OUT_5.format(a="10.0.0.2"))]}
    )
    (result,) = execute(
        gateway_factory=lambda: gateway,
        probes=[_probe(WEB, DB, 5432, Expectation.DENIED)],
        options=OPTIONS,
        spec_path="t.yaml",
    ).results
    assert result.verdict is Verdict.ERROR
    assert "target pod shop/db-a is not Ready" in result.reason


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ("delete", "target pod shop/db-a was deleted during the probe"),
        ("replace", "target pod shop/db-a was replaced during the probe"),
    ],
)
def test_a_target_deleted_or_replaced_during_the_exec_is_an_error(change: str, words: str) -> None:
    """Issue 9 item 2: probes to a stale IP time out, and a deny test passed on them."""
    from dataclasses import replace

    gateway = _gateway()
    answer = _answer({"web-a": [_tcp_line("p0", "10.0.0.2", 1, TIMED_OUT_5.format(a="10.0.0.2"))]})

    def handler(
        pod: PodInfo, container: str, argv: Sequence[str], on_line: Callable[[str], None]
    ) -> ExecResult:
        old = gateway.pods.pop("shop/db-a")
        if change == "replace":
            gateway.add(replace(old, uid="uid-db-a-2"))
        return answer(pod, container, argv, on_line)

    gateway.exec_handler = handler
    (result,) = execute(
        gateway_factory=lambda: gateway,
        probes=[_probe(WEB, DB, 5432, Expectation.DENIED)],
        options=OPTIONS,
        spec_path="t.yaml",
    ).results
    assert result.verdict is Verdict.ERROR
    assert result.reason.startswith(words)


def test_dual_stack_reports_the_observation_that_decided_the_verdict() -> None:
    """Issue 9 item 3: IPv4 connected, IPv6 timed out: FAIL, and the observation is timeout."""
    gateway = _gateway()
    gateway.add(make_pod("db-a", ips=("10.0.0.2", "fd00::2")))
    gateway.exec_handler = _answer(
        {
            "web-a": [
                _tcp_line("p0.0", "10.0.0.2", 0, CONNECTED_5.format(a="10.0.0.2")),
                _tcp_line("p0.1", "fd00::2", 1, TIMED_OUT_5.format(a="fd00::2")),
            ]
        }
    )
    (result,) = execute(
        gateway_factory=lambda: gateway,
        probes=[_probe(WEB, DB, 5432, Expectation.ALLOWED)],
        options=OPTIONS,
        spec_path="t.yaml",
    ).results
    assert (result.verdict, result.observation) == (Verdict.FAIL, Observation.TIMEOUT)
    assert result.address_text == "10.0.0.2, fd00::2"
    assert [a.observation for a in result.addresses] == [
        Observation.CONNECTED,
        Observation.TIMEOUT,
    ]


def test_a_probe_error_names_its_cause_in_one_short_line() -> None:
    """Issue 9 item 10: each reason carried the ~9 KB probe script (69 KB JUnit for 8 probes)."""
    gateway = _gateway()
    script = "set -u\n" + 'probe() { nc -vz -w 1 "$1" "$2"; }\n' * 300

    def handler(
        pod: PodInfo, container: str, argv: Sequence[str], on_line: Callable[[str], None]
    ) -> ExecResult:
        raise NotFound(
            f'pods "{pod.name}" not found: exec [bash -c {script} netpoltest 5] '
            "in container netpoltest-abcde"
        )

    gateway.exec_handler = handler
    probes = [_probe(WEB, "192.0.2.10", port, Expectation.DENIED) for port in (1, 2)]
    outcome = execute(
        gateway_factory=lambda: gateway, probes=probes, options=OPTIONS, spec_path="t.yaml"
    )
    for result in outcome.results:
        assert result.verdict is Verdict.ERROR
        texts = [result.reason, *(a.detail for a in result.addresses)]
        assert all("\n" not in text and len(text) < 600 for text in texts), texts
        assert 'pods "web-a" not found' in result.reason
        assert "nc -vz" not in result.reason


def test_a_refusal_on_a_port_that_connected_in_the_same_run_is_not_nothing_listens() -> None:
    """Issue 9 item 15: drop mode on a rejecting CNI said "nothing listens on 8080" although
    another source connected to the same pod:port in the same run."""
    gateway = _gateway()
    connected = "Connection to 10.0.0.2 8080 port [tcp/*] succeeded!"
    refused = "nc: connect to 10.0.0.2 port 8080 (tcp) failed: Connection refused"
    gateway.exec_handler = _answer(
        {
            "web-a": [_tcp_line("p0", "10.0.0.2", 0, connected)],
            "api-a": [
                _tcp_line("p0", "10.0.0.2", 1, refused),
                _tcp_line("p1", "10.0.0.2", 1, refused),
            ],
        }
    )
    from dataclasses import replace

    allowed = _probe(API, DB, 8080, Expectation.ALLOWED)
    probes = [
        _probe(WEB, DB, 8080, Expectation.ALLOWED),
        allowed,
        replace(allowed, id="api->db:8080 denied", rule="r2", expect=Expectation.DENIED),
    ]
    outcome = execute(
        gateway_factory=lambda: gateway, probes=probes, options=OPTIONS, spec_path="t.yaml"
    )
    for result in outcome.results[1:]:
        assert result.verdict is Verdict.FAIL
        assert "nothing listens" not in result.reason
        assert "from shop/web-a" in result.reason
        assert "--cni-mode reject" in result.reason
