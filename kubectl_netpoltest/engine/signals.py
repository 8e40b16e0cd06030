"""Finish the one change in flight before an interrupt takes effect.

SIGINT and SIGTERM raise KeyboardInterrupt in the main thread (kubectl_netpoltest.interrupts),
which can land between two API calls that belong together: a lease written but the pod not yet
deleted, a label set but the container not yet added. Inside `deferred()` both signals are only
noted; when the block ends, the handler that was installed before runs with the first signal,
so the interrupt surfaces right after the change completed (or was rolled back), never in it.
Each block is one short API step, bounded by the request timeout.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def deferred() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signals are only delivered to the main thread anyway
        return
    caught: list[tuple[int, FrameType | None]] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        caught.append((signum, frame))

    previous = {int(sig): signal.getsignal(sig) for sig in _SIGNALS}
    for sig in _SIGNALS:
        signal.signal(sig, hold)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if caught:
            signum, frame = caught[0]
            first = previous[signum]
            if callable(first):
                first(signum, frame)
            elif first == signal.SIG_DFL:
                signal.raise_signal(signum)
