"""One probe as the debug container runs it: a validated host, port and method.

Why validation lives on the task: these values end up on a command line in someone's pod, so
they are checked once, on construction, against the strictest form (an id alphabet, host
literals or DNS names only, integer ports) before `command` ever sees them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kubectl_netpoltest.core.hosts import host_problem
from kubectl_netpoltest.core.model import Protocol

__all__ = ["MAX_ATTEMPTS", "ProbeTask", "method_for", "validate_task"]

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
        validate_task(self)

    @property
    def method(self) -> str:
        return method_for(port=self.port, protocol=self.protocol)


def validate_task(task: ProbeTask) -> None:
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
