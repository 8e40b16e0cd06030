"""Defaulting, validation and Pod Security admission, as the real API server does them.

Sources: pkg/apis/core/v1/defaults.go and pkg/apis/networking/v1/defaults.go (defaults),
pkg/apis/core/validation/validation.go (ephemeral container rules),
k8s.io/pod-security-admission/policy/check_*.go (restricted/baseline checks and messages).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from tests.sandbox.status import (
    ApiError,
    Cause,
    Resource,
    bad_request,
    forbidden_reason,
    invalid,
)

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
NODE_NAME = "sandbox-node"


def validate_name(*, kind: str, group: str, name: str | None) -> None:
    if not name:
        raise invalid(kind=kind, group=group, name="", causes=[
            Cause("metadata.name", "Required value: name or generateName is required",
                  "FieldValueRequired")])
    if len(name) > 253 or not DNS_SUBDOMAIN.match(name):
        raise invalid(kind=kind, group=group, name=name, causes=[Cause(
            "metadata.name", f'Invalid value: "{name}": a lowercase RFC 1123 subdomain must '
            "consist of lower case alphanumeric characters, '-' or '.', and must start and "
            "end with an alphanumeric character (e.g. 'example.com', regex used for "
            "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")])


def _pull_policy(image: str) -> str:
    # defaults.go SetDefaults_Container: Always for :latest or untagged, else IfNotPresent
    last = image.rsplit("/", 1)[-1]
    if "@" in last:
        return "IfNotPresent"
    return "Always" if ":" not in last or last.endswith(":latest") else "IfNotPresent"


def default_container(c: dict, *, ephemeral: bool = False) -> None:
    c.setdefault("imagePullPolicy", _pull_policy(c.get("image", "")))
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    if not ephemeral:
        c.setdefault("resources", {})
    for p in c.get("ports") or []:
        p.setdefault("protocol", "TCP")


def default_pod(pod: dict) -> None:
    spec = pod.setdefault("spec", {})
    for c in spec.get("containers") or []:
        default_container(c)
    for c in spec.get("initContainers") or []:
        default_container(c)
    for c in spec.get("ephemeralContainers") or []:
        default_container(c, ephemeral=True)
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("serviceAccountName", "default")
    spec.setdefault("serviceAccount", spec["serviceAccountName"])
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    spec.setdefault("nodeName", NODE_NAME)  # the scheduler's job; one node
    spec.setdefault("tolerations", [
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
         "tolerationSeconds": 300},
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
         "tolerationSeconds": 300}])
    pod["status"] = {"phase": "Pending", "qosClass": "BestEffort"}


def validate_pod(pod: dict) -> None:
    name = pod["metadata"]["name"]
    spec = pod.get("spec") or {}
    if not spec.get("containers"):
        raise invalid(kind="Pod", group="", name=name, causes=[
            Cause("spec.containers", "Required value", "FieldValueRequired")])
    seen: set[str] = set()
    for i, c in enumerate(spec["containers"]):
        cname = c.get("name") or ""
        if not DNS_LABEL.match(cname):
            raise invalid(kind="Pod", group="", name=name, causes=[
                Cause(f"spec.containers[{i}].name", f'Invalid value: "{cname}": a lowercase '
                      "RFC 1123 label must consist of lower case alphanumeric characters or "
                      "'-', and must start and end with an alphanumeric character")])
        if cname in seen:
            raise invalid(kind="Pod", group="", name=name, causes=[Cause(
                f"spec.containers[{i}].name", f'Duplicate value: "{cname}"',
                "FieldValueDuplicate")])
        seen.add(cname)
        if not c.get("image"):
            raise invalid(kind="Pod", group="", name=name, causes=[Cause(
                f"spec.containers[{i}].image", "Required value", "FieldValueRequired")])


_EPHEMERAL_FORBIDDEN = {
    "ports": "cannot be set on ephemeral containers",
    "livenessProbe": "cannot be set on ephemeral containers",
    "readinessProbe": "cannot be set on ephemeral containers",
    "startupProbe": "cannot be set on ephemeral containers",
    "lifecycle": "cannot be set on ephemeral containers",
    "resources": "cannot be set for an Ephemeral Container",
}


def validate_ephemeral_update(*, old: Mapping, new: Mapping) -> None:
    """validation.go ValidatePodEphemeralContainersUpdate + validateEphemeralContainers."""
    name = old["metadata"]["name"]
    old_ecs = {c["name"]: c for c in (old.get("spec") or {}).get("ephemeralContainers") or []}
    new_list = (new.get("spec") or {}).get("ephemeralContainers") or []
    new_ecs = {c.get("name"): c for c in new_list}
    for ename, c in old_ecs.items():
        if new_ecs.get(ename) != c:
            # the real message names the container that changed or went missing
            raise invalid(kind="Pod", group="", name=name, causes=[Cause(
                "spec.ephemeralContainers",
                f'Forbidden: existing ephemeral containers "{ename}" may not be changed',
                "FieldValueForbidden")])
    others = {c["name"] for key in ("containers", "initContainers")
              for c in (old.get("spec") or {}).get(key) or []}
    seen: set[str] = set()
    for i, c in enumerate(new_list):
        ename = c.get("name") or ""
        path = f"spec.ephemeralContainers[{i}]"
        if ename in old_ecs:
            seen.add(ename)
            continue
        if not ename:
            raise invalid(kind="Pod", group="", name=name, causes=[
                Cause(f"{path}.name", "Required value", "FieldValueRequired")])
        if not DNS_LABEL.match(ename) or len(ename) > 63:
            raise invalid(kind="Pod", group="", name=name, causes=[Cause(
                f"{path}.name", f'Invalid value: "{ename}": a lowercase RFC 1123 label must '
                "consist of lower case alphanumeric characters or '-', and must start and end "
                "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")])
        if ename in others or ename in seen:
            raise invalid(kind="Pod", group="", name=name, causes=[Cause(
                f"{path}.name", f'Duplicate value: "{ename}"', "FieldValueDuplicate")])
        seen.add(ename)
        if not c.get("image"):
            raise invalid(kind="Pod", group="", name=name, causes=[Cause(
                f"{path}.image", "Required value", "FieldValueRequired")])
        for f, msg in _EPHEMERAL_FORBIDDEN.items():
            if c.get(f):
                raise invalid(kind="Pod", group="", name=name, causes=[Cause(
                    f"{path}.{f}", f"Forbidden: {msg}", "FieldValueForbidden")])


def default_network_policy(np: dict) -> None:
    """networking/v1 defaults + registry strategy: policyTypes and port protocol."""
    spec = np.setdefault("spec", {})
    spec.setdefault("podSelector", {})
    for direction in ("ingress", "egress"):
        for rule in spec.get(direction) or []:
            for p in rule.get("ports") or []:
                p.setdefault("protocol", "TCP")
    if not spec.get("policyTypes"):
        # networking/v1 SetDefaults_NetworkPolicy: Ingress always, Egress if egress rules given
        types = ["Ingress"]
        if spec.get("egress"):
            types.append("Egress")
        spec["policyTypes"] = types
    np.setdefault("metadata", {}).setdefault("generation", 1)


def default_service(svc: dict, *, cluster_ip: str) -> None:
    spec = svc.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    spec.setdefault("internalTrafficPolicy", "Cluster")
    spec.setdefault("ipFamilies", ["IPv4"])
    spec.setdefault("ipFamilyPolicy", "SingleStack")
    if spec.get("clusterIP") != "None":
        spec.setdefault("clusterIP", cluster_ip)
        spec.setdefault("clusterIPs", [spec["clusterIP"]])
    for p in spec.get("ports") or []:
        p.setdefault("protocol", "TCP")
        p.setdefault("targetPort", p.get("port"))
    svc["status"] = {"loadBalancer": {}}


# ---- Pod Security admission -------------------------------------------------------------

_BASELINE_CAPS = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                  "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}


def _containers(spec: Mapping) -> list[Mapping]:
    return [c for key in ("initContainers", "containers", "ephemeralContainers")
            for c in spec.get(key) or []]


def _who(names: list[str]) -> str:
    # check_*.go: `container "a"` or `containers "a", "b"`
    quoted = ", ".join(f'"{n}"' for n in names)
    return f"container {quoted}" if len(names) == 1 else f"containers {quoted}"


def pod_security_violations(spec: Mapping, *, level: str) -> list[str]:
    """Returns `<check> (<detail>)` strings, sorted by check ID like the real evaluator."""
    if level not in ("baseline", "restricted"):
        return []
    psc = spec.get("securityContext") or {}
    cs = _containers(spec)
    found: dict[str, str] = {}

    def sc(c: Mapping) -> Mapping:
        return c.get("securityContext") or {}

    # baseline: hostNamespaces, privileged, capabilities_baseline
    host = [f"{k}=true" for k in ("hostNetwork", "hostPID", "hostIPC") if spec.get(k)]
    if host:
        found["hostNamespaces"] = f"host namespaces ({', '.join(host)})"
    priv = [c["name"] for c in cs if sc(c).get("privileged")]
    if priv:
        found["privileged"] = (f"privileged ({_who(priv)} must not set "
                               "securityContext.privileged=true)")
    bad_add = {c["name"]: sorted(set((sc(c).get("capabilities") or {}).get("add") or [])
                                 - _BASELINE_CAPS) for c in cs}
    bad_add = {k: v for k, v in bad_add.items() if v}
    if bad_add and level == "baseline":  # restricted's own check overrides this one
        found["capabilities_baseline"] = "non-default capabilities (" + "; ".join(
            f"{_who([n])} must not include " + ", ".join(f'"{x}"' for x in v)
            + " in securityContext.capabilities.add" for n, v in bad_add.items()) + ")"
    if level == "restricted":
        ape = [c["name"] for c in cs if sc(c).get("allowPrivilegeEscalation") is not False]
        if ape:
            found["allowPrivilegeEscalation"] = (
                f"allowPrivilegeEscalation != false ({_who(ape)} must set "
                "securityContext.allowPrivilegeEscalation=false)")
        no_drop = [c["name"] for c in cs
                   if "ALL" not in ((sc(c).get("capabilities") or {}).get("drop") or [])]
        add_r = {c["name"]: [x for x in (sc(c).get("capabilities") or {}).get("add") or []
                             if x != "NET_BIND_SERVICE"] for c in cs}
        add_r = {k: v for k, v in add_r.items() if v}
        parts = []
        if no_drop:
            parts.append(f'{_who(no_drop)} must set securityContext.capabilities.drop=["ALL"]')
        for n, v in add_r.items():
            caps = ", ".join(f'"{x}"' for x in v)
            parts.append(f"{_who([n])} must not include {caps} in "
                         "securityContext.capabilities.add")
        if parts:
            found["capabilities_restricted"] = f"unrestricted capabilities ({'; '.join(parts)})"
        # runAsNonRoot: container value wins; unset container inherits the pod's
        explicit_false = [c["name"] for c in cs if sc(c).get("runAsNonRoot") is False]
        unset = [c["name"] for c in cs if sc(c).get("runAsNonRoot") is None]
        rnr = []
        if psc.get("runAsNonRoot") is False:
            rnr.append("pod must not set securityContext.runAsNonRoot=false")
        if explicit_false:
            rnr.append(f"{_who(explicit_false)} must not set securityContext.runAsNonRoot=false")
        if psc.get("runAsNonRoot") is not True and unset:
            rnr.append(f"pod or {_who(unset)} must set securityContext.runAsNonRoot=true")
        if rnr:
            found["runAsNonRoot"] = f"runAsNonRoot != true ({'; '.join(rnr)})"
        root = [c["name"] for c in cs if sc(c).get("runAsUser") == 0]
        ru = []
        if psc.get("runAsUser") == 0:
            ru.append("pod must not set runAsUser=0")
        if root:
            ru.append(f"{_who(root)} must not set runAsUser=0")
        if ru:
            found["runAsUser"] = f"runAsUser=0 ({'; '.join(ru)})"
        pod_type = (psc.get("seccompProfile") or {}).get("type")
        unconf = [c["name"] for c in cs
                  if (sc(c).get("seccompProfile") or {}).get("type") == "Unconfined"]
        unset_s = [c["name"] for c in cs if not (sc(c).get("seccompProfile") or {}).get("type")]
        sp = []
        if pod_type == "Unconfined":
            sp.append('pod must not set securityContext.seccompProfile.type to "Unconfined"')
        if unconf:
            sp.append(f'{_who(unconf)} must not set securityContext.seccompProfile.type to '
                      '"Unconfined"')
        if pod_type not in ("RuntimeDefault", "Localhost") and unset_s:
            sp.append(f'pod or {_who(unset_s)} must set securityContext.seccompProfile.type '
                      'to "RuntimeDefault" or "Localhost"')
        if sp:
            found["seccompProfile_restricted"] = f"seccompProfile ({'; '.join(sp)})"
    return [found[k] for k in sorted(found)]


def enforce_pod_security(*, namespace: Mapping | None, pod: Mapping) -> None:
    """403 with `violates PodSecurity "restricted:latest": ...` when the ns enforces a level."""
    labels = ((namespace or {}).get("metadata") or {}).get("labels") or {}
    level = labels.get("pod-security.kubernetes.io/enforce")
    if not level or level == "privileged":
        return
    version = labels.get("pod-security.kubernetes.io/enforce-version", "latest")
    violations = pod_security_violations(pod.get("spec") or {}, level=level)
    if violations:
        raise forbidden_reason(
            res=Resource("", "pods"), name=pod["metadata"]["name"],
            why=f'violates PodSecurity "{level}:{version}": ' + ", ".join(violations))


def require_kind(obj: object, *, kind: str, api_version: str) -> dict:
    if not isinstance(obj, dict):
        raise bad_request("the object provided is unrecognized (must be of type "
                          f"{kind})")
    k, av = obj.get("kind"), obj.get("apiVersion")
    if av and av != api_version:
        raise bad_request(f"the API version in the data ({av}) does not match the expected "
                          f"API version ({api_version})")
    if k and k != kind:
        version = api_version.rsplit("/", maxsplit=1)[-1]
        raise bad_request(f'{k} in version "{version}" cannot be handled as a {kind}')
    return obj


__all__ = ["ApiError"]
