"""The tool check at prepare time: one short exec in the new debug container.

Why at prepare: an image that cannot run the probes (no bash, busybox's nc, no getent or dig)
used to show up only at execute, as one ERROR per probe. Asking the container once, right
after it starts, lets prepare say what will not work and which image to use instead, before
any probe runs (core/probe/toolcheck.py has the script and what each answer means).

A check that cannot run at all (RBAC without pods/exec, a slow API server) is a warning, never
a failure: execute reports those problems precisely anyway, and prepare's job is done.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubectl_netpoltest.cluster.execstatus import ExecStatusKind
from kubectl_netpoltest.cluster.gateway import ClusterGateway
from kubectl_netpoltest.core.probe.toolcheck import (
    TOOLCHECK_SCRIPT,
    Severity,
    ToolFinding,
    assess,
    parse_toolcheck,
)
from kubectl_netpoltest.errors import ClusterError

TOOLCHECK_TIMEOUT_SECONDS = 20.0
"""The check runs a handful of local commands; no lookup leaves the pod."""


@dataclass(frozen=True)
class ToolCheck:
    summary: str
    """What the image has, e.g. "bash 5.2, nc openbsd, getent ahosts, dig, timeout"."""
    findings: tuple[ToolFinding, ...]

    @property
    def fatal(self) -> ToolFinding | None:
        return next((f for f in self.findings if f.severity is Severity.FATAL), None)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(f.message for f in self.findings if f.severity is Severity.WARNING)


def check_tools(
    *,
    gateway: ClusterGateway,
    namespace: str,
    pod: str,
    container: str,
    image: str,
    recommended: str,
) -> ToolCheck:
    """Run the tool check in `container` and judge the answer for `image`."""
    lines: list[str] = []
    use = f"prepare again with --image {recommended}"
    try:
        outcome = gateway.exec_lines(
            namespace=namespace,
            pod=pod,
            container=container,
            argv=["sh", "-c", TOOLCHECK_SCRIPT, "netpoltest-toolcheck"],
            timeout_seconds=TOOLCHECK_TIMEOUT_SECONDS,
            on_line=lines.append,
        )
    except ClusterError as exc:
        return ToolCheck(
            summary="not checked",
            findings=(
                ToolFinding(Severity.WARNING, f"could not check the tools in {image}: {exc}"),
            ),
        )
    status = outcome.status
    if status.kind is ExecStatusKind.EXEC_ERROR and "executable file not found" in status.message:
        return ToolCheck(
            summary="no sh",
            findings=(
                ToolFinding(
                    Severity.FATAL,
                    f"{image} has no sh (a distroless or scratch image?), so no probe can run; "
                    f"{use}",
                ),
            ),
        )
    tools = parse_toolcheck(lines)
    findings = assess(tools, image=image, recommended=recommended)
    if not tools.complete and status.kind is not ExecStatusKind.EXITED:
        reason = status.message or status.kind.value
        findings = [
            ToolFinding(Severity.WARNING, f"could not check the tools in {image}: {reason}")
        ]
    return ToolCheck(summary=tools.summary(), findings=tuple(findings))
