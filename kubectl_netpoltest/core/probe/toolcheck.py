"""What the debug image can do, asked once at prepare time, and what that means for the probes.

Why: every verdict rests on the tools in the debug container. An image without bash, with
busybox's `nc` or with a `getent` that has no `ahosts` database used to show up only at execute
time, as one ERROR per probe. `prepare` now runs `TOOLCHECK_SCRIPT` (POSIX sh, so it also runs
where bash is missing) in the new container and says, before any probe, what will not work and
which image to use instead (docs/probe-images.md lists what each image has).

Output, one line per fact: `NPTC <key> <value>`; a line that is not one is ignored, a key that
is missing reads as "unknown" and is reported as such, never as present.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "TOOLCHECK_SCRIPT",
    "ImageTools",
    "Severity",
    "ToolFinding",
    "assess",
    "parse_toolcheck",
]

_PREFIX = "NPTC"

TOOLCHECK_SCRIPT = r"""
V=NPTC
have() { command -v "$1" >/dev/null 2>&1; }
say() { printf '%s %s %s\n' "$V" "$1" "$2"; }
if have bash; then
  say bash "$(bash -c 'printf %s "${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}"' 2>/dev/null)"
  err=$(bash -c 'exec 3<>/dev/udp/127.0.0.1/9' 2>&1)
  case $err in *"No such file"*) say devudp no ;; *) say devudp yes ;; esac
else
  say bash -
fi
if have nc; then
  case $(nc -h 2>&1 </dev/null) in
    *OpenBSD*) say nc openbsd ;;
    *BusyBox*) say nc busybox ;;
    *Ncat*) say nc ncat ;;
    *) say nc other ;;
  esac
else
  say nc -
fi
if have getent; then
  if getent ahosts 127.0.0.1 >/dev/null 2>&1; then say getent ahosts; else say getent hosts; fi
else
  say getent -
fi
if have dig; then say dig yes; else say dig -; fi
if have timeout; then say timeout yes; else say timeout -; fi
say done yes
"""
"""Run as `sh -c TOOLCHECK_SCRIPT netpoltest-toolcheck`: no argument is ever interpolated."""

MIN_BASH = (4, 3)
"""`wait -n` (the probe pool) and `{fd}<>` redirections need bash 4.3 or later."""


@dataclass(frozen=True)
class ImageTools:
    """What the toolcheck saw; None means the line never arrived (unknown, not absent)."""

    bash: str | None
    """Bash's "major.minor", or "" when the image has no bash."""
    dev_udp: bool | None
    nc: str | None
    """openbsd, busybox, ncat, other, or "" when there is no nc."""
    getent: str | None
    """ahosts, hosts (no ahosts database), or "" when there is no getent."""
    dig: bool | None
    timeout: bool | None
    complete: bool

    def summary(self) -> str:
        def show(name: str, value: str | bool | None) -> str:
            if value is None:
                return f"{name} unknown"
            if value is False or value == "":
                return f"no {name}"
            return name if value is True else f"{name} {value}"

        return ", ".join(
            (
                show("bash", self.bash),
                show("nc", self.nc),
                show("getent", self.getent),
                show("dig", self.dig),
                show("timeout", self.timeout),
            )
        )


class Severity(StrEnum):
    FATAL = "fatal"
    """No probe can run in this image."""
    WARNING = "warning"
    """Some probes will be ERROR, or name resolution is weaker than the pod's own resolver."""


@dataclass(frozen=True)
class ToolFinding:
    severity: Severity
    message: str


def parse_toolcheck(lines: list[str]) -> ImageTools:
    facts: dict[str, str] = {}
    for line in lines:
        parts = line.strip().split(" ", 2)
        if len(parts) == 3 and parts[0] == _PREFIX:
            facts[parts[1]] = parts[2]

    def text(key: str) -> str | None:
        value = facts.get(key)
        return None if value is None else ("" if value == "-" else value)

    def flag(key: str) -> bool | None:
        value = facts.get(key)
        return None if value is None else value == "yes"

    return ImageTools(
        bash=text("bash"),
        dev_udp=flag("devudp"),
        nc=text("nc"),
        getent=text("getent"),
        dig=flag("dig"),
        timeout=flag("timeout"),
        complete=facts.get("done") == "yes",
    )


def _bash_too_old(version: str) -> bool:
    try:
        major, minor = (int(part) for part in version.split(".")[:2])
    except ValueError:
        return True
    return (major, minor) < MIN_BASH


def assess(tools: ImageTools, *, image: str, recommended: str) -> list[ToolFinding]:
    """What will not work with this image, each with what to do; [] when everything will."""
    use = f"prepare again with --image {recommended} (or an image with the same tools)"
    if not tools.complete:
        return [
            ToolFinding(
                Severity.WARNING,
                f"could not check the tools in {image} (the check did not finish: "
                f"{tools.summary()}); probes may fail with ERROR",
            )
        ]
    if not tools.bash:
        return [
            ToolFinding(
                Severity.FATAL,
                f"{image} has no bash, so no probe can run; {use}",
            )
        ]
    if _bash_too_old(tools.bash):
        return [
            ToolFinding(
                Severity.FATAL,
                f"{image} has bash {tools.bash}; the probes need bash "
                f"{MIN_BASH[0]}.{MIN_BASH[1]} or later; {use}",
            )
        ]
    found: list[ToolFinding] = []

    def warn(message: str) -> None:
        found.append(ToolFinding(Severity.WARNING, message))

    if tools.nc != "openbsd":
        what = f"its nc is {tools.nc}" if tools.nc else "it has no nc"
        warn(f"TCP probes need netcat-openbsd and {what}: every TCP probe will be ERROR; {use}")
    if tools.dev_udp is False:
        warn(f"its bash has no /dev/udp: UDP probes (other than port 53) will be ERROR; {use}")
    if not tools.dig:
        warn(
            "it has no dig: UDP port 53 probes will be ERROR and failed name lookups carry no "
            f"DNS status; {use}"
        )
    if tools.getent == "hosts":
        warn(
            "its getent has no `ahosts` database (older musl-utils): names resolve with "
            "`getent hosts`, which on musl returns one address per name"
            + (", completed with dig" if tools.dig else "; other addresses are not probed")
        )
    elif not tools.getent:
        if tools.dig:
            warn(
                "it has no getent: names resolve with `dig +search` (resolv.conf's nameserver, "
                "search list and ndots, but not /etc/hosts)"
            )
        else:
            warn(f"it has neither getent nor dig: probes to host names will be ERROR; {use}")
    if tools.timeout is False:
        warn("it has no `timeout`: a slow name lookup is bounded only by the exec's deadline")
    return found
