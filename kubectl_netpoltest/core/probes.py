"""Probe tasks and the one exec command that runs them: ProbeTask → argv.

Why this shape: one exec per source pod runs all of its probes concurrently inside the debug
container (probing-notes §10), so the number of API calls is the number of source pods. The
program is the constant `probescript.SCRIPT`; hosts, ports and ids are validated here and then
passed as argv items only, never as shell text (the tool this project replaces put hosts into
`sh -c` strings).

The rest of the pipeline: `probelines` parses the streamed lines, `probeoutcome` turns them into
Observations (both re-exported here for convenience).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kubectl_netpoltest.core.hosts import host_problem
from kubectl_netpoltest.core.model import Protocol
from kubectl_netpoltest.core.probelines import (
    Attempt,
    ProbeResultLine,
    parse_line,
    parse_result_line,
)
from kubectl_netpoltest.core.probeoutcome import (
    AddressOutcome,
    BatchResult,
    assemble_batch,
    observe,
)
from kubectl_netpoltest.core.probescript import MAX_MESSAGE_BYTES, SCRIPT

__all__ = [
    "MAX_ATTEMPTS",
    "AddressOutcome",
    "Attempt",
    "BatchResult",
    "ProbeResultLine",
    "ProbeTask",
    "assemble_batch",
    "build_batch_command",
    "method_for",
    "observe",
    "parse_line",
    "parse_result_line",
]

MAX_ATTEMPTS = 5
"""Attempts per address. Bounded so that a result line (attempts x 400 escaped bytes) stays
well below 4 KiB and is written atomically."""
MAX_TIMEOUT_SECONDS = 60
MAX_PARALLELISM = 64
MAX_ID_LENGTH = 256

_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:/@+=,~#>\[\]()-]*$")
_DNS_PORT = 53


def method_for(*, port: int, protocol: Protocol) -> str:
    """How a port is probed: `tcp`, `dns` (UDP 53: a real query) or `udp` (reply required)."""
    if protocol is Protocol.TCP:
        return "tcp"
    return "dns" if port == _DNS_PORT else "udp"


@dataclass(frozen=True)
class ProbeTask:
    """One probe as the container runs it: a host (IP literal or DNS name) and a port.

    Validated on construction, because the values end up on a command line in someone's pod.
    """

    probe_id: str
    host: str
    port: int
    protocol: Protocol

    def __post_init__(self) -> None:
        _validate_task(self)

    @property
    def method(self) -> str:
        return method_for(port=self.port, protocol=self.protocol)


def _validate_task(task: ProbeTask) -> None:
    if not isinstance(task.probe_id, str) or not _ID.match(task.probe_id):
        raise ValueError(
            f"probe id {task.probe_id!r} has characters outside [A-Za-z0-9_.:/@+=,~#>[]()-]"
        )
    if len(task.probe_id) > MAX_ID_LENGTH:
        raise ValueError(f"probe id {task.probe_id[:40]!r}... is longer than {MAX_ID_LENGTH}")
    if not isinstance(task.host, str):
        raise ValueError(f"host {task.host!r} is not a string")
    problem = host_problem(task.host)
    if problem is not None:
        raise ValueError(problem)
    if isinstance(task.port, bool) or not isinstance(task.port, int):
        raise ValueError(f"port {task.port!r} is not an integer")
    if not 1 <= task.port <= 65535:
        raise ValueError(f"port {task.port} is out of range (expected 1-65535)")
    if not isinstance(task.protocol, Protocol):
        raise ValueError(f"protocol {task.protocol!r} is not TCP or UDP")


def _bounded(name: str, value: int, high: int) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise ValueError(f"{name} {value!r} is out of range (expected 1-{high})")
    return str(value)


def build_batch_command(
    *,
    tasks: Sequence[ProbeTask],
    timeout_seconds: int,
    attempts: int,
    parallelism: int,
    dns_timeout_seconds: int | None = None,
) -> list[str]:
    """The argv of one exec that runs every task concurrently (at most `parallelism` at once).

    `timeout_seconds` bounds each attempt (TCP connect, DNS query, UDP reply window).
    `dns_timeout_seconds` bounds each name lookup; by default max(5, 2 x timeout), because a
    pod whose egress to kube-dns is blocked would otherwise wait out the resolver's own
    retries (5 s x attempts x search domains).
    """
    if dns_timeout_seconds is None:
        dns_timeout_seconds = min(MAX_TIMEOUT_SECONDS, max(5, 2 * timeout_seconds))
    argv = [
        "bash",
        "-c",
        SCRIPT,
        "netpoltest",
        _bounded("timeout_seconds", timeout_seconds, MAX_TIMEOUT_SECONDS),
        _bounded("attempts", attempts, MAX_ATTEMPTS),
        _bounded("parallelism", parallelism, MAX_PARALLELISM),
        _bounded("dns_timeout_seconds", dns_timeout_seconds, MAX_TIMEOUT_SECONDS),
    ]
    seen: set[str] = set()
    for task in tasks:
        if not isinstance(task, ProbeTask):
            raise ValueError(f"{task!r} is not a ProbeTask")
        _validate_task(task)
        if task.probe_id in seen:
            raise ValueError(f"probe id {task.probe_id!r} appears twice in one batch")
        seen.add(task.probe_id)
        argv += [task.probe_id, task.host, str(task.port), task.method]
    return argv


# A result line is at most: header (~600 bytes: id, host, address) plus, per attempt, an exit
# code and a message escaped to at most twice MAX_MESSAGE_BYTES. Under 4 KiB it is one write.
assert 600 + MAX_ATTEMPTS * (8 + 2 * MAX_MESSAGE_BYTES) < 4096
