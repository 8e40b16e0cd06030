"""One short line from a cluster message that carries the whole exec command (issue 9 item 10)."""

from __future__ import annotations

from kubectl_netpoltest.core.brief import one_line
from kubectl_netpoltest.core.probe.script import SCRIPT


def test_the_exec_command_is_cut_out_and_the_cause_kept() -> None:
    argv = ["bash", "-c", SCRIPT, "netpoltest", "1", "3", "32", "5", "p0", "10.0.0.2", "80", "tcp"]
    message = (
        "command terminated with non-zero exit code: error executing command "
        f"[{' '.join(argv)}], exit code 137"
    )
    assert one_line(message) == (
        "command terminated with non-zero exit code: error executing command [...], exit code 137"
    )


def test_long_text_is_one_bounded_line() -> None:
    text = one_line("first line\nsecond\tline " + "x" * 1000)
    assert "\n" not in text and len(text) <= 240 and text.startswith("first line second line")
