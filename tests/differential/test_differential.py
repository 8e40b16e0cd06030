"""The evaluator against the sandbox's independent nftables enforcer, with real packets.

`test_generator_*` are pure (no root): the seed reproduces the same cases, and the cases use
every peer kind and port form. `test_evaluator_agrees_with_packets` runs them in the sandbox.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.differential import generator as gen
from tests.differential.run import run
from tests.sandbox.network.testing import instance_name, require_sandbox


def test_generator_is_reproducible_and_big_enough() -> None:
    first, second = gen.worlds(), gen.worlds()
    assert first == second
    assert sum(len(w.probes) for w in first) >= 1000


def test_generator_uses_every_peer_kind_and_port_form() -> None:
    text = json.dumps([w.policies for w in gen.worlds()])
    for needle in ('"podSelector"', '"namespaceSelector"', '"ipBlock"', '"except"',
                   '"endPort"', '"SCTP"', '"UDP"', '"NotIn"', '"DoesNotExist"', '"Exists"',
                   '"In"', '"to": []', '"from": []', '"ports": []', '"policyTypes"',
                   '"http"'):
        assert needle in text, needle
    assert any("policyTypes" not in p["spec"] for w in gen.worlds() for p in w.policies)


@pytest.mark.sandbox
def test_evaluator_agrees_with_packets(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    require_sandbox()
    report = run(state_dir=tmp_path / "state", instance=instance_name("dif"))
    with capsys.disabled():
        print("\n" + report.summary())
    assert report.total >= 1000
    assert not report.disagreements, "\n".join(report.disagreements)


def test_tier_worlds_keep_the_networkpolicy_part_and_pass_crd_validation() -> None:
    """worlds(tiers=True) adds admin objects without changing the seed's NetworkPolicies."""
    from tests.sandbox import crds
    from tests.sandbox.resources import ADMIN_KINDS

    plain, tiered = gen.worlds(count=8), gen.worlds(count=8, tiers=True)
    assert [w.policies for w in plain] == [w.policies for w in tiered]
    assert all(w.admin_policies for w in tiered)
    for w in tiered:
        ips = {i: f"10.244.0.{i + 2}" for i in range(len(gen.POD_NAMESPACES))}
        for obj in gen.objects(w, ips)["admin_policies"]:
            crds.prepare(next(r for r in ADMIN_KINDS if r.kind == obj["kind"]), obj, None)


@pytest.mark.sandbox
def test_tiered_evaluator_agrees_with_packets(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The same worlds plus ClusterNetworkPolicy/ANP/BANP objects (issue 13)."""
    require_sandbox()
    report = run(state_dir=tmp_path / "state", instance=instance_name("dit"), count=13,
                 tiers=True)
    with capsys.disabled():
        print("\n(tiers) " + report.summary())
    assert report.total >= 500
    assert not report.disagreements, "\n".join(report.disagreements)
