"""doctor: every check prepare/execute/cleanup depend on, in parallel, in a few seconds.

The server is asked first (an unreachable cluster or a bad kubeconfig is one clear error, not
thirty failed checks); then permissions, Pod Security, sources, the image and the CNI are
checked at once, each on its own thread, since each is one to a dozen small reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from kubectl_netpoltest.cluster.gateway import ClusterGateway, PodInfo
from kubectl_netpoltest.cluster.inspector import ClusterInspector, PodDetails
from kubectl_netpoltest.core.findings import Area, Finding, Status, ordered
from kubectl_netpoltest.core.model import PodRef, PodTarget, Probe
from kubectl_netpoltest.engine import doctor_checks as checks
from kubectl_netpoltest.engine import instrument
from kubectl_netpoltest.errors import ClusterError, Forbidden, Unreachable

Check = Callable[[], list[Finding]]


@dataclass(frozen=True)
class DoctorOptions:
    image: str = instrument.DEFAULT_IMAGE
    rbac_flag: str = "--user <you>"
    """How the printed `rbac` fix names the subject (the CLI fills in what it knows)."""


def _guard(area: Area, subject: str, check: Check) -> Check:
    """A check that raises becomes its own finding; the others still run."""

    def run() -> list[Finding]:
        try:
            return check()
        except Forbidden as exc:
            return [
                Finding(
                    area, subject, Status.WARN, f"could not check: {exc.message}", exc.hint or ""
                )
            ]
        except ClusterError as exc:
            return [
                Finding(
                    area, subject, Status.FAIL, f"could not check: {exc.message}", exc.hint or ""
                )
            ]

    return run


def _list_pods(inspector: ClusterInspector, namespace: str) -> tuple[str, list[PodDetails] | str]:
    try:
        return namespace, inspector.list_pods(namespace=namespace)
    except ClusterError as exc:
        return namespace, f"cannot list pods in {namespace}: {exc.message}"


def run_doctor(
    *,
    inspector: ClusterInspector,
    gateway: ClusterGateway,
    probes: Sequence[Probe],
    options: DoctorOptions,
    namespaces: Sequence[str] = (),
) -> list[Finding]:
    """All findings, ordered by area. Raises only if the server cannot be reached at all.

    `namespaces` are checked like source namespaces even without probes (doctor without a
    spec checks -n's namespace)."""
    try:
        findings = checks.server(inspector)
    except (Unreachable, Forbidden):
        raise
    except ClusterError as exc:
        findings = [Finding(Area.SERVER, "version", Status.FAIL, exc.message, exc.hint or "")]
    sources: list[PodRef] = list(dict.fromkeys(p.source for p in probes))
    source_ns = sorted({s.namespace or "default" for s in sources} | set(namespaces))
    target_ns = sorted(
        {p.target.pod.namespace or "default" for p in probes if isinstance(p.target, PodTarget)}
        - set(source_ns)
    )
    with _pool(16) as pool:
        pods = dict(pool.map(lambda ns: _list_pods(inspector, ns), source_ns))
        chosen = _chosen_per_namespace(sources, pods)
        jobs: list[Check] = [_guard(Area.CNI, "cni", lambda: checks.cni_finding(inspector))]
        for ns in [*source_ns, *target_ns]:
            jobs.append(
                _guard(
                    Area.PERMISSIONS,
                    f"namespace {ns}",
                    _permissions(
                        inspector, ns, source=ns in source_ns, rbac_flag=options.rbac_flag
                    ),
                )
            )
        for ns in source_ns:
            jobs.append(
                _guard(
                    Area.POD_SECURITY,
                    f"namespace {ns}",
                    _pod_security(inspector, ns, chosen.get(ns), options.image),
                )
            )
        jobs.append(_guard(Area.SOURCES, "sources", lambda: checks.sources(sources, pods)))
        all_pods = [
            d.info for listed in pods.values() if not isinstance(listed, str) for d in listed
        ]
        jobs.append(
            _guard(
                Area.IMAGE,
                options.image,
                lambda: checks.image(gateway, image=options.image, pods=all_pods),
            )
        )
        for result in pool.map(lambda job: job(), jobs):
            findings += result
    return ordered(findings)


@contextmanager
def _pool(workers: int) -> Iterator[ThreadPoolExecutor]:
    """A pool that, on Ctrl-C/SIGTERM, does not join workers blocked on a frozen server
    (`with ThreadPoolExecutor()` would, until every request timed out)."""
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        yield pool
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    except BaseException:
        pool.shutdown(wait=True)
        raise
    pool.shutdown(wait=True)


def _permissions(inspector: ClusterInspector, ns: str, *, source: bool, rbac_flag: str) -> Check:
    return lambda: checks.permissions(inspector, namespace=ns, source=source, rbac_flag=rbac_flag)


def _pod_security(inspector: ClusterInspector, ns: str, pod: PodInfo | None, image: str) -> Check:
    return lambda: checks.pod_security(inspector, namespace=ns, pod=pod, image=image)


def _chosen_per_namespace(
    sources: Sequence[PodRef], pods: dict[str, list[PodDetails] | str]
) -> dict[str, PodInfo]:
    """One pod per namespace to dry-run the debug container against: a source's if any."""
    out: dict[str, PodInfo] = {}
    for ref in sources:
        ns = ref.namespace or "default"
        listed = pods.get(ns)
        if ns in out or listed is None or isinstance(listed, str):
            continue
        pod = instrument.choose(instrument.candidates(ref, [d.info for d in listed]))
        if pod is not None:
            out[ns] = pod
    for ns, listed in pods.items():  # no source here (doctor without a spec): any usable pod
        if ns not in out and not isinstance(listed, str):
            usable = [
                d.info
                for d in listed
                if d.info.ready and d.info.phase == "Running" and not d.info.host_network
            ]
            if usable:
                out[ns] = usable[0]
    return out
