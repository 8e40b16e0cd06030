"""An interrupt never lands inside a change: it waits for the end of `signals.deferred()`."""

from __future__ import annotations

import os
import signal

import pytest

from kubectl_netpoltest.engine import signals


def test_a_signal_inside_the_block_is_raised_after_it() -> None:
    steps = []
    with pytest.raises(KeyboardInterrupt):
        with signals.deferred():
            os.kill(os.getpid(), signal.SIGINT)
            steps.append("lease written")
            steps.append("pod deleted")  # the change in flight is finished
        steps.append("next pod")  # never reached: the interrupt comes first
    assert steps == ["lease written", "pod deleted"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored


def test_without_a_signal_nothing_changes() -> None:
    with signals.deferred():
        pass
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
