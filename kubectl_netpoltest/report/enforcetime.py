"""enforce-time's output: per probe, seconds until packets obeyed the change; median, p99, max."""

from __future__ import annotations

import json
from typing import Any, Protocol, TextIO

from kubectl_netpoltest.core.model import Probe
from kubectl_netpoltest.core.results import ProbeResult
from kubectl_netpoltest.exitcodes import ExitCode


class _Change(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def policy(self) -> str: ...


class _Time(Protocol):
    @property
    def probe(self) -> Probe: ...
    @property
    def seconds(self) -> float | None: ...
    @property
    def last(self) -> ProbeResult | None: ...


class TimesLike(Protocol):
    """engine.enforcetime.EnforceTimes (reports do not import the engine)."""

    @property
    def change(self) -> _Change: ...
    @property
    def times(self) -> tuple[_Time, ...]: ...
    @property
    def rounds(self) -> int: ...
    @property
    def round_seconds(self) -> float: ...
    @property
    def interrupt_code(self) -> ExitCode | None: ...
    def stat(self, name: str) -> float | None: ...


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def times_dict(times: TimesLike) -> dict[str, Any]:
    return {
        "change": {"type": times.change.kind, "policy": times.change.policy},
        "rounds": times.rounds,
        "interrupted": times.interrupt_code is not None,
        "resolutionSeconds": _round(times.round_seconds),
        "summary": {name: _round(times.stat(name)) for name in ("median", "p99", "max")},
        "probes": [
            {
                "id": t.probe.id,
                "expect": t.probe.expect.value,
                "seconds": _round(t.seconds),
                "lastObservation": t.last.observation.value if t.last else None,
            }
            for t in times.times
        ],
    }


def write_times_json(times: TimesLike, out: TextIO) -> None:
    json.dump(times_dict(times), out, indent=2)
    out.write("\n")


def write_times(times: TimesLike, out: TextIO) -> None:
    out.write(f"change: {times.change.kind} {times.change.policy}\n")
    width = max((len(t.probe.id) for t in times.times), default=0)
    for t in times.times:
        if t.seconds is None:
            seen = t.last.observation.value if t.last else "nothing"
            never = "not yet when interrupted" if times.interrupt_code is not None else "never"
            out.write(f"  {t.probe.id:<{width}}  {never} (last observation: {seen})\n")
        else:
            out.write(f"  {t.probe.id:<{width}}  {t.seconds:6.2f}s\n")
    stats = {name: times.stat(name) for name in ("median", "p99", "max")}
    shown = ", ".join(
        f"{name} {value:.2f}s" if value is not None else f"{name} -"
        for name, value in stats.items()
    )
    resolution = f"{times.rounds} rounds, resolution ~{times.round_seconds:.1f}s"
    if times.interrupt_code is not None:
        resolution += "; interrupted: the measurement is incomplete"
    out.write(f"time to enforce: {shown} ({resolution})\n")
