"""Plain-data forms of prepare and cleanup results, for `-o json|yaml`.

The engine's result types are read through small protocols (reports never import the engine),
so a field the engine adds later does not break this module; it only needs adding here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kubectl_netpoltest.report.probedata import pod_dict
from kubectl_netpoltest.report.text import CleanupLike, PrepResultLike


def prepare_body(results: Sequence[PrepResultLike], *, image: str) -> dict[str, Any]:
    items = []
    for result in results:
        item: dict[str, Any] = {
            "source": pod_dict(result.source),
            "state": result.state.value,
            "message": result.message,
            "pod": getattr(result, "pod", None),
            "container": getattr(result, "container", None),
            "seconds": round(result.seconds, 3),
        }
        if result.skipped:
            item["skipped"] = list(result.skipped)
        items.append(item)
    ready = sum(1 for r in results if r.ok)
    return {
        "image": image,
        "summary": {"sources": len(results), "ready": ready, "failed": len(results) - ready},
        "sources": items,
    }


def cleanup_body(items: Sequence[CleanupLike]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item.action.value] = counts.get(item.action.value, 0) + 1
    return {
        "summary": counts,
        "pods": [{"pod": i.pod, "action": i.action.value, "message": i.message} for i in items],
    }
