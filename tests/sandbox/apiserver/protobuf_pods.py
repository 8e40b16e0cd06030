"""Protobuf bodies of Pod, Deployment, ReplicaSet and Service (`kubectl create deployment`,
`kubectl create service`, typed client-go callers).

client-go's generated clientset sends built-in kinds as application/vnd.kubernetes.protobuf
and never falls back to JSON (k8s.io/client-go/kubernetes/clientset.go defaults ContentType to
protobuf; no 415 retry), so a faithful server must read them. Field numbers are the
`protobuf:"..."` tags of k8s.io/api/{core,apps}/v1/types.go (generated.proto), checked
against a body kubectl 1.32 sent. Go's gogo marshaller writes every non-pointer field, even
empty strings and zeros; those are dropped here, as JSON's omitempty would.
Only the fields the sandbox acts on are decoded (names, labels, images, commands, ports,
replicas, selectors, security context, hostNetwork); the rest is ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.sandbox.apiserver.protobuf import fields, object_meta


def _str(v: Any) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


def _map(entries: list[bytes]) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in entries:
        kv = dict(fields(e))
        out[_str(kv.get(1, b""))] = _str(kv.get(2, b""))
    return out


def _msg(buf: bytes, spec: dict[int, tuple[str, str, Any]]) -> dict[str, Any]:
    """Decode one message: spec maps field number → (json name, kind, sub-decoder).
    kinds: str, int (omit 0), ptrint (keep 0), bool, strs (repeated), msg, msgs, map."""
    out: dict[str, Any] = {}
    maps: dict[str, list[bytes]] = {}
    for num, val in fields(buf):
        if num not in spec:
            continue
        name, kind, sub = spec[num]
        if kind == "str" and val:
            out[name] = _str(val)
        elif (kind == "int" and val) or kind == "ptrint":
            out[name] = val
        elif kind == "bool" and val:
            out[name] = True
        elif kind == "strs":
            out.setdefault(name, []).append(_str(val))
        elif kind == "msg":
            out[name] = sub(val)
        elif kind == "msgs":
            out.setdefault(name, []).append(sub(val))
        elif kind == "map":
            maps.setdefault(name, []).append(val)
    for name, entries in maps.items():
        out[name] = _map(entries)
    return out


def _seccomp(b: bytes) -> dict[str, Any]:
    return _msg(b, {1: ("type", "str", None), 2: ("localhostProfile", "str", None)})


def _capabilities(b: bytes) -> dict[str, Any]:
    return _msg(b, {1: ("add", "strs", None), 2: ("drop", "strs", None)})


def _container_security(b: bytes) -> dict[str, Any]:
    return _msg(b, {1: ("capabilities", "msg", _capabilities), 2: ("privileged", "bool", None),
                    4: ("runAsUser", "ptrint", None), 5: ("runAsNonRoot", "bool", None),
                    6: ("readOnlyRootFilesystem", "bool", None),
                    7: ("allowPrivilegeEscalation", "ptrint", None),
                    8: ("runAsGroup", "ptrint", None), 11: ("seccompProfile", "msg", _seccomp)})


def _pod_security(b: bytes) -> dict[str, Any]:
    return _msg(b, {2: ("runAsUser", "ptrint", None), 3: ("runAsNonRoot", "bool", None),
                    6: ("runAsGroup", "ptrint", None), 10: ("seccompProfile", "msg", _seccomp)})


def _port(b: bytes) -> dict[str, Any]:
    return _msg(b, {1: ("name", "str", None), 2: ("hostPort", "int", None),
                    3: ("containerPort", "int", None), 4: ("protocol", "str", None),
                    5: ("hostIP", "str", None)})


def _env(b: bytes) -> dict[str, Any]:
    return _msg(b, {1: ("name", "str", None), 2: ("value", "str", None)})


def _container(b: bytes) -> dict[str, Any]:
    c = _msg(b, {1: ("name", "str", None), 2: ("image", "str", None),
                 3: ("command", "strs", None), 4: ("args", "strs", None),
                 5: ("workingDir", "str", None), 6: ("ports", "msgs", _port),
                 7: ("env", "msgs", _env), 14: ("imagePullPolicy", "str", None),
                 15: ("securityContext", "msg", _container_security),
                 16: ("stdin", "bool", None), 17: ("stdinOnce", "bool", None),
                 18: ("tty", "bool", None)})
    sc = c.get("securityContext")
    if sc and "allowPrivilegeEscalation" in sc:  # *bool travels as a varint
        sc["allowPrivilegeEscalation"] = bool(sc["allowPrivilegeEscalation"])
    return c


def pod_spec(b: bytes) -> dict[str, Any]:
    return _msg(b, {2: ("containers", "msgs", _container), 3: ("restartPolicy", "str", None),
                    4: ("terminationGracePeriodSeconds", "ptrint", None),
                    6: ("dnsPolicy", "str", None), 7: ("nodeSelector", "map", None),
                    8: ("serviceAccountName", "str", None), 10: ("nodeName", "str", None),
                    11: ("hostNetwork", "bool", None),
                    14: ("securityContext", "msg", _pod_security),
                    20: ("initContainers", "msgs", _container)})


def _template(b: bytes) -> dict[str, Any]:
    return _msg(b, {1: ("metadata", "msg", object_meta), 2: ("spec", "msg", pod_spec)})


def _requirement(b: bytes) -> dict[str, Any]:
    return _msg(b, {1: ("key", "str", None), 2: ("operator", "str", None),
                    3: ("values", "strs", None)})


def label_selector(b: bytes) -> dict[str, Any]:
    return _msg(b, {1: ("matchLabels", "map", None),
                    2: ("matchExpressions", "msgs", _requirement)})


def _workload_spec(b: bytes) -> dict[str, Any]:
    return _msg(b, {1: ("replicas", "ptrint", None), 2: ("selector", "msg", label_selector),
                    3: ("template", "msg", _template), 5: ("minReadySeconds", "int", None),
                    6: ("revisionHistoryLimit", "ptrint", None), 7: ("paused", "bool", None),
                    9: ("progressDeadlineSeconds", "ptrint", None)})


def _rs_spec(b: bytes) -> dict[str, Any]:
    # ReplicaSetSpec: replicas=1, selector=2, template=3, minReadySeconds=4
    return _msg(b, {1: ("replicas", "ptrint", None), 2: ("selector", "msg", label_selector),
                    3: ("template", "msg", _template), 4: ("minReadySeconds", "int", None)})


def _int_or_string(b: bytes) -> int | str:
    kv = dict(fields(b))
    return _str(kv.get(3, b"")) if kv.get(1) == 1 else int(kv.get(2, 0))


def _service_port(b: bytes) -> dict[str, Any]:
    return _msg(b, {1: ("name", "str", None), 2: ("protocol", "str", None),
                    3: ("port", "int", None), 4: ("targetPort", "msg", _int_or_string),
                    5: ("nodePort", "int", None)})


def _service_spec(b: bytes) -> dict[str, Any]:
    return _msg(b, {1: ("ports", "msgs", _service_port), 2: ("selector", "map", None),
                    3: ("clusterIP", "str", None), 4: ("type", "str", None)})


def _object(spec_decoder: Callable[[bytes], dict[str, Any]]) -> Callable[[bytes], dict[str, Any]]:
    def decode(raw: bytes) -> dict[str, Any]:
        out = _msg(raw, {1: ("metadata", "msg", object_meta), 2: ("spec", "msg", spec_decoder)})
        out.setdefault("metadata", {})
        return out
    return decode


DECODERS: dict[tuple[str, str], Callable[[bytes], dict[str, Any]]] = {
    ("v1", "Pod"): _object(pod_spec),
    ("apps/v1", "Deployment"): _object(_workload_spec),
    ("apps/v1", "ReplicaSet"): _object(_rs_spec),
    ("v1", "Service"): _object(_service_spec),
}
