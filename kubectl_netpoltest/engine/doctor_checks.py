"""The individual doctor checks: each reads a little, and returns findings with their fix.

Each check is independent, so doctor runs them in parallel; a refused read becomes a finding
(what could not be checked, and the permission that would allow it), never an abort.
"""

from __future__ import annotations

from collections.abc import Sequence

from kubectl_netpoltest.cluster.gateway import ClusterGateway, PodInfo
from kubectl_netpoltest.cluster.inspector import ClusterInspector, PodDetails
from kubectl_netpoltest.core.findings import Area, Finding, Status
from kubectl_netpoltest.core.model import PodRef
from kubectl_netpoltest.core.rbac import RULES
from kubectl_netpoltest.core.verdict import MESH_SIDECARS
from kubectl_netpoltest.engine import instrument
from kubectl_netpoltest.engine.cnidetect import detect_cni
from kubectl_netpoltest.errors import ClusterError, Forbidden

MIN_MINOR = 25
"""Ephemeral containers are GA (and served by default) from Kubernetes 1.25."""
PSA_ENFORCE = "pod-security.kubernetes.io/enforce"
TOOLS = ("bash", "nc", "dig", "getent")
_TOOL_CHECK = "for t in " + " ".join(TOOLS) + '; do command -v "$t" >/dev/null || echo "$t"; done'


def server(inspector: ClusterInspector) -> list[Finding]:
    version = inspector.server_version()
    findings = []
    if (version.major, version.minor) >= (1, MIN_MINOR):
        findings.append(
            Finding(Area.SERVER, "version", Status.PASS, f"Kubernetes {version.git_version}")
        )
    else:
        findings.append(
            Finding(
                Area.SERVER,
                "version",
                Status.FAIL,
                f"Kubernetes {version.git_version} is older than 1.{MIN_MINOR}",
                "upgrade the cluster: ephemeral containers are GA from 1.25",
            )
        )
    served = inspector.served_resources(group_version="v1") or frozenset()
    if "pods/ephemeralcontainers" in served:
        findings.append(
            Finding(
                Area.SERVER, "ephemeral containers", Status.PASS, "pods/ephemeralcontainers served"
            )
        )
    else:
        findings.append(
            Finding(
                Area.SERVER,
                "ephemeral containers",
                Status.FAIL,
                "the API server does not serve pods/ephemeralcontainers",
                "enable the EphemeralContainers feature (Kubernetes 1.25+ has it on by default)",
            )
        )
    return findings


def permissions(
    inspector: ClusterInspector, *, namespace: str, source: bool, rbac_flag: str
) -> list[Finding]:
    """SelfSubjectAccessReview for each verb the tool uses in the namespace.

    Source namespaces need everything prepare/execute/cleanup do (a gap is a FAIL) plus what
    generate/enforce-time read (a gap is a WARN); namespaces that only hold targets need pods
    list (execute looks up the target pods' IPs)."""
    wanted = (
        [
            (verb, resource, rule.api_group, rule.optional)
            for rule in RULES
            if not rule.cluster_only
            for resource in rule.resources
            for verb in rule.verbs
        ]
        if source
        else [("list", "pods", "", False)]
    )
    reviews = [
        (inspector.can_i(verb=v, resource=r, group=g, namespace=namespace), optional)
        for v, r, g, optional in wanted
    ]
    missing = [f"{r.verb} {r.resource}" for r, opt in reviews if not r.allowed and not opt]
    extra = [f"{r.verb} {r.resource}" for r, opt in reviews if not r.allowed and opt]
    subject = f"namespace {namespace}"
    fix = (
        f"ask an admin to run: kubectl netpoltest rbac -n {namespace} {rbac_flag} "
        "| kubectl apply -f -"
    )
    if missing:
        message = f"missing: {', '.join(missing + extra)}"
        return [Finding(Area.PERMISSIONS, subject, Status.FAIL, message, fix)]
    if extra:
        message = (
            f"enough for prepare/execute/cleanup; missing what only predictions, generate, "
            f"enforce-time or cleanup's replica hint use: {', '.join(extra)}"
        )
        return [Finding(Area.PERMISSIONS, subject, Status.WARN, message, fix)]
    role = "source" if source else "targets only"
    message = f"all {len(reviews)} permissions ({role})"
    return [Finding(Area.PERMISSIONS, subject, Status.PASS, message)]


def pod_security(
    inspector: ClusterInspector, *, namespace: str, pod: PodInfo | None, image: str
) -> list[Finding]:
    """The namespace's enforce level, and a server-side dry-run of adding the debug container:
    Pod Security judges the whole pod, so a pod created before the namespace was labelled
    can refuse even our compliant container."""
    subject = f"namespace {namespace}"
    try:
        ns = inspector.get_namespace(name=namespace)
        if ns is None:  # not 'privileged (no label)': a typo must not pass
            message = f"namespace {namespace} does not exist"
            fix = "check the spec's namespace and -n/--context (kubectl get namespaces)"
            return [Finding(Area.POD_SECURITY, subject, Status.FAIL, message, fix)]
        labels = (ns.get("metadata") or {}).get("labels") or {}
        level = labels.get(PSA_ENFORCE, "privileged (no enforce label)")
        where = f"Pod Security enforce level: {level}"
    except Forbidden:
        where = "Pod Security level unknown (cannot get the namespace)"
    if pod is None:
        message = f"{where}; no source pod to dry-run the debug container against"
        return [Finding(Area.POD_SECURITY, subject, Status.WARN, message)]
    container = instrument.debug_container(
        name=instrument.container_name(taken=pod.ephemeral_specs), image=image, ttl_seconds=60
    )
    try:
        inspector.dry_run_ephemeral(namespace=namespace, pod=pod.name, container=container)
    except ClusterError as exc:
        if isinstance(exc, Forbidden) and "PodSecurity" not in exc.message:
            # Not allowed to patch at all: that is a permissions finding, not a refusal.
            message = f"{where}; server-side dry-run not possible: {exc.message}"
            return [Finding(Area.POD_SECURITY, subject, Status.WARN, message)]
        message = (
            f"{where}; the debug container would be refused in {pod.ref} (server-side "
            f"dry-run): {exc.message}"
        )
        fix = (
            "relabel the namespace (pod-security.kubernetes.io/enforce) or fix the pod so the "
            "whole pod meets the level; ephemeral containers are checked with their pod"
        )
        return [Finding(Area.POD_SECURITY, subject, Status.FAIL, message, fix)]
    message = f"{where}; debug container admitted in {pod.ref} (server-side dry-run)"
    return [Finding(Area.POD_SECURITY, subject, Status.PASS, message)]


def sources(refs: Sequence[PodRef], pods: dict[str, list[PodDetails] | str]) -> list[Finding]:
    findings = []
    for ref in refs:
        namespace = ref.namespace or "default"
        subject = f"source {ref.name} ({ref.describe()})"
        listed = pods[namespace]
        if isinstance(listed, str):
            findings.append(Finding(Area.SOURCES, subject, Status.FAIL, listed))
            continue
        by_name = {p.info.name: p for p in listed}
        found = instrument.candidates(ref, [p.info for p in listed])
        chosen = instrument.choose(found)
        if chosen is None:
            reason = (
                "only hostNetwork pods match (probes would leave from the node, not a pod)"
                if found.host_network
                else f"{len(found.not_ready)} matching pod(s), none Ready"
                if found.not_ready
                else "no pod matches"
            )
            findings.append(
                Finding(
                    Area.SOURCES,
                    subject,
                    Status.FAIL,
                    reason,
                    "check the spec's podname/selector and namespace, or the workload",
                )
            )
            continue
        details = by_name[chosen.name]
        if details.os and details.os != "linux":
            findings.append(
                Finding(
                    Area.SOURCES,
                    subject,
                    Status.FAIL,
                    f"{chosen.ref} runs on {details.os} nodes, which are not supported",
                    "choose a Linux source pod",
                )
            )
            continue
        sidecar = next((c for c in chosen.containers if c in MESH_SIDECARS), None)
        if sidecar:
            findings.append(
                Finding(
                    Area.SOURCES,
                    subject,
                    Status.WARN,
                    f"{chosen.ref} has the service-mesh sidecar {sidecar}: TCP connects end "
                    "at the local proxy, so allowed TCP probes will be inconclusive (ERROR)",
                    "use a source without the sidecar, or accept inconclusive TCP results",
                )
            )
            continue
        findings.append(Finding(Area.SOURCES, subject, Status.PASS, f"{chosen.ref} is Ready"))
    return findings


def image(gateway: ClusterGateway, *, image: str, pods: Sequence[PodInfo]) -> list[Finding]:
    """Pull and tools, judged from a debug container of this image that already exists.

    Doctor starts nothing, so with no such container it says so (WARN) rather than pretend."""
    subject = image
    for pod in pods:
        for state in pod.ephemeral:
            if state.image != image or not state.name.startswith(instrument.CONTAINER_PREFIX):
                continue
            if state.state == "waiting" and state.reason in ("ErrImagePull", "ImagePullBackOff"):
                return [
                    Finding(
                        Area.IMAGE,
                        subject,
                        Status.FAIL,
                        f"cannot be pulled ({pod.ref}): {state.message or state.reason}",
                        "use --image with a mirror the nodes can pull from",
                    )
                ]
            if state.state == "running":
                return _tools(gateway, pod=pod, container=state.name, subject=subject)
    return [
        Finding(
            Area.IMAGE,
            subject,
            Status.WARN,
            "pull and tools not checked: no debug container of this image exists yet and "
            "doctor starts none; prepare reports pull errors and missing tools",
            "run doctor again after prepare to check the tools",
        )
    ]


def _tools(gateway: ClusterGateway, *, pod: PodInfo, container: str, subject: str) -> list[Finding]:
    lines: list[str] = []
    try:
        result = gateway.exec_lines(
            namespace=pod.namespace,
            pod=pod.name,
            container=container,
            argv=["sh", "-c", _TOOL_CHECK],
            timeout_seconds=20,
            on_line=lines.append,
        )
    except ClusterError as exc:
        return [
            Finding(
                Area.IMAGE,
                subject,
                Status.WARN,
                f"pulled ({pod.ref}); tools not checked: {exc.message}",
            )
        ]
    missing = [line.strip() for line in lines if line.strip()]
    if result.status.exit_code not in (0, None) and not missing:
        return [
            Finding(
                Area.IMAGE,
                subject,
                Status.WARN,
                f"pulled ({pod.ref}); tools not checked: {result.status.message}",
            )
        ]
    if missing:
        return [
            Finding(
                Area.IMAGE,
                subject,
                Status.FAIL,
                f"pulled, but lacks {', '.join(missing)} (checked in {pod.ref})",
                "use an image with bash, netcat-openbsd, dig and getent",
            )
        ]
    return [
        Finding(
            Area.IMAGE,
            subject,
            Status.PASS,
            f"pulled and has {', '.join(TOOLS)} (checked in {pod.ref}/{container})",
        )
    ]


def cni_finding(inspector: ClusterInspector) -> list[Finding]:
    report = detect_cni(inspector)
    notes = "; ".join(report.notes)
    tail = f" (note: {notes})" if notes else ""
    if report.enforces is False:
        return [
            Finding(
                Area.CNI,
                report.cni or "unknown",
                Status.FAIL,
                report.why + tail,
                "install or enable a CNI that enforces NetworkPolicy; every deny test would FAIL",
            )
        ]
    if report.enforces is None:
        return [
            Finding(
                Area.CNI,
                "unknown",
                Status.WARN,
                f"{report.why}{tail}; --cni-mode auto will use {report.mode.value}",
                "pass --cni-mode reject if your CNI answers denied traffic with a reset "
                "or port-unreachable",
            )
        ]
    return [
        Finding(
            Area.CNI,
            report.cni or "unknown",
            Status.PASS,
            f"{report.why}{tail}; --cni-mode auto will use {report.mode.value}",
        )
    ]
