"""The probe script against real packets, in throwaway network namespaces.

Why: the parsers in `core/probeoutcome.py` are only as good as the tool messages they were
written against. This module runs `build_batch_command`'s argv for real, as a non-root uid
(like the debug container), between two namespaces of its own:

    npth3-c-<tok> (client, 10.231.0.1, fd00:231::1)  ==veth==  npth3-s-<tok> (server, .2/.3, ::2)

The server namespace has a TCP listener, a UDP echo and a UDP sink, dnsmasq, and an nftables
*input* hook that drops or rejects chosen ports (never the client's output hook: a local drop
turns UDP silence into EPERM, probing-notes §12). Nothing touches the root namespace.

It lives outside tests/sandbox because that package must never import the product.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kubectl_netpoltest.core.model import Expectation, Protocol
from kubectl_netpoltest.core.observation import Observation
from kubectl_netpoltest.core.probe.batch import assemble_batch
from kubectl_netpoltest.core.probe.command import build_batch_command
from kubectl_netpoltest.core.probe.script import SCRIPT
from kubectl_netpoltest.core.probe.task import ProbeTask
from kubectl_netpoltest.core.verdict import Verdict, classify_addresses

pytestmark = pytest.mark.sandbox

TCP, UDP = Protocol.TCP, Protocol.UDP
UID = 65532
TOOLS = ("ip", "nft", "setpriv", "dnsmasq", "nc", "dig", "getent", "bash", "timeout")

SERVER_PY = r"""
import selectors, socket, sys
sel = selectors.DefaultSelector()
def add(fam, addr, kind, port):
    s = socket.socket(fam, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, port))
    if kind == "tcp":
        s.listen(128)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, kind)
for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
    for port in (8080, 8082, 8083, 8084):
        add(fam, addr, "tcp", port)
    for port in (7, 10, 11):
        add(fam, addr, "echo", port)
    add(fam, addr, "sink", 12)
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        s = key.fileobj
        if key.data == "tcp":
            try:
                s.accept()[0].close()
            except BlockingIOError:
                pass
        else:
            data, peer = s.recvfrom(65535)
            if key.data == "echo":
                s.sendto(data, peer)
"""

NFT = """
table inet npth3 {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 8082 drop
    tcp dport 8083 reject with tcp reset
    tcp dport 8084 reject with icmpx admin-prohibited
    udp dport 10 drop
    udp dport 11 reject with icmpx admin-prohibited
    ip daddr 10.231.0.3 udp dport 53 drop
  }
}
"""

DNSMASQ = """no-resolv
no-hosts
bind-interfaces
listen-address=10.231.0.2
listen-address=fd00:231::2
address=/web.npth3.test/10.231.0.2
address=/web.npth3.test/fd00:231::2
address=/v4.npth3.test/10.231.0.2
local=/npth3.test/
"""


@dataclass(frozen=True)
class Lab:
    client: str
    server: str
    resolv: Path

    def run(self, argv: list[str], *, timeout: float = 120) -> tuple[list[str], float]:
        """Run argv in the client namespace as a non-root uid; stdout lines and wall time."""
        command = ["ip", "netns", "exec", self.client, "setpriv", f"--reuid={UID}",
                   f"--regid={UID}", "--clear-groups", *argv]
        started = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              check=False)
        elapsed = time.monotonic() - started
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines(), elapsed


def _require_root() -> None:
    problem = None
    if sys.platform != "linux":
        problem = "needs Linux network namespaces"
    elif os.geteuid() != 0:
        problem = "needs root to create network namespaces (run the sandbox tests as root)"
    else:
        missing = [tool for tool in TOOLS if shutil.which(tool) is None]
        if missing:
            problem = f"missing tools: {', '.join(missing)}"
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"real-packet probe tests cannot run in CI: {problem}")
    pytest.skip(f"SKIPPING REAL-PACKET PROBE TESTS: {problem}")


def _sh(*argv: str, stdin: str | None = None) -> None:
    subprocess.run(argv, input=stdin, text=True, check=True, capture_output=True)


def _wait_for_ipv6(*namespaces: str) -> None:
    # Neighbour discovery needs the link-local address, which is tentative (DAD) for about a
    # second after the link comes up; probing earlier measures the lab, not the script.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        tentative = [
            subprocess.run(["ip", "-n", ns, "-6", "addr", "show", "tentative"],
                           capture_output=True, text=True, check=True).stdout.strip()
            for ns in namespaces
        ]
        if not any(tentative):
            return
        time.sleep(0.1)
    raise AssertionError("IPv6 addresses stayed tentative")


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    _require_root()
    with open_lab() as opened:
        yield opened


@contextlib.contextmanager
def open_lab() -> Iterator[Lab]:
    """The two namespaces, servers and resolver; also used by tests/bench/probe_script_bench."""
    token = secrets.token_hex(3)
    client, server = f"npth3-c-{token}", f"npth3-s-{token}"
    veth_c, veth_s = f"npth3c{token}", f"npth3s{token}"
    etc = Path("/etc/netns") / client
    procs: list[subprocess.Popen[str]] = []
    dnsmasq_pid = Path(f"/run/npth3-dnsmasq-{token}.pid")
    dnsmasq_conf = Path(f"/run/npth3-dnsmasq-{token}.conf")
    try:
        _sh("ip", "netns", "add", client)
        _sh("ip", "netns", "add", server)
        # Both ends are created inside the namespaces: the root namespace never holds them.
        _sh("ip", "-n", client, "link", "add", veth_c, "type", "veth", "peer", "name", veth_s,
            "netns", server)
        for ns, dev, addrs in (
            (client, veth_c, ("10.231.0.1/24", "fd00:231::1/64")),
            (server, veth_s, ("10.231.0.2/24", "10.231.0.3/24", "fd00:231::2/64")),
        ):
            _sh("ip", "-n", ns, "link", "set", "lo", "up")
            for addr in addrs:
                _sh("ip", "-n", ns, "addr", "add", addr, "dev", dev, "nodad")
            _sh("ip", "-n", ns, "link", "set", dev, "up")
        _wait_for_ipv6(client, server)
        _sh("ip", "netns", "exec", server, "nft", "-f", "-", stdin=NFT)
        server_proc = subprocess.Popen(
            ["ip", "netns", "exec", server, sys.executable, "-c", SERVER_PY],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        procs.append(server_proc)
        assert server_proc.stdout is not None
        assert server_proc.stdout.readline().strip() == "ready"
        dnsmasq_conf.write_text(DNSMASQ)
        _sh("ip", "netns", "exec", server, "dnsmasq", f"--conf-file={dnsmasq_conf}",
            f"--pid-file={dnsmasq_pid}", "--user=root")
        etc.mkdir(parents=True, exist_ok=True)
        resolv = etc / "resolv.conf"
        resolv.write_text("nameserver 10.231.0.2\n")
        yield Lab(client=client, server=server, resolv=resolv)
    finally:
        if dnsmasq_pid.exists():
            with contextlib.suppress(ValueError, ProcessLookupError):
                os.kill(int(dnsmasq_pid.read_text().strip()), 15)
            dnsmasq_pid.unlink(missing_ok=True)
        dnsmasq_conf.unlink(missing_ok=True)
        for proc in procs:
            proc.kill()
            proc.wait(timeout=10)
        for ns in (client, server):
            subprocess.run(["ip", "netns", "del", ns], check=False, capture_output=True)
        shutil.rmtree(etc, ignore_errors=True)


def _observations(lab: Lab, tasks: list[ProbeTask], *, timeout: int, attempts: int,
                  parallelism: int = 16) -> tuple[dict[str, list[tuple[str | None, Observation,
                                                                         str]]], float]:
    argv = build_batch_command(tasks=tasks, timeout_seconds=timeout, attempts=attempts,
                               parallelism=parallelism, dns_timeout_seconds=3)
    lines, elapsed = lab.run(argv)
    batch = assemble_batch(tasks=tasks, lines=lines, timeout_seconds=timeout,
                           dns_timeout_seconds=3)
    assert batch.complete, lines
    assert not batch.problems, batch.problems
    seen = {
        pid: [(o.address, o.outcome.observation, o.outcome.detail) for o in outcomes]
        for pid, outcomes in batch.outcomes.items()
    }
    return seen, elapsed


def _only(seen: dict[str, list[tuple[str | None, Observation, str]]], pid: str) -> Observation:
    (entry,) = seen[pid]
    return entry[1]


def test_every_kind_of_outcome_in_one_batch(lab: Lab) -> None:
    tasks = [
        ProbeTask(probe_id="tcp-open", host="10.231.0.2", port=8080, protocol=TCP),
        ProbeTask(probe_id="tcp-closed", host="10.231.0.2", port=8081, protocol=TCP),
        ProbeTask(probe_id="tcp-drop", host="10.231.0.2", port=8082, protocol=TCP),
        ProbeTask(probe_id="tcp-reset", host="10.231.0.2", port=8083, protocol=TCP),
        ProbeTask(probe_id="tcp-adm", host="10.231.0.2", port=8084, protocol=TCP),
        ProbeTask(probe_id="tcp6-open", host="fd00:231::2", port=8080, protocol=TCP),
        ProbeTask(probe_id="tcp6-closed", host="fd00:231::2", port=8081, protocol=TCP),
        ProbeTask(probe_id="name-both", host="web.npth3.test", port=8080, protocol=TCP),
        ProbeTask(probe_id="name-v4", host="v4.npth3.test", port=8082, protocol=TCP),
        ProbeTask(probe_id="nxdomain", host="nope.npth3.test", port=80, protocol=TCP),
        ProbeTask(probe_id="refused-name", host="github.com", port=443, protocol=TCP),
        ProbeTask(probe_id="udp-echo", host="10.231.0.2", port=7, protocol=UDP),
        ProbeTask(probe_id="udp6-echo", host="fd00:231::2", port=7, protocol=UDP),
        ProbeTask(probe_id="udp-closed", host="10.231.0.2", port=9, protocol=UDP),
        ProbeTask(probe_id="udp-drop", host="10.231.0.2", port=10, protocol=UDP),
        ProbeTask(probe_id="udp-adm", host="10.231.0.2", port=11, protocol=UDP),
        ProbeTask(probe_id="udp6-adm", host="fd00:231::2", port=11, protocol=UDP),
        ProbeTask(probe_id="udp-sink", host="10.231.0.2", port=12, protocol=UDP),
        ProbeTask(probe_id="dns-answer", host="10.231.0.2", port=53, protocol=UDP),
        ProbeTask(probe_id="dns6-answer", host="fd00:231::2", port=53, protocol=UDP),
        ProbeTask(probe_id="dns-drop", host="10.231.0.3", port=53, protocol=UDP),
        ProbeTask(probe_id="tcp-unreachable-net", host="10.99.0.1", port=80, protocol=TCP),
    ]
    seen, elapsed = _observations(lab, tasks, timeout=1, attempts=2)
    print(f"\n{len(tasks)} probes, timeout 1s x 2 attempts, parallelism 16: {elapsed:.2f}s")
    for pid, entries in seen.items():
        print(f"  {pid:22} {entries}")

    expected = {
        "tcp-open": Observation.CONNECTED,
        "tcp-closed": Observation.REFUSED,
        "tcp-drop": Observation.TIMEOUT,
        "tcp-reset": Observation.REFUSED,
        "tcp-adm": Observation.REJECTED,
        "tcp6-open": Observation.CONNECTED,
        "tcp6-closed": Observation.REFUSED,
        "name-v4": Observation.TIMEOUT,
        "nxdomain": Observation.DNS_FAIL,
        "refused-name": Observation.DNS_FAIL,
        "udp-echo": Observation.CONNECTED,
        "udp6-echo": Observation.CONNECTED,
        "udp-closed": Observation.REFUSED,
        "udp-drop": Observation.NO_REPLY,
        "udp-adm": Observation.REJECTED,
        "udp6-adm": Observation.REJECTED,
        "udp-sink": Observation.NO_REPLY,
        "dns-answer": Observation.CONNECTED,
        "dns6-answer": Observation.CONNECTED,
        "dns-drop": Observation.TIMEOUT,
        "tcp-unreachable-net": Observation.PROBE_ERROR,
    }
    assert {pid: _only(seen, pid) for pid in expected} == expected
    # A name is probed on every address it resolves to, each as its own result.
    assert sorted((a or "", o) for a, o, _ in seen["name-both"]) == [
        ("10.231.0.2", Observation.CONNECTED),
        ("fd00:231::2", Observation.CONNECTED),
    ]
    assert "NXDOMAIN" in seen["nxdomain"][0][2]
    assert "REFUSED" in seen["refused-name"][0][2]
    assert seen["tcp-drop"][0][2] == "no answer within 1s (2 attempts)"
    # Timeouts ran in parallel: 2 attempts x 1s, not (number of silent probes) x 2s.
    assert elapsed < 10


def test_ipv6_admin_prohibited_tcp_needs_more_than_one_second(lab: Lab) -> None:
    # Linux reports ICMPv6 admin-prohibited for a SYN only after the first retransmit (~1s),
    # so with a 1s timeout it reads as a drop; with 2s it is the real rejection.
    task = ProbeTask(probe_id="tcp6-adm", host="fd00:231::2", port=8084, protocol=TCP)
    seen_1s, _ = _observations(lab, [task], timeout=1, attempts=1)
    seen_2s, _ = _observations(lab, [task], timeout=2, attempts=1)
    assert _only(seen_1s, "tcp6-adm") is Observation.TIMEOUT
    assert _only(seen_2s, "tcp6-adm") is Observation.REJECTED
    assert "permission denied" in seen_2s["tcp6-adm"][0][2]


def test_unreachable_dns_server_is_dns_fail_never_blocked(lab: Lab) -> None:
    original = lab.resolv.read_text()
    lab.resolv.write_text("nameserver 10.231.0.3\n")  # its UDP 53 is dropped
    try:
        task = ProbeTask(probe_id="lookup", host="web.npth3.test", port=8080, protocol=TCP)
        argv = build_batch_command(tasks=[task], timeout_seconds=1, attempts=1,
                                   parallelism=1, dns_timeout_seconds=2)
        lines, elapsed = lab.run(argv)
    finally:
        lab.resolv.write_text(original)
    batch = assemble_batch(tasks=[task], lines=lines, dns_timeout_seconds=2)
    ((address, outcome),) = [(o.address, o.outcome) for o in batch.outcomes["lookup"]]
    assert address is None
    assert outcome.observation is Observation.DNS_FAIL
    assert "no answer within 2s" in outcome.detail
    assert "timed out" in outcome.detail
    # ... and a DNS failure on a denied probe is an ERROR, not a pass.
    judgement = classify_addresses(expect=Expectation.DENIED, outcomes=[(address, outcome)],
                                   port=8080, protocol=TCP)
    assert judgement.verdict is Verdict.ERROR
    assert elapsed < 8


def test_parallelism_is_bounded_and_lines_stay_whole(lab: Lab) -> None:
    drops = [
        ProbeTask(probe_id=f"drop-{i:02d}", host="10.231.0.2", port=8082, protocol=TCP)
        for i in range(24)
    ]
    _, elapsed = _observations(lab, drops, timeout=1, attempts=1, parallelism=8)
    # 24 one-second timeouts through 8 slots cannot finish in under 3 seconds.
    assert elapsed >= 2.9, elapsed
    assert elapsed < 12, elapsed
    # Many fast results written concurrently, each line long: none may be torn.
    long_id = "w" * 200
    fast = [
        ProbeTask(probe_id=f"{long_id}-{i:03d}", host="10.231.0.2", port=8081, protocol=TCP)
        for i in range(120)
    ]
    seen, _ = _observations(lab, fast, timeout=1, attempts=1, parallelism=64)
    assert all(_only(seen, task.probe_id) is Observation.REFUSED for task in fast)


def test_shell_metacharacters_are_never_executed(lab: Lab, tmp_path: Path) -> None:
    # Bypass ProbeTask validation on purpose: even hostile argv items must stay data.
    marker = Path("/tmp") / f"npth3-pwned-{secrets.token_hex(4)}"
    hostile = [
        ("id1", f"$(touch {marker})", "80", "tcp"),
        ("id2", f"`touch {marker}`", "80", "tcp"),
        ("id3", f"x;touch {marker}", "80", "udp"),
        (f"id4$(touch {marker})", "10.231.0.2", "8081", "tcp"),
        ("id5", "10.231.0.2", f"80;touch {marker}", "tcp"),
        ("id6", "-e/bin/sh", "80", "tcp"),
    ]
    argv = ["bash", "-c", SCRIPT, "netpoltest", "1", "1", "4", "2"]
    for quad in hostile:
        argv += list(quad)
    lines, _ = lab.run(argv)
    assert not marker.exists()
    errors = [line.split("\t")[2] for line in lines if "\tERR\t" in line]
    assert sorted(errors) == ["id1", "id2", "id3", "id5", "id6"]
    # The hostile id is echoed back as data, escaped, with its probe run normally.
    assert any(line.startswith(f"NPT1\tRES\tid4$(touch {marker})\t") for line in lines)
