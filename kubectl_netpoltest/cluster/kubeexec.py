"""One exec over the websocket: stream stdout lines as they come, read the status channel.

Why its own module: the stream has its own failure modes (a handshake that never completes, a
connection that breaks off, a process that outlives its deadline), each of which must end as
an ExecResult with a reason, never as a hang or a false "exited 0". The status (channel 3) is
parsed with `execstatus`, never with `WSClient.returncode`, which reports 0 when the status is
missing (kubernetes-client/python#2156).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException
from kubernetes.stream import stream

from kubectl_netpoltest.cluster import bounds
from kubectl_netpoltest.cluster.execstatus import ExecStatus, ExecStatusKind, parse_exec_status
from kubectl_netpoltest.cluster.gateway import ExecResult
from kubectl_netpoltest.cluster.translate import Action, short_error, websocket_error
from kubectl_netpoltest.errors import ClusterError


def run_exec(
    *,
    request_timeout: float | None,
    api: k8s.CoreV1Api,
    action: Action,
    pod: str,
    namespace: str,
    container: str,
    argv: Sequence[str],
    timeout_seconds: float,
    on_line: Callable[[str], None],
) -> ExecResult:
    try:
        with bounds.handshake_timeout(request_timeout) as handshake_bound:
            ws = stream(
                api.connect_get_namespaced_pod_exec,
                pod,
                namespace,
                container=container,
                command=list(argv),
                stderr=True,
                stdin=False,
                stdout=True,
                tty=False,
                _preload_content=False,
            )
    except ApiException as exc:
        reason = str(exc.reason or exc)
        if bounds.is_timeout(reason):
            raise ClusterError(
                f"the API server did not complete the exec's websocket handshake within "
                f"{handshake_bound:g}s (--request-timeout): {short_error(exc)}"
            ) from exc
        raise websocket_error(reason=reason, action=action) from exc
    deadline = time.monotonic() + timeout_seconds
    pending = ""
    stderr = ""
    status = ""
    try:
        while ws.is_open() and time.monotonic() < deadline:
            ws.update(timeout=min(1.0, max(0.0, deadline - time.monotonic())))
            if ws.peek_stdout():
                pending += ws.read_stdout()
                *lines, pending = pending.split("\n")
                for line in lines:
                    on_line(line)
            if ws.peek_stderr():
                stderr += ws.read_stderr()
            if ws.peek_channel(3):
                status += ws.read_channel(3)
        # Drain what arrived with the close.
        pending += ws.read_stdout() if ws.peek_stdout() else ""
        stderr += ws.read_stderr() if ws.peek_stderr() else ""
        status += ws.read_channel(3) if ws.peek_channel(3) else ""
        timed_out = ws.is_open()
    except Exception as exc:  # websocket-client raises many types; all mean "broke off"
        return ExecResult(
            status=ExecStatus(
                ExecStatusKind.EXEC_ERROR, None, f"exec broke off: {short_error(exc)}"
            ),
            stderr=stderr,
        )
    finally:
        ws.close()
    for line in pending.split("\n"):
        if line:
            on_line(line)
    if timed_out and not status:
        return ExecResult(
            status=ExecStatus(
                ExecStatusKind.UNKNOWN,
                None,
                f"exec did not finish within {timeout_seconds:.0f}s",
            ),
            stderr=stderr,
        )
    return ExecResult(status=parse_exec_status(status or None), stderr=stderr)


def exec_outcome(status: ExecStatus) -> str:
    if status.kind is ExecStatusKind.EXITED:
        return f"exit {status.exit_code}"
    return f"{status.kind.value}: {status.message}"
