"""`--ip-family 4|6|both`: which address families of a target a probe tries.

Default (`any`): every family the target has — a dual-stack pod or Service is probed on both,
and any family that leaks fails the probe (policies are written per family: an ipBlock in IPv4
says nothing about IPv6). `4` or `6` narrow a run to one family; `both` demands both, so a
target without one of them is an ERROR instead of silently testing half of it. Host names are
resolved inside the source pod: with `4` or `6` the results for the other family's addresses
are dropped (a name with no address of the family asked ends as ERROR: nothing was tested).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class IpFamily(StrEnum):
    ANY = "any"
    V4 = "4"
    V6 = "6"
    BOTH = "both"


def version_of(host: str) -> int | None:
    """4 or 6 for an IP literal, None for a host name."""
    try:
        return ipaddress.ip_address(host).version
    except ValueError:
        return None


def wanted(address: str | None, family: IpFamily) -> bool:
    """Whether an address a name resolved to inside the pod belongs to the run's families
    (`4` or `6` drop the other family's results; names and unknowns are kept)."""
    if address is None or family in (IpFamily.ANY, IpFamily.BOTH):
        return True
    version = version_of(address)
    return version is None or str(version) == family.value


@dataclass(frozen=True)
class Selected:
    hosts: tuple[str, ...]
    problem: str | None = None


def select_family(hosts: Sequence[str], family: IpFamily, *, what: str) -> Selected:
    """The hosts to probe, or why none (an ERROR, never a verdict on nothing)."""
    versions = {version_of(h) for h in hosts}
    if family is IpFamily.BOTH:
        missing = [f"IPv{v}" for v in (4, 6) if v not in versions and None not in versions]
        if missing:
            return Selected(
                tuple(hosts),
                f"{what} has no {' or '.join(missing)} address (--ip-family both asks for "
                f"both; it has {', '.join(hosts) or 'none'})",
            )
        return Selected(tuple(hosts))
    if family is IpFamily.ANY:
        return Selected(tuple(hosts))
    want = 4 if family is IpFamily.V4 else 6
    kept = tuple(h for h in hosts if version_of(h) in (want, None))
    if not kept:
        return Selected(
            (),
            f"{what} has no IPv{want} address (--ip-family {family.value}; it has "
            f"{', '.join(hosts) or 'none'})",
        )
    return Selected(kept)
