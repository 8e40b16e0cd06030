"""A minimal decoder for the Kubernetes protobuf envelope, for the few kinds kubectl sends
that way.

kubectl's typed clients (`kubectl auth can-i`, `kubectl create namespace`, `kubectl create
deployment`) send `application/vnd.kubernetes.protobuf` bodies and client-go does not fall
back to JSON on 415. Pods, workloads and Services: protobuf_pods.py.
Wire format: magic `k8s\\0` + runtime.Unknown{typeMeta=1{apiVersion=1, kind=2}, raw=2}; field
numbers from k8s.io/api/*/generated.proto. Other kinds get the real 415.
"""

from __future__ import annotations

from typing import Any

MAGIC = b"k8s\x00"


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def fields(buf: bytes) -> list[tuple[int, Any]]:
    """(field number, value) pairs; length-delimited values stay bytes."""
    out, i = [], 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, i = _varint(buf, i)
        elif wt == 2:
            n, i = _varint(buf, i)
            val, i = buf[i:i + n], i + n
        elif wt == 1:
            val, i = buf[i:i + 8], i + 8
        elif wt == 5:
            val, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported wire type {wt}")
        out.append((num, val))
    return out


def _strs(buf: bytes, names: dict[int, str]) -> dict[str, str]:
    return {names[n]: v.decode() for n, v in fields(buf) if n in names and v}


def object_meta(buf: bytes) -> dict:
    md: dict[str, Any] = _strs(buf, {1: "name", 2: "generateName", 3: "namespace"})
    for n, v in fields(buf):
        if n in (11, 12):  # labels, annotations: map entries {key=1, value=2}
            entry = {k: x.decode() for k, x in fields(v)}
            md.setdefault("labels" if n == 11 else "annotations", {})[entry.get(1, "")] = \
                entry.get(2, "")
    return md


def _ssar(raw: bytes) -> dict:
    spec: dict[str, Any] = {}
    for n, v in fields(raw):
        if n == 2:
            for sn, sv in fields(v):
                if sn == 1:
                    spec["resourceAttributes"] = _strs(sv, {
                        1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource",
                        6: "subresource", 7: "name"})
                elif sn == 2:
                    spec["nonResourceAttributes"] = _strs(sv, {1: "path", 2: "verb"})
    return {"spec": spec}


def _namespace(raw: bytes) -> dict:
    out: dict[str, Any] = {"metadata": {}}
    for n, v in fields(raw):
        if n == 1:
            out["metadata"] = object_meta(v)
    return out


_DECODERS = {("authorization.k8s.io/v1", "SelfSubjectAccessReview"): _ssar,
             ("v1", "Namespace"): _namespace}


def decode(body: bytes) -> dict | None:
    """The object as JSON-shaped dict, or None for kinds this decoder doesn't know."""
    if not body.startswith(MAGIC):
        return None
    api_version = kind = ""
    raw = b""
    for n, v in fields(body[len(MAGIC):]):
        if n == 1:
            tm = _strs(v, {1: "apiVersion", 2: "kind"})
            api_version, kind = tm.get("apiVersion", ""), tm.get("kind", "")
        elif n == 2:
            raw = v
    from tests.sandbox.apiserver.protobuf_pods import DECODERS  # imports this module

    dec = _DECODERS.get((api_version, kind)) or DECODERS.get((api_version, kind))
    if dec is None:
        return None
    return {"apiVersion": api_version, "kind": kind, **dec(raw)}
