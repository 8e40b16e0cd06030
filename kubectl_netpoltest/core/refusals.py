"""A refusal the run itself contradicts: never "nothing listens" when something did.

In drop mode a `refused` is read as the destination's own answer: nothing listens on the port.
On a CNI that rejects denied traffic (kube-router, Antrea Reject rules) run in drop mode, that is
wrong, and the run can prove it: the same address and port accepted a connection from another
source. Then the reason says so and points at `--cni-mode reject`. The verdict does not change
(a FAIL stays a FAIL: the probe still did not see what the spec expects); only the explanation,
which was false, does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from kubectl_netpoltest.core.observation import Observation
from kubectl_netpoltest.core.results import ProbeResult
from kubectl_netpoltest.core.verdict import CniMode, Verdict

Endpoint = tuple[str, int, str]


def _connected_from(results: Sequence[ProbeResult]) -> dict[Endpoint, str]:
    seen: dict[Endpoint, str] = {}
    for result in results:
        for item in result.addresses:
            if item.address and item.observation is Observation.CONNECTED:
                key = (item.address, result.probe.port, result.probe.protocol.value)
                seen.setdefault(key, result.source_pod or result.probe.source.name)
    return seen


def explain_contradicted_refusals(
    results: Sequence[ProbeResult], *, cni_mode: CniMode
) -> list[ProbeResult]:
    """`results` with the reason of each refusal the run contradicts rewritten."""
    if cni_mode is not CniMode.DROP:
        return list(results)
    connected = _connected_from(results)
    out: list[ProbeResult] = []
    for result in results:
        witness = next(
            (
                (item.address, connected[key])
                for item in result.addresses
                if item.address
                and item.observation is Observation.REFUSED
                and (key := (item.address, result.probe.port, result.probe.protocol.value))
                in connected
            ),
            None,
        )
        if witness is None or result.verdict is not Verdict.FAIL:
            out.append(result)
            continue
        address, source = witness
        where = f"{address}:{result.probe.port}/{result.probe.protocol.value}"
        out.append(
            replace(
                result,
                reason=(
                    f"connection refused, yet {where} accepted a connection from {source} in this "
                    "same run, so something listens there: the refusal most likely came from a "
                    "CNI that rejects denied traffic; if yours does (kube-router, Antrea Reject "
                    "rules), run with --cni-mode reject"
                ),
            )
        )
    return out
