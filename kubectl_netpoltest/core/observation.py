"""What a probe saw, before anyone compares it with an expectation.

An observation is deliberately not a verdict: "connection refused" means one thing on a CNI that
drops denied traffic and another on one that rejects it, and only `verdict.classify` knows the
expectation and the CNI mode. Keeping the two apart is what stops a closed port, a DNS failure or
UDP silence from being read as "blocked".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Observation(StrEnum):
    """The outcome of one probe towards one address, as the source pod saw it."""

    CONNECTED = "connected"
    """TCP handshake completed, or UDP bytes came back, or a DNS server answered."""
    REFUSED = "refused"
    """TCP RST or ICMP port-unreachable: something at the destination said "nothing here"."""
    REJECTED = "rejected"
    """ICMP admin-prohibited / host-unreachable: something on the path actively refused."""
    TIMEOUT = "timeout"
    """No answer at all before the deadline, on every attempt (TCP, DNS): a drop."""
    DNS_FAIL = "dns-fail"
    """The host name did not resolve inside the source pod, so no connection was tried."""
    NO_REPLY = "no-reply"
    """UDP: datagrams sent, nothing came back, no ICMP error. Proves nothing either way."""
    PROBE_ERROR = "probe-error"
    """The probe itself could not run or produced output we do not understand."""


@dataclass(frozen=True)
class Outcome:
    """An observation plus the human-readable evidence behind it (tool messages, timings)."""

    observation: Observation
    detail: str
