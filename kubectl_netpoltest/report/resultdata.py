"""Plain-data form of results, shared by the JSON and JUnit reports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kubectl_netpoltest.core.model import HostTarget, PodTarget, ServiceTarget
from kubectl_netpoltest.core.results import ProbeResult, summarize
from kubectl_netpoltest.report.probedata import probe_dict


def target_text(result: ProbeResult) -> str:
    target = result.probe.target
    if isinstance(target, PodTarget):
        return f"{target.pod.namespace}/{target.pod.name}"
    if isinstance(target, ServiceTarget):
        return f"{target.service.namespace}/service/{target.service.service}"
    assert isinstance(target, HostTarget)
    return target.host


def result_dict(result: ProbeResult) -> dict[str, Any]:
    settled = (
        {}
        if result.settled_seconds is None
        else {"settledSeconds": round(result.settled_seconds, 3)}
    )
    return {
        **probe_dict(result.probe),
        "sourcePod": result.source_pod,
        "verdict": result.verdict.value,
        "observation": result.observation.value,
        "reason": result.reason,
        "inconclusive": result.inconclusive,
        "seconds": round(result.seconds, 3),
        "addresses": [
            {"address": a.address, "observation": a.observation.value, "detail": a.detail}
            for a in result.addresses
        ],
        **settled,
        **({"sourceNode": result.source_node} if result.source_node else {}),
        **({"targetNode": result.target_node} if result.target_node else {}),
        **(
            {
                "perNode": [
                    {
                        "node": row.node,
                        "sourcePod": row.pod,
                        "verdict": row.verdict.value,
                        "observation": row.observation.value,
                        "reason": row.reason,
                    }
                    for row in result.per_source
                ]
            }
            if result.per_source
            else {}
        ),
    }


def run_dict(
    results: Sequence[ProbeResult], *, seconds: float, exec_calls: int, interrupted: bool
) -> dict[str, Any]:
    summary = summarize(results)
    return {
        "summary": {
            "total": summary.total,
            "passed": summary.passed,
            "failed": summary.failed,
            "errors": summary.errors,
            "inconclusive": summary.inconclusive,
            "seconds": round(seconds, 3),
            "execCalls": exec_calls,
            "interrupted": interrupted,
        },
        "results": [result_dict(r) for r in results],
    }
