"""Durations read like kubectl reads them (Go's time.ParseDuration, plus bare seconds)."""

from __future__ import annotations

import pytest
import typer

from kubectl_netpoltest.cli.kubeflags import parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30.0),
        ("1m", 60.0),
        ("1h30m", 5400.0),
        ("1m30.5s", 90.5),
        ("500ms", 0.5),
        ("2h0m0s", 7200.0),
        ("45", 45.0),
        ("0", None),
        ("0s", None),
    ],
)
def test_kubectl_durations(text: str, seconds: float | None) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "s", "1x", "1h 30m", "-5s", "nan", "inf", "1e3s", "1m-1s"])
def test_what_kubectl_refuses(text: str) -> None:
    with pytest.raises(typer.BadParameter):
        parse_duration(text)
