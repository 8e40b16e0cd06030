"""--ip-family (core/ipfamily.py): which addresses of a target are probed, and when a missing
family is an ERROR rather than half a test."""

from __future__ import annotations

from kubectl_netpoltest.core.ipfamily import IpFamily, select_family

DUAL = ("10.0.0.5", "fd00::5")


def test_default_probes_every_family_the_target_has() -> None:
    assert select_family(DUAL, IpFamily.ANY, what="t").hosts == DUAL


def test_one_family_keeps_its_addresses_and_names() -> None:
    assert select_family(DUAL, IpFamily.V6, what="t").hosts == ("fd00::5",)
    assert select_family(("db.example", "10.0.0.5"), IpFamily.V6, what="t").hosts == ("db.example",)


def test_a_missing_family_is_a_problem_naming_what_the_target_has() -> None:
    only4 = select_family(("10.0.0.5",), IpFamily.V6, what="target pod/db")
    assert only4.hosts == ()
    assert only4.problem == ("target pod/db has no IPv6 address (--ip-family 6; it has 10.0.0.5)")
    both = select_family(("10.0.0.5",), IpFamily.BOTH, what="target pod/db")
    assert both.problem is not None and "has no IPv6 address" in both.problem
    assert select_family(DUAL, IpFamily.BOTH, what="t").problem is None
