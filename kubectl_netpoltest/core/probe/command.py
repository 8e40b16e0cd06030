"""The one exec command that runs a batch of probe tasks: ProbeTask list → argv.

Why this shape: one exec per source pod runs all of its probes concurrently inside the debug
container (probing-notes §10), so the number of API calls is the number of source pods. The
program is the constant `script.SCRIPT`; hosts, ports and ids were validated by `ProbeTask` and
are passed as argv items only, never as shell text (the tool this project replaces put hosts into
`sh -c` strings).
"""

from __future__ import annotations

from collections.abc import Sequence

from kubectl_netpoltest.core.probe.script import MAX_MESSAGE_BYTES, SCRIPT
from kubectl_netpoltest.core.probe.task import (
    MAX_ATTEMPTS,
    MAX_PARALLELISM,
    MAX_TIMEOUT_SECONDS,
    ProbeTask,
    validate_task,
)

__all__ = ["build_batch_command"]


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
        validate_task(task)
        if task.probe_id in seen:
            raise ValueError(f"probe id {task.probe_id!r} appears twice in one batch")
        seen.add(task.probe_id)
        argv += [task.probe_id, task.host, str(task.port), task.method]
    return argv


# A result line is at most: header (~600 bytes: id, host, address) plus, per attempt, an exit
# code and a message escaped to at most twice MAX_MESSAGE_BYTES. Under 4 KiB it is one write.
assert 600 + MAX_ATTEMPTS * (8 + 2 * MAX_MESSAGE_BYTES) < 4096
