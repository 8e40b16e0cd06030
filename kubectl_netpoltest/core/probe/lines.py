r"""The probe script's output format, parsed: one frozen record per line.

Why a line protocol: results stream while slow probes are still running, and every line is
self-contained, so a truncated stream loses whole lines, never half a result. Format (TAB
separated, messages escaped as \\ \t \n \r; see `probescript`):

    NPT1 BEGIN <tasks> <timeout> <attempts> <parallelism>
    NPT1 ADDR  <id> <host> <addr>[,<addr>...]
    NPT1 RES   <id> <host> <addr|-> <tcp|udp|dns|resolve> <elapsed_ms> <n> (<rc> <message>){n}
    NPT1 ERR   <id> <message>
    NPT1 END   <tasks>

A line that is not well formed parses to None. That is safe: its probe is then missing, and
`probeoutcome.assemble_batch` reports a missing probe as PROBE_ERROR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kubectl_netpoltest.core.probe.script import SCRIPT_VERSION

__all__ = [
    "AddressesLine",
    "Attempt",
    "BeginLine",
    "EndLine",
    "ProbeResultLine",
    "StreamLine",
    "TaskErrorLine",
    "parse_line",
]


def _unescape(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            mapped = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}.get(nxt)
            if mapped is not None:
                out.append(mapped)
                i += 2
                continue
        out.append(char)
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class Attempt:
    """One run of the tool: its exit status and its (unescaped, truncated) message."""

    exit_code: int
    message: str


@dataclass(frozen=True)
class ProbeResultLine:
    """A `RES` line: all attempts towards one address, or the failed name lookup.

    For a failed lookup `method` is "resolve", `address` is None and the single attempt holds
    getent's exit status and the DNS diagnostics.
    """

    probe_id: str
    host: str
    address: str | None
    method: str
    elapsed_ms: int
    attempts: tuple[Attempt, ...]


@dataclass(frozen=True)
class BeginLine:
    tasks: int
    timeout_seconds: int
    attempts: int
    parallelism: int


@dataclass(frozen=True)
class AddressesLine:
    """The addresses a probe's host resolved to (or the literal itself)."""

    probe_id: str
    host: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class TaskErrorLine:
    probe_id: str
    message: str


@dataclass(frozen=True)
class EndLine:
    tasks: int


StreamLine = BeginLine | AddressesLine | ProbeResultLine | TaskErrorLine | EndLine

_METHODS = frozenset({"tcp", "udp", "dns", "resolve"})


def _int(text: str) -> int | None:
    return int(text) if re.fullmatch(r"-?[0-9]{1,9}", text) else None


def parse_line(line: str) -> StreamLine | None:
    """One line of the stream, or None when it is not a well-formed NPT1 line.

    None is safe: a line that is lost or mangled simply leaves its probe without a result,
    which `assemble_batch` reports as PROBE_ERROR.
    """
    fields = line.rstrip("\r\n").split("\t")
    if len(fields) < 2 or fields[0] != SCRIPT_VERSION:
        return None
    kind, rest = fields[1], fields[2:]
    if kind == "RES":
        return _parse_res(rest)
    if kind == "ADDR" and len(rest) == 3:
        addresses = tuple(a for a in rest[2].split(",") if a)
        if not addresses:
            return None
        return AddressesLine(probe_id=_unescape(rest[0]), host=rest[1], addresses=addresses)
    if kind == "ERR" and len(rest) == 2:
        return TaskErrorLine(probe_id=_unescape(rest[0]), message=_unescape(rest[1]))
    if kind == "BEGIN" and len(rest) == 4:
        numbers = [_int(x) for x in rest]
        if any(n is None for n in numbers):
            return None
        tasks, timeout, attempts, parallelism = (n or 0 for n in numbers)
        return BeginLine(
            tasks=tasks, timeout_seconds=timeout, attempts=attempts, parallelism=parallelism
        )
    if kind == "END" and len(rest) == 1:
        total = _int(rest[0])
        return None if total is None else EndLine(tasks=total)
    return None


def _parse_res(rest: list[str]) -> ProbeResultLine | None:
    if len(rest) < 6:
        return None
    probe_id, host, address, method, elapsed, count = rest[:6]
    elapsed_ms, n = _int(elapsed), _int(count)
    if method not in _METHODS or elapsed_ms is None or n is None or n < 1:
        return None
    pairs = rest[6:]
    if len(pairs) != 2 * n:
        return None
    attempts: list[Attempt] = []
    for index in range(n):
        code = _int(pairs[2 * index])
        if code is None:
            return None
        attempts.append(Attempt(exit_code=code, message=_unescape(pairs[2 * index + 1])))
    return ProbeResultLine(
        probe_id=_unescape(probe_id),
        host=host,
        address=None if address == "-" else address,
        method=method,
        elapsed_ms=elapsed_ms,
        attempts=tuple(attempts),
    )
