"""Tool output → Observation: what each attempt's message means, and the batch as a whole.

Why here and not in the shell: the script only records the exit status and the tool's own
words; deciding what they mean happens in pure Python, unit-tested against the real messages of
netcat-openbsd 1.219, bash 5.2 (`/dev/udp` read errors), dig 9.18 and getent. The rules:
* CONNECTED only on positive evidence: nc "succeeded", bytes read back, a DNS response;
* errno texts map as in probing-notes §2/§4; ENETUNREACH and a local EPERM are PROBE_ERROR,
  because they show the source pod could not send at all, not that a policy blocked it;
* any message not recognised is PROBE_ERROR, never "blocked";
* a probe whose lines never arrived (truncated stream) is PROBE_ERROR.
"""

from __future__ import annotations

import re

from kubectl_netpoltest.core.observation import Observation, Outcome
from kubectl_netpoltest.core.probe.lines import (
    Attempt,
    ProbeResultLine,
)

__all__ = ["observe"]

_LOCAL_EPERM = (
    "the source pod's own network namespace refused to send (Operation not permitted: a local "
    "firewall or security module), so the network policy was never tested"
)
_NETUNREACH = (
    "network is unreachable: the source pod has no route to this address (for example an IPv6 "
    "address in an IPv4-only pod), so the network policy was never tested"
)


def _errno_observation(text: str) -> tuple[Observation, str] | None:
    """The errno texts that nc, bash and dig print, lower-cased by dig."""
    lowered = text.lower()
    if "connection refused" in lowered:
        return Observation.REFUSED, "connection refused"
    if "no route to host" in lowered or "host unreachable" in lowered:
        return (
            Observation.REJECTED,
            "rejected: no route to host (ICMP host unreachable or administratively prohibited)",
        )
    if "permission denied" in lowered:
        return (
            Observation.REJECTED,
            "rejected: permission denied (ICMPv6 administratively prohibited)",
        )
    if "operation not permitted" in lowered:
        return Observation.PROBE_ERROR, _LOCAL_EPERM
    if "network is unreachable" in lowered or "network unreachable" in lowered:
        return Observation.PROBE_ERROR, _NETUNREACH
    return None


def _missing_tool(attempt: Attempt, tool: str) -> tuple[Observation, str] | None:
    if attempt.exit_code in (126, 127):
        return (
            Observation.PROBE_ERROR,
            f"{tool} could not run in the debug container: "
            f"{_oneline(attempt.message) or f'exit code {attempt.exit_code}'}",
        )
    return None


def _oneline(text: str) -> str:
    return " | ".join(part.strip() for part in text.splitlines() if part.strip())


def _tcp_attempt(attempt: Attempt) -> tuple[Observation, str]:
    missing = _missing_tool(attempt, "nc")
    if missing:
        return missing
    text = attempt.message
    if attempt.exit_code == 0:
        if "succeeded" in text:
            return Observation.CONNECTED, "connected"
        return (
            Observation.PROBE_ERROR,
            f"nc exited 0 without reporting a connection: {_oneline(text)!r}",
        )
    known = _errno_observation(text)
    if known:
        return known
    if "timed out" in text:
        return Observation.TIMEOUT, "timed out"
    return (
        Observation.PROBE_ERROR,
        f"unexpected nc output (exit {attempt.exit_code}): {_oneline(text)!r}",
    )


def _udp_attempt(attempt: Attempt) -> tuple[Observation, str]:
    text = attempt.message
    if attempt.exit_code == 0 and "reply received" in text:
        return Observation.CONNECTED, "reply received"
    if attempt.exit_code == 10 and text.strip() == "no reply":
        return Observation.NO_REPLY, "no reply"
    known = _errno_observation(text)
    if known:
        observation, detail = known
        if observation is Observation.REFUSED:
            detail = "ICMP port unreachable (connection refused)"
        return observation, detail
    if "No such file or directory" in text:
        return (
            Observation.PROBE_ERROR,
            f"the container's bash has no /dev/udp support: {_oneline(text)!r}",
        )
    return (
        Observation.PROBE_ERROR,
        f"unexpected UDP probe output (exit {attempt.exit_code}): {_oneline(text)!r}",
    )


_DIG_STATUS = re.compile(r"status: ([A-Z0-9]+)")


def _dns_attempt(attempt: Attempt) -> tuple[Observation, str]:
    missing = _missing_tool(attempt, "dig")
    if missing:
        return missing
    text = attempt.message
    if attempt.exit_code == 0:
        status = _DIG_STATUS.search(text)
        answer = f"status {status.group(1)}" if status else "a reply that is not a DNS response"
        return Observation.CONNECTED, f"DNS server answered ({answer})"
    known = _errno_observation(text)
    if known:
        return known
    if "timed out" in text:
        return Observation.TIMEOUT, "timed out"
    return (
        Observation.PROBE_ERROR,
        f"unexpected dig output (exit {attempt.exit_code}): {_oneline(text)!r}",
    )


_TIMEOUT_EXITS = (124, 137, 143)  # coreutils timeout; busybox timeout kills with TERM/KILL


def _resolve_outcome(result: ProbeResultLine, dns_timeout_seconds: int | None) -> Outcome:
    attempt = result.attempts[0]
    diag = _dns_diagnosis(attempt.message)
    suffix = f" ({diag})" if diag else ""
    if attempt.exit_code == 2:
        return Outcome(
            Observation.DNS_FAIL,
            f"name resolution failed: {result.host}: name not found{suffix}",
        )
    if attempt.exit_code in _TIMEOUT_EXITS:
        within = f" within {dns_timeout_seconds}s" if dns_timeout_seconds else ""
        return Outcome(
            Observation.DNS_FAIL,
            f"name resolution failed: {result.host}: no answer{within}{suffix}",
        )
    if attempt.exit_code in (126, 127):
        # the script's resolver chain found no tool (or it could not run): the image's fault,
        # not the name's (probing-notes; docs/probe-images.md)
        return Outcome(
            Observation.PROBE_ERROR,
            f"could not resolve {result.host}: {_oneline(attempt.message) or 'no resolver'}",
        )
    if attempt.exit_code == 0:
        return Outcome(
            Observation.DNS_FAIL,
            f"name resolution failed: {result.host}: no usable address "
            f"({_oneline(attempt.message)})",
        )
    return Outcome(
        Observation.PROBE_ERROR,
        f"could not resolve {result.host}: getent exited {attempt.exit_code}: "
        f"{_oneline(attempt.message) or 'no output'}",
    )


def _dns_diagnosis(text: str) -> str:
    status = _DIG_STATUS.search(text)
    if status:
        return f"DNS status {status.group(1)}"
    for line in text.splitlines():
        if "communications error" in line or "connection timed out" in line:
            return line.lstrip("; ").strip()
    return ""


def observe(
    result: ProbeResultLine,
    *,
    timeout_seconds: int | None = None,
    dns_timeout_seconds: int | None = None,
) -> Outcome:
    """What one RES line shows, aggregated over its attempts (probing-notes §2).

    * a CONNECTED together with a REFUSED/REJECTED answer is inconsistent → PROBE_ERROR;
    * any CONNECTED → CONNECTED (for a `denied` probe a single connect is a leak);
    * otherwise one kind of definite answer (refused / rejected) → that answer;
    * only silence → TIMEOUT (TCP, DNS) or NO_REPLY (UDP);
    * anything unrecognised → PROBE_ERROR.
    """
    if result.method == "resolve":
        if len(result.attempts) != 1:
            return Outcome(Observation.PROBE_ERROR, "malformed name-resolution result")
        return _resolve_outcome(result, dns_timeout_seconds)
    reader = {"tcp": _tcp_attempt, "udp": _udp_attempt, "dns": _dns_attempt}.get(result.method)
    if reader is None or not result.attempts:
        return Outcome(Observation.PROBE_ERROR, f"malformed result for method {result.method!r}")
    seen = [reader(attempt) for attempt in result.attempts]
    kinds = [observation for observation, _ in seen]
    n = len(seen)
    window = f" within {timeout_seconds}s" if timeout_seconds else ""
    plural = "attempt" if n == 1 else "attempts"

    errors = [detail for observation, detail in seen if observation is Observation.PROBE_ERROR]
    answers = {o for o in kinds if o in (Observation.REFUSED, Observation.REJECTED)}
    if Observation.CONNECTED in kinds and answers:
        listing = ", ".join(f"{i + 1}: {detail}" for i, (_, detail) in enumerate(seen))
        return Outcome(
            Observation.PROBE_ERROR,
            f"inconsistent answers: connected on one attempt and refused or rejected on "
            f"another ({listing})",
        )
    if Observation.CONNECTED in kinds:
        first = kinds.index(Observation.CONNECTED)
        detail = seen[first][1]
        if first > 0:
            detail += f" (on attempt {first + 1} of {n}; earlier attempts got no answer)"
        return Outcome(Observation.CONNECTED, detail)
    if errors:
        return Outcome(Observation.PROBE_ERROR, errors[0])
    if len(answers) > 1:
        listing = ", ".join(detail for _, detail in seen)
        return Outcome(Observation.PROBE_ERROR, f"inconsistent answers: {listing}")
    if answers:
        (answer,) = answers
        detail = next(d for o, d in seen if o is answer)
        if kinds[0] is not answer:
            silent = kinds.index(answer)
            detail += f" (after {silent} unanswered attempt{'s' if silent > 1 else ''})"
        return Outcome(answer, detail)
    if all(o is Observation.TIMEOUT for o in kinds):
        return Outcome(Observation.TIMEOUT, f"no answer{window} ({n} {plural})")
    if all(o is Observation.NO_REPLY for o in kinds):
        return Outcome(
            Observation.NO_REPLY,
            f"no reply and no ICMP error{window} ({n} {plural}, {3 * n} datagrams)",
        )
    return Outcome(Observation.PROBE_ERROR, "unrecognised combination of attempt results")
