"""Offline mode: a snapshot from manifest files, for pull-request review without a cluster.

Reads YAML/JSON files, or directories of them (recursively), with several documents per file
and `kind: List`. Workload templates (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job,
CronJob) stand for their pods: one pod named like the workload (so a spec's `podname` prefix
finds it) with the template's labels and ports and no IP. Objects without a namespace get the
one kubectl would apply them to (semantics rule 1). Other kinds are ignored.
"""

from __future__ import annotations

import stat
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import yaml

from kubectl_netpoltest.core.policy import parse
from kubectl_netpoltest.core.policy.objects import Snapshot

SUFFIXES = (".yaml", ".yml", ".json")
WORKLOADS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job")


class ManifestError(ValueError):
    """A manifest that cannot be read; the message starts with the file name."""


def _files(paths: Iterable[str]) -> Iterator[Path]:
    """Directories (recursively, YAML/JSON files), files, pipes (`<(helm template ...)`
    gives /dev/fd/63) and `-` (standard input), like the spec argument and `kubectl -f`."""
    for raw in paths:
        path = Path(raw)
        if raw == "-":
            yield path
            continue
        try:
            mode = path.stat().st_mode
        except OSError:
            raise ManifestError(f"{raw}: no such file or directory") from None
        if stat.S_ISDIR(mode):
            yield from sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        elif stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
            yield path
        else:
            raise ManifestError(
                f"{raw}: is not a regular file (a device or socket); pass "
                "manifest files, directories, a pipe or - for stdin"
            )


def _documents(path: Path) -> Iterator[Mapping[str, Any]]:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        docs = list(yaml.safe_load_all(text))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ManifestError(f"{path}: cannot read manifests: {exc}") from None
    for number, doc in enumerate(docs, start=1):
        if doc is None:
            continue  # an empty document (`---` twice), as kubectl skips it
        if not isinstance(doc, dict):
            raise ManifestError(f"{path}: document {number} is not an object (kubectl refuses it)")
        if doc.get("kind") == "List":
            for index, item in enumerate(doc.get("items") or ()):
                if not isinstance(item, dict):
                    raise ManifestError(f"{path}: List item {index} is not an object")
                yield item
        else:
            yield doc


def _template_pod(obj: Mapping[str, Any], namespace: str) -> dict[str, Any]:
    spec = obj.get("spec") or {}
    if obj.get("kind") == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    template = spec.get("template") or {}
    meta = obj.get("metadata") or {}
    return {
        "metadata": {
            "name": meta.get("name"),
            "namespace": meta.get("namespace") or namespace,
            "labels": (template.get("metadata") or {}).get("labels") or {},
        },
        "spec": template.get("spec") or {},
    }


T = TypeVar("T")
_NAMED_KINDS = frozenset(
    {"Namespace", "NetworkPolicy", "Pod", "Service", "EndpointSlice", "CronJob", *WORKLOADS}
)


def load_snapshot(paths: Iterable[str], *, default_namespace: str) -> Snapshot:
    """Every supported object of every file; `ManifestError` names the file on a bad one."""
    namespaces, pods, policies, services, slices = [], [], [], [], []
    files: list[str] = []
    for path in _files(paths):
        files.append(str(path))
        for doc in _documents(path):
            kind = doc.get("kind")
            meta = doc.get("metadata")
            if kind in _NAMED_KINDS and not (isinstance(meta, dict) and meta.get("name")):
                raise ManifestError(
                    f"{path}: a {kind} without metadata.name (kubectl apply refuses it)"
                )
            try:
                if kind == "Namespace":
                    namespaces.append(parse.namespace(doc))
                elif kind == "NetworkPolicy":
                    policies.append(parse.policy(doc, default_namespace=default_namespace))
                elif kind == "Pod":
                    pods.append(parse.pod(doc, default_namespace=default_namespace))
                elif kind in WORKLOADS or kind == "CronJob":
                    template = parse.pod(_template_pod(doc, default_namespace))
                    pods.append(replace(template, template_of=str(kind)))
                elif kind == "Service":
                    services.append(parse.service(doc, default_namespace=default_namespace))
                elif kind == "EndpointSlice":
                    found = parse.endpoint_slice(doc)
                    if found is not None:
                        slices.append(found)
            except (parse.ObjectError, AttributeError, KeyError, TypeError, ValueError) as exc:
                # AttributeError: a string or list where the API has an object (`spec: oops`);
                # the parsers trust the API's shapes, which a hand-written manifest need not have.
                if isinstance(exc, AttributeError):
                    exc = ValueError(
                        "a field has the wrong type (a string or list where the API expects an "
                        "object); check it with `kubectl apply --dry-run=server -f FILE`"
                    )
                meta = doc.get("metadata")
                name = meta.get("name") if isinstance(meta, dict) else None
                raise ManifestError(f"{path}: {kind} {name}: {exc}") from None
    return Snapshot(
        namespaces=_latest(namespaces),
        pods=_latest(pods),
        policies=_latest(policies),
        services=_latest(services),
        endpoint_slices=tuple(slices),
        live=False,
        sources=tuple(files),
    )


def _latest(objects: Iterable[T]) -> tuple[T, ...]:
    """One object per identity, the later manifest winning, as `kubectl apply` of the files
    in that order would leave it (two versions of one policy are not the union of both)."""
    found: dict[tuple[str, str, str, str | None], T] = {}
    for obj in objects:
        key = (
            type(obj).__name__,
            str(getattr(obj, "namespace", "")),
            str(getattr(obj, "name", "")),
            getattr(obj, "template_of", None),
        )
        found.pop(key, None)
        found[key] = obj
    return tuple(found.values())
