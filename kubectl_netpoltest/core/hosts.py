"""Which strings may be probe targets: DNS host names and IP literals, nothing else.

This check is also a safety net: a host that passes it cannot carry shell metacharacters, so even
a future mistake in quoting could not turn a spec into a command. (Probes pass hosts as argv
items anyway; see `probes.py`.)
"""

from __future__ import annotations

import ipaddress
import re

_LABEL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$")
_MAX_NAME = 253


def ip_family(host: str) -> int | None:
    """4 or 6 for an IP literal, None for anything else."""
    try:
        return ipaddress.ip_address(host).version
    except ValueError:
        return None


def host_problem(host: str) -> str | None:
    """Why `host` is not a valid probe target, or None when it is."""
    if not host:
        return "host is empty"
    if "%" in host:
        # ipaddress accepts any text after '%' in an IPv6 scope id ("fe80::1%$(reboot)")
        return f"{host!r} has a zone index (%...); use an address without one"
    if ip_family(host) is not None:
        return None
    try:
        ipaddress.ip_network(host, strict=False)
    except ValueError:
        pass
    else:
        return f"{host!r} is a CIDR range; probes need one address"
    name = host[:-1] if host.endswith(".") else host
    if len(name) > _MAX_NAME:
        return f"{host!r} is longer than {_MAX_NAME} characters"
    labels = name.split(".")
    if any(not _LABEL.match(label) for label in labels):
        return f"{host!r} is not a valid host name or IP address"
    if labels[-1].isdigit():
        return f"{host!r} looks like an IP address but is not a valid one"
    return None


def stays_in_pod(host: str) -> str | None:
    """Why traffic to `host` never leaves the source pod (so no NetworkPolicy applies to it),
    or None. Loopback and unspecified literals (an IPv4-mapped IPv6 one included), and
    `localhost` / `*.localhost`, which RFC 6761 section 6.3 reserves for loopback."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        name = host.rstrip(".").lower()
        if name == "localhost" or name.endswith(".localhost"):
            return f"{host!r} always resolves to loopback"
        return None
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    for candidate in (address, mapped):
        if candidate is not None and (candidate.is_loopback or candidate.is_unspecified):
            return f"{host!r} is a {'loopback' if candidate.is_loopback else 'unspecified'} address"
    return None

