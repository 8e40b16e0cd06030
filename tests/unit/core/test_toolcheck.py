"""What the tool check's answer means: parsed strictly, judged per probe method."""

from __future__ import annotations

import pytest

from kubectl_netpoltest.core.probe.toolcheck import Severity, assess, parse_toolcheck

GOOD = ["bash 5.2", "devudp yes", "nc openbsd", "getent ahosts", "dig yes", "timeout yes"]


def facts(*changes: str, done: bool = True) -> list[str]:
    by_key = {line.split()[0]: line for line in GOOD}
    for change in changes:
        by_key[change.split()[0]] = change
    lines = [f"NPTC {line}" for line in by_key.values()]
    return [*lines, "NPTC done yes"] if done else lines


def judge(*changes: str, done: bool = True) -> list[tuple[Severity, str]]:
    tools = parse_toolcheck(facts(*changes, done=done))
    return [(f.severity, f.message) for f in assess(tools, image="img:1", recommended="ok:2")]


def test_everything_present_is_silent() -> None:
    assert judge() == []


def test_noise_and_unknown_lines_are_ignored_and_missing_keys_are_unknown() -> None:
    tools = parse_toolcheck(["motd: welcome", "NPTC bash 5.2", "NPTC", "NPTC done yes"])
    assert tools.complete
    assert tools.summary() == "bash 5.2, nc unknown, getent unknown, dig unknown, timeout unknown"


@pytest.mark.parametrize(
    ("changes", "severity", "words"),
    [
        (("bash -",), Severity.FATAL, "img:1 has no bash, so no probe can run; prepare again"),
        (("bash 4.2",), Severity.FATAL, "img:1 has bash 4.2; the probes need bash 4.3"),
        (("bash x.y",), Severity.FATAL, "has bash x.y"),
        (("nc busybox",), Severity.WARNING, "its nc is busybox: every TCP probe will be ERROR"),
        (("nc ncat",), Severity.WARNING, "its nc is ncat"),
        (("nc -",), Severity.WARNING, "it has no nc"),
        (("devudp no",), Severity.WARNING, "UDP probes (other than port 53) will be ERROR"),
        (("dig -",), Severity.WARNING, "UDP port 53 probes will be ERROR"),
        (("timeout -",), Severity.WARNING, "bounded only by the exec's deadline"),
        (("getent -",), Severity.WARNING, "names resolve with `dig +search`"),
    ],
)
def test_each_missing_tool_is_named_with_what_it_breaks(
    changes: tuple[str, ...], severity: Severity, words: str
) -> None:
    ((seen_severity, message),) = judge(*changes)
    assert seen_severity is severity
    assert words in message


def test_no_resolver_at_all_says_names_will_error() -> None:
    found = judge("getent -", "dig -")
    assert any("neither getent nor dig: probes to host names will be ERROR" in m for _, m in found)
    assert all(severity is Severity.WARNING for severity, _ in found)


def test_getent_without_ahosts_without_dig_says_addresses_are_lost() -> None:
    messages = [m for _, m in judge("getent hosts", "dig -")]
    assert any("other addresses are not probed" in m for m in messages)


def test_an_unfinished_check_is_never_a_clean_bill() -> None:
    ((severity, message),) = judge(done=False)
    assert severity is Severity.WARNING
    assert "the check did not finish" in message
