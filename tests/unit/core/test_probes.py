"""Probe argv building, the line format, and tool output → Observation.

Every message below is verbatim output captured from the real tools (netcat-openbsd 1.219,
bash 5.2.15 /dev/udp, dig 9.18.49, glibc getent, coreutils/busybox timeout) against real
packets in network namespaces; see tests/netns/test_probe_script.py for the live run.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from kubectl_netpoltest.core.model import Protocol
from kubectl_netpoltest.core.observation import Observation
from kubectl_netpoltest.core.probe.batch import assemble_batch
from kubectl_netpoltest.core.probe.command import build_batch_command
from kubectl_netpoltest.core.probe.lines import (
    AddressesLine,
    Attempt,
    BeginLine,
    EndLine,
    ProbeResultLine,
    TaskErrorLine,
    parse_line,
)
from kubectl_netpoltest.core.probe.observe import observe
from kubectl_netpoltest.core.probe.script import SCRIPT
from kubectl_netpoltest.core.probe.task import ProbeTask, method_for


def parse_result_line(line: str) -> ProbeResultLine | None:
    """The RES line in `line`, or None for any other line."""
    parsed = parse_line(line)
    return parsed if isinstance(parsed, ProbeResultLine) else None

TCP, UDP = Protocol.TCP, Protocol.UDP
CONNECTED, REFUSED, REJECTED = Observation.CONNECTED, Observation.REFUSED, Observation.REJECTED
TIMEOUT, NO_REPLY, DNS_FAIL = Observation.TIMEOUT, Observation.NO_REPLY, Observation.DNS_FAIL
PROBE_ERROR = Observation.PROBE_ERROR


def task(
    probe_id: str = "web->db:5432/tcp",
    host: str = "10.0.0.7",
    port: int = 5432,
    protocol: Protocol = TCP,
) -> ProbeTask:
    return ProbeTask(probe_id=probe_id, host=host, port=port, protocol=protocol)


# --- argv -------------------------------------------------------------------------------------


def test_argv_is_constant_script_plus_plain_arguments() -> None:
    argv = build_batch_command(
        tasks=[
            task(),
            task("web->github.com:443/tcp", "github.com", 443),
            task("web->fd00::53:53/udp", "fd00::53", 53, UDP),
            task("web->10.0.0.9:9999/udp", "10.0.0.9", 9999, UDP),
        ],
        timeout_seconds=2,
        attempts=3,
        parallelism=8,
    )
    assert argv[:4] == ["bash", "-c", SCRIPT, "netpoltest"]
    assert argv[4:8] == ["2", "3", "8", "5"]  # dns timeout defaults to max(5, 2 x timeout)
    assert argv[8:] == [
        "web->db:5432/tcp",
        "10.0.0.7",
        "5432",
        "tcp",
        "web->github.com:443/tcp",
        "github.com",
        "443",
        "tcp",
        "web->fd00::53:53/udp",
        "fd00::53",
        "53",
        "dns",
        "web->10.0.0.9:9999/udp",
        "10.0.0.9",
        "9999",
        "udp",
    ]


@pytest.mark.parametrize(
    ("port", "protocol", "method"),
    [
        (53, TCP, "tcp"),
        (53, UDP, "dns"),
        (5353, UDP, "udp"),
        (80, TCP, "tcp"),
    ],
)
def test_method_for(port: int, protocol: Protocol, method: str) -> None:
    assert method_for(port=port, protocol=protocol) == method


@pytest.mark.parametrize(
    "host",
    [
        "$(reboot)",
        "`id`",
        "a;b",
        "a b",
        "a|b",
        "a&b",
        "a>b",
        "x\nid",
        "-e/bin/sh",
        "--help",
        "@10.0.0.1",
        "+short",
        "fe80::1%eth0",
        "fe80::1%$(id)",
        "",
        "a..b",
        "1.2.3",
        "300.1.1.1",
        "10.0.0.0/24",
        "a" * 64 + ".com",
        "host\t",
        "é.com",
    ],
)
def test_hostile_or_invalid_hosts_are_rejected(host: str) -> None:
    with pytest.raises(ValueError):
        task(host=host)


@pytest.mark.parametrize(
    "probe_id",
    [
        "",
        "a b",
        "a\tb",
        "a\nb",
        "a\\b",
        "$(id)",
        "`id`",
        "a;b",
        "a|b",
        "'q'",
        '"q"',
        "-x",
        "x" * 257,
    ],
)
def test_bad_probe_ids_are_rejected(probe_id: str) -> None:
    with pytest.raises(ValueError):
        task(probe_id=probe_id)


@pytest.mark.parametrize("port", [0, -1, 65536, True, "80", 80.0])
def test_bad_ports_are_rejected(port: object) -> None:
    with pytest.raises(ValueError):
        task(port=port)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "host",
    [
        "github.com",
        "github.com.",
        "10.0.0.1",
        "::1",
        "fd00::1",
        "kube-dns.kube-system.svc.cluster.local",
        "_sip._udp.x.org",
    ],
)
def test_valid_hosts(host: str) -> None:
    assert task(host=host).host == host


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timeout_seconds", 0),
        ("timeout_seconds", 61),
        ("attempts", 0),
        ("attempts", 6),
        ("parallelism", 0),
        ("parallelism", 65),
        ("dns_timeout_seconds", 0),
    ],
)
def test_bounds(field: str, value: int) -> None:
    kwargs = {"timeout_seconds": 1, "attempts": 3, "parallelism": 4, field: value}
    with pytest.raises(ValueError):
        build_batch_command(tasks=[task()], **kwargs)


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="twice"):
        build_batch_command(tasks=[task(), task()], timeout_seconds=1, attempts=1, parallelism=1)


def test_a_mutated_task_is_revalidated() -> None:
    bad = task()
    object.__setattr__(bad, "host", "$(id)")
    with pytest.raises(ValueError):
        build_batch_command(tasks=[bad], timeout_seconds=1, attempts=1, parallelism=1)


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_script_never_executes_metacharacters(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # No network is touched: every hostile task is refused by the script's own checks.
    marker = tmp_path / "pwned"
    argv = ["bash", "-c", SCRIPT, "netpoltest", "1", "1", "2", "1"]
    for host in (
        f"$(touch {marker})",
        f"`touch {marker}`",
        f"x;touch {marker}",
        f"x&&touch {marker}",
        f"x\ntouch {marker}",
    ):
        argv += ["id", host, "80", "tcp"]
    argv += ["id", "10.0.0.1", f"1;touch {marker}", "tcp", "id", "10.0.0.1", "80", "sh"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=True)
    assert not marker.exists()
    lines = done.stdout.splitlines()
    assert lines[0] == "NPT1\tBEGIN\t7\t1\t1\t2"
    assert lines[-1] == "NPT1\tEND\t7"
    assert sorted(lines[1:-1]) == ["NPT1\tERR\tid\tinvalid probe arguments"] * 7


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_script_rejects_bad_global_arguments() -> None:
    done = subprocess.run(
        ["bash", "-c", SCRIPT, "netpoltest", "1", "$(id)", "1", "1"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == "NPT1\tFATAL\tbad arguments\n"


# --- lines ------------------------------------------------------------------------------------

REAL_LINES = {
    "open": "NPT1\tRES\tt-open\t10.231.0.2\t10.231.0.2\ttcp\t5\t1\t0\t"
    "Connection to 10.231.0.2 8080 port [tcp/*] succeeded!",
    "drop": "NPT1\tRES\tt-drop\t10.231.0.2\t10.231.0.2\ttcp\t3013\t3"
    + "\t1\tnc: connect to 10.231.0.2 port 8082 (tcp) timed out: Operation now in progress" * 3,
    "dns-drop": "NPT1\tRES\td-drop\t10.231.0.3\t10.231.0.3\tdns\t1030\t1\t9\t"
    ";; communications error to 10.231.0.3#53: timed out\\n;; no servers could be "
    "reached",
    "nxdomain": "NPT1\tRES\tn-nx\tnope.npth3.test\t-\tresolve\t32\t1\t2\t"
    ";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 25851",
}


def test_parse_real_result_lines() -> None:
    drop = parse_result_line(REAL_LINES["drop"])
    assert drop is not None
    assert (drop.probe_id, drop.host, drop.address, drop.method, drop.elapsed_ms) == (
        "t-drop",
        "10.231.0.2",
        "10.231.0.2",
        "tcp",
        3013,
    )
    assert len(drop.attempts) == 3
    assert drop.attempts[0] == Attempt(
        1, "nc: connect to 10.231.0.2 port 8082 (tcp) timed out: Operation now in progress"
    )
    dns = parse_result_line(REAL_LINES["dns-drop"])
    assert dns is not None
    assert dns.attempts[0].message == (
        ";; communications error to 10.231.0.3#53: timed out\n;; no servers could be reached"
    )
    nx = parse_result_line(REAL_LINES["nxdomain"])
    assert nx is not None and nx.address is None and nx.method == "resolve"


def test_parse_other_lines() -> None:
    assert parse_line("NPT1\tBEGIN\t20\t1\t3\t8") == BeginLine(20, 1, 3, 8)
    assert parse_line("NPT1\tADDR\tn-web\tweb.npth3.test\tfd00:231::2,10.231.0.2") == AddressesLine(
        "n-web", "web.npth3.test", ("fd00:231::2", "10.231.0.2")
    )
    assert parse_line("NPT1\tERR\tx\tinvalid probe arguments") == TaskErrorLine(
        "x", "invalid probe arguments"
    )
    assert parse_line("NPT1\tEND\t20\n") == EndLine(20)


def test_escapes_round_trip() -> None:
    line = "NPT1\tRES\ta\\\\b\th\t1.2.3.4\ttcp\t1\t1\t1\tx\\ty\\nz\\\\n\\rq\\"
    parsed = parse_result_line(line)
    assert parsed is not None
    assert parsed.probe_id == "a\\b"
    assert parsed.attempts[0].message == "x\ty\nz\\n\rq\\"


@pytest.mark.parametrize(
    "line",
    [
        "",
        "hello",
        "NPT2\tEND\t1",
        "NPT1",
        "NPT1\tEND",
        "NPT1\tEND\tx",
        "NPT1\tRES\tid\th\ta\ttcp\t5\t2\t0\tonly one attempt",
        "NPT1\tRES\tid\th\ta\tsctp\t5\t1\t0\tx",
        "NPT1\tRES\tid\th\ta\ttcp\tfast\t1\t0\tx",
        "NPT1\tRES\tid\th\ta\ttcp\t5\t0",
        "NPT1\tRES\tid\th\ta\ttcp\t5\t1\tzero\tx",
        "NPT1\tADDR\tid\th\t",
        "NPT1\tRES\tt-open\t10.231.0.2\t10.231.0.2\ttcp\t5\t1\t0\tConnection to 10.231.0.2 8",
        # a torn line: the start of one result glued to another
        "NPT1\tRES\tt-open\t10.231.0.2\t10.231.0.2\ttcp\t5\t1\t0NPT1\tRES\tx",
    ],
)
def test_malformed_lines_parse_to_none(line: str) -> None:
    # The truncated "Connection to ... 8" line is well formed: it is only the message that is
    # short. Everything else must not parse.
    parsed = parse_line(line)
    if line.endswith("Connection to 10.231.0.2 8"):
        assert parsed is not None
    else:
        assert parsed is None


# --- observation ------------------------------------------------------------------------------


def res(
    method: str,
    *attempts: tuple[int, str],
    host: str = "10.231.0.2",
    address: str | None = "10.231.0.2",
) -> ProbeResultLine:
    return ProbeResultLine(
        probe_id="p",
        host=host,
        address=address,
        method=method,
        elapsed_ms=1,
        attempts=tuple(Attempt(c, m) for c, m in attempts),
    )


NC_TIMEOUT = "nc: connect to 10.231.0.2 port 8082 (tcp) timed out: Operation now in progress"
NC = {
    "ok": (0, "Connection to 10.231.0.2 8080 port [tcp/*] succeeded!"),
    "ok6": (0, "Connection to fd00:231::2 8080 port [tcp/*] succeeded!"),
    "refused": (1, "nc: connect to 10.231.0.2 port 8081 (tcp) failed: Connection refused"),
    "noroute": (1, "nc: connect to 10.231.0.2 port 8084 (tcp) failed: No route to host"),
    "eacces": (1, "nc: connect to fd00:231::2 port 8084 (tcp) failed: Permission denied"),
    "netunreach": (1, "nc: connect to 10.99.0.1 port 80 (tcp) failed: Network is unreachable"),
    "timeout": (1, NC_TIMEOUT),
    "busybox": (
        1,
        "nc: invalid option -- 'v'\nBusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) "
        "multi-call binary.",
    ),
    "missing": (127, "environment: line 69: nc: command not found"),
    "silent0": (0, ""),
}
UDP_MSG = {
    "reply": (0, "reply received"),
    "silence": (10, "no reply"),
    "refused": (5, "environment: line 75: read: read error: 0: Connection refused"),
    "noroute": (5, "environment: line 75: read: read error: 0: No route to host"),
    "eacces": (5, "environment: line 75: read: read error: 0: Permission denied"),
    "eperm": (4, "environment: line 74: printf: write error: Operation not permitted"),
    "nodevudp": (3, "environment: line 70: /dev/udp/10.0.0.1/9: No such file or directory"),
}
DIG = {
    "answer": (0, ";; ->>HEADER<<- opcode: QUERY, status: REFUSED, id: 10680"),
    "echo": (
        0,
        ";; Warning: query response not set\n"
        ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 11786",
    ),
    "timeout": (
        9,
        ";; communications error to 10.231.0.3#53: timed out\n;; no servers could be reached",
    ),
    "refused": (
        9,
        ";; communications error to 10.231.0.2#9: connection refused\n"
        ";; no servers could be reached",
    ),
    "hostunreach": (
        9,
        ";; communications error to 10.231.0.2#11: host unreachable\n"
        ";; no servers could be reached",
    ),
    "eacces6": (
        9,
        ";; communications error to fd00:231::2#11: permission denied\n"
        ";; no servers could be reached",
    ),
    "old-timeout": (9, ";; connection timed out; no servers could be reached"),
    "missing": (127, "environment: line 80: dig: command not found"),
}


@pytest.mark.parametrize(
    ("method", "attempts", "observation", "detail"),
    [
        ("tcp", [NC["ok"]], CONNECTED, "connected"),
        ("tcp", [NC["ok6"]], CONNECTED, "connected"),
        ("tcp", [NC["refused"]], REFUSED, "connection refused"),
        ("tcp", [NC["noroute"]], REJECTED, "no route to host"),
        ("tcp", [NC["eacces"]], REJECTED, "permission denied"),
        ("tcp", [NC["netunreach"]], PROBE_ERROR, "network is unreachable"),
        ("tcp", [NC["timeout"]] * 3, TIMEOUT, "no answer within 1s (3 attempts)"),
        ("tcp", [NC["timeout"], NC["timeout"], NC["ok"]], CONNECTED, "on attempt 3 of 3"),
        ("tcp", [NC["timeout"], NC["refused"]], REFUSED, "after 1 unanswered attempt)"),
        ("tcp", [NC["timeout"], NC["noroute"]], REJECTED, "no route to host"),
        ("tcp", [NC["ok"], NC["noroute"]], PROBE_ERROR, "inconsistent"),
        ("tcp", [NC["refused"], NC["noroute"]], PROBE_ERROR, "inconsistent"),
        ("tcp", [NC["timeout"], NC["missing"]], PROBE_ERROR, "nc could not run"),
        ("tcp", [NC["busybox"]], PROBE_ERROR, "unexpected nc output"),
        ("tcp", [NC["missing"]], PROBE_ERROR, "command not found"),
        ("tcp", [NC["silent0"]], PROBE_ERROR, "without reporting a connection"),
        ("udp", [UDP_MSG["reply"]], CONNECTED, "reply received"),
        (
            "udp",
            [UDP_MSG["silence"]] * 3,
            NO_REPLY,
            "no reply and no ICMP error within 1s (3 attempts, 9 datagrams)",
        ),
        ("udp", [UDP_MSG["silence"], UDP_MSG["reply"]], CONNECTED, "on attempt 2 of 2"),
        ("udp", [UDP_MSG["refused"]], REFUSED, "ICMP port unreachable"),
        ("udp", [UDP_MSG["noroute"]], REJECTED, "no route to host"),
        ("udp", [UDP_MSG["eacces"]], REJECTED, "permission denied"),
        ("udp", [UDP_MSG["eperm"]], PROBE_ERROR, "Operation not permitted"),
        ("udp", [UDP_MSG["nodevudp"]], PROBE_ERROR, "/dev/udp"),
        ("udp", [(1, "")], PROBE_ERROR, "unexpected UDP probe output"),
        ("udp", [(0, "no reply")], PROBE_ERROR, "unexpected"),
        ("dns", [DIG["answer"]], CONNECTED, "DNS server answered (status REFUSED)"),
        ("dns", [DIG["echo"]], CONNECTED, "status NOERROR"),
        ("dns", [DIG["timeout"]] * 2, TIMEOUT, "no answer within 1s (2 attempts)"),
        ("dns", [DIG["old-timeout"]], TIMEOUT, "no answer"),
        ("dns", [DIG["refused"]], REFUSED, "connection refused"),
        ("dns", [DIG["hostunreach"]], REJECTED, "no route to host"),
        ("dns", [DIG["eacces6"]], REJECTED, "permission denied"),
        ("dns", [DIG["missing"]], PROBE_ERROR, "dig could not run"),
        ("dns", [(10, "dig: couldn't get address")], PROBE_ERROR, "unexpected dig output"),
    ],
)
def test_observe_real_tool_output(
    method: str, attempts: list[tuple[int, str]], observation: Observation, detail: str
) -> None:
    outcome = observe(res(method, *attempts), timeout_seconds=1)
    assert outcome.observation is observation
    assert detail in outcome.detail


@pytest.mark.parametrize(
    ("attempt", "observation", "detail"),
    [
        (
            (2, ";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 25851"),
            DNS_FAIL,
            "name resolution failed: github.com: name not found (DNS status NXDOMAIN)",
        ),
        ((2, ""), DNS_FAIL, "name resolution failed: github.com: name not found"),
        (
            (
                124,
                ";; communications error to 10.231.0.3#53: timed out\n"
                ";; no servers could be reached",
            ),
            DNS_FAIL,
            "name resolution failed: github.com: no answer within 5s (communications error to "
            "10.231.0.3#53: timed out)",
        ),
        ((143, "Terminated"), DNS_FAIL, "no answer within 5s"),
        ((0, "garbage"), DNS_FAIL, "no usable address"),
        (
            (127, "environment: line 50: timeout: command not found"),
            PROBE_ERROR,
            "could not resolve github.com: environment: line 50: timeout: command not found",
        ),
        (
            (127, "no name resolution tool in the debug container: it has neither getent nor dig"),
            PROBE_ERROR,
            "could not resolve github.com: no name resolution tool in the debug container",
        ),
        ((1, "Usage: getent database [key ...]"), PROBE_ERROR, "getent exited 1"),
    ],
)
def test_observe_name_resolution(
    attempt: tuple[int, str], observation: Observation, detail: str
) -> None:
    outcome = observe(
        res("resolve", attempt, host="github.com", address=None), dns_timeout_seconds=5
    )
    assert outcome.observation is observation
    assert detail in outcome.detail


# --- whole batch ------------------------------------------------------------------------------


def _tasks() -> list[ProbeTask]:
    return [
        task("a", "10.231.0.2", 8080),
        task("b", "web.npth3.test", 8080),
        task("c", "nope.npth3.test", 80),
        task("d", "10.231.0.2", 9, UDP),
    ]


COMPLETE = [
    "NPT1\tBEGIN\t4\t1\t3\t8",
    "NPT1\tADDR\ta\t10.231.0.2\t10.231.0.2",
    "NPT1\tADDR\tb\tweb.npth3.test\tfd00:231::2,10.231.0.2",
    "noise from somewhere",
    "NPT1\tRES\ta\t10.231.0.2\t10.231.0.2\ttcp\t5\t1\t0\t"
    "Connection to 10.231.0.2 8080 port [tcp/*] succeeded!",
    "NPT1\tRES\tb\tweb.npth3.test\tfd00:231::2\ttcp\t4\t1\t0\t"
    "Connection to fd00:231::2 8080 port [tcp/*] succeeded!",
    "NPT1\tRES\tc\tnope.npth3.test\t-\tresolve\t32\t1\t2\t"
    ";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 25851",
    "NPT1\tRES\tb\tweb.npth3.test\t10.231.0.2\ttcp\t5\t1\t1\t"
    "nc: connect to 10.231.0.2 port 8080 (tcp) failed: Connection refused",
    "NPT1\tERR\td\tinvalid probe arguments",
    "NPT1\tEND\t4",
]


def test_assemble_complete_batch() -> None:
    batch = assemble_batch(tasks=_tasks(), lines=COMPLETE, timeout_seconds=1)
    assert batch.complete and not batch.problems
    got = {
        pid: [(o.address, o.outcome.observation) for o in outs]
        for pid, outs in batch.outcomes.items()
    }
    assert got == {
        "a": [("10.231.0.2", CONNECTED)],
        "b": [("fd00:231::2", CONNECTED), ("10.231.0.2", REFUSED)],
        "c": [(None, DNS_FAIL)],
        "d": [(None, PROBE_ERROR)],
    }


def test_truncated_stream_turns_missing_results_into_probe_errors() -> None:
    # The stream stops after b's first address: b's second address and everything after it
    # must be PROBE_ERROR, never silently absent (which a caller could read as "blocked").
    batch = assemble_batch(tasks=_tasks(), lines=COMPLETE[:6], timeout_seconds=1)
    assert not batch.complete
    b = [(o.address, o.outcome.observation) for o in batch.outcomes["b"]]
    assert b == [("fd00:231::2", CONNECTED), ("10.231.0.2", PROBE_ERROR)]
    assert batch.outcomes["c"][0].outcome.observation is PROBE_ERROR
    assert "ended early" in batch.outcomes["c"][0].outcome.detail


def test_wrong_trailer_and_unknown_ids_are_reported() -> None:
    lines = [*COMPLETE[:-1], "NPT1\tRES\tzzz\th\t1.1.1.1\ttcp\t1\t1\t1\tx", "NPT1\tEND\t3"]
    batch = assemble_batch(tasks=_tasks(), lines=lines)
    assert not batch.complete
    assert any("zzz" in p for p in batch.problems)
    assert any("trailer" in p for p in batch.problems)


def test_duplicate_result_is_an_error() -> None:
    lines = [*COMPLETE[:5], COMPLETE[4], *COMPLETE[5:]]
    batch = assemble_batch(tasks=_tasks(), lines=lines)
    assert batch.outcomes["a"][0].outcome.observation is PROBE_ERROR
