"""Every wait on the API server has a bound the user can predict from the flags.

Two places where the kubernetes client waits longer than asked:
- urllib3 retries each failed request on its own (3 times by default), so
  `--request-timeout 5s` against a frozen API server took 21 s. We turn those retries off: one
  request timeout is one bound. (We add none of our own: a frozen API server is reported, not
  hammered.)
- the exec websocket is opened by `kubernetes.stream` with no timeout at all, so an API server
  that accepts the connection but never completes the handshake hung execute forever. The
  handshake (TCP connect, TLS, HTTP upgrade) is bounded by --request-timeout
  (`HANDSHAKE_FALLBACK_SECONDS` when that is 0, kubectl's "no timeout").

The stream that follows is bounded by the caller (execute derives it from --probe-timeout,
--attempts and --parallelism); see KubernetesGateway._exec.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import websocket
from kubernetes import client as k8s
from kubernetes.stream import ws_client

HANDSHAKE_FALLBACK_SECONDS = 30.0

_local = threading.local()


def no_silent_retries(configuration: k8s.Configuration) -> None:
    """One HTTP attempt per request (urllib3's `retries=False` raises the first error)."""
    configuration.retries = False


class _BoundedWebSocket(websocket.WebSocket):
    """websocket-client's WebSocket, with a connect/handshake timeout when none is given."""

    def connect(self, url: str, **options: Any) -> None:
        options.setdefault("timeout", getattr(_local, "seconds", HANDSHAKE_FALLBACK_SECONDS))
        super().connect(url, **options)  # type: ignore[no-untyped-call]


def install() -> None:
    """Make kubernetes.stream build bounded websockets (idempotent)."""
    module: Any = ws_client
    if getattr(module, "WebSocket", None) is not _BoundedWebSocket:
        module.WebSocket = _BoundedWebSocket


@contextmanager
def handshake_timeout(seconds: float | None) -> Iterator[float]:
    """Bound websocket handshakes opened by this thread inside the block."""
    bound = seconds if seconds else HANDSHAKE_FALLBACK_SECONDS
    previous = getattr(_local, "seconds", None)
    _local.seconds = bound
    try:
        yield bound
    finally:
        if previous is None:
            del _local.seconds
        else:
            _local.seconds = previous


def is_timeout(text: str) -> bool:
    """Whether a flattened websocket/urllib3 error says a timeout expired."""
    lowered = text.lower()
    return "timed out" in lowered or "timeout" in lowered
