"""A scripted ObjectReader: lists of Kubernetes JSON per kind, counting the calls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kubectl_netpoltest.cluster.objectreads import Kind
from kubectl_netpoltest.errors import Forbidden


class FakeReader:
    def __init__(self, objects: Mapping[Kind, Sequence[Mapping[str, Any]]], *,
                 forbidden_cluster_wide: Sequence[Kind] = ()) -> None:
        self.objects = objects
        self.forbidden = set(forbidden_cluster_wide)
        self.calls: list[tuple[Kind, str | None]] = []

    def list_objects(self, *, kind: Kind, namespace: str | None) -> list[Mapping[str, Any]]:
        self.calls.append((kind, namespace))
        if namespace is None and kind in self.forbidden:
            raise Forbidden(f"list {kind.value}: forbidden")
        return [o for o in self.objects.get(kind, ())
                if namespace is None or (o.get("metadata") or {}).get("namespace") == namespace]
