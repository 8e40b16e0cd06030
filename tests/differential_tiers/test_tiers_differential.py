"""Tier differential: the product's TieredPredictor against the sandbox's tier enforcer.

The sandbox (tests/sandbox/network/tiers.py, tier_render.py) is written from the API text
independently of the product (import-linter keeps tests.sandbox away from it). Random worlds
(generator.py, fixed seed) are decided by both:

* `test_pure_agreement`: every probe of 400 worlds, product vs the sandbox's reference
  evaluator (the compiled form the nftables ruleset is rendered from); no root.
* `test_packet_agreement`: 16 worlds sent as real TCP packets through the sandbox's nftables
  (root), product vs what the packet did.

Probes the product calls `undefined` (same-priority overlap, v1alpha1 against v1alpha2) are
counted apart: the sandbox must pick one, either observation is consistent. Each test prints
the agreement count.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from kubectl_netpoltest.core.policy import Verdict, parse, pod_endpoint
from kubectl_netpoltest.core.policy.admin_model import admin_policy
from kubectl_netpoltest.core.policy.matching import Assumptions
from kubectl_netpoltest.core.policy.objects import Snapshot
from kubectl_netpoltest.core.policy.tiers import TieredPredictor
from tests.differential_tiers import generator as gen
from tests.sandbox import crds
from tests.sandbox.network import ContainerPort, Network
from tests.sandbox.network.policy import compile_policies
from tests.sandbox.network.testing import instance_name, probe, require_sandbox
from tests.sandbox.network.tiers import compile_tiers
from tests.sandbox.resources import ADMIN_KINDS

SANDBOX_CHOICES = Assumptions(ipblock_matches_pod_ips=True, service_hairpin_allowed=True,
                              first_named_port_wins=True)
PURE_IPS = [f"10.244.0.{10 + i}" for i in range(len(gen.POD_NAMESPACES))]


def _predictions(world: gen.World, state: dict[str, list[dict[str, Any]]]
                 ) -> dict[gen.Probe, Verdict]:
    snap = Snapshot(namespaces=tuple(parse.namespace(n) for n in state["namespaces"]),
                    pods=tuple(parse.pod(p) for p in state["pods"]),
                    policies=tuple(parse.policy(p) for p in state["policies"]), live=True)
    pred = TieredPredictor(snap, [admin_policy(o) for o in state["admin_policies"]],
                           assumptions=SANDBOX_CHOICES)
    pods = {p.name: p for p in snap.pods}
    return {p: pred.connection(source=pod_endpoint(pods[f"p{p.src}"]),
                               destination=pod_endpoint(pods[f"p{p.dst}"]), port=p.port,
                               protocol="TCP").verdict
            for p in world.probes}


def _tally(results: list[tuple[str, Verdict, bool]]) -> tuple[int, int, list[str]]:
    agreed = undefined = 0
    wrong = []
    for where, verdict, sandbox_allowed in results:
        if verdict is Verdict.UNDEFINED:
            undefined += 1
        elif (verdict is Verdict.ALLOWED) == sandbox_allowed:
            agreed += 1
        else:
            wrong.append(f"{where}: product {verdict.value}, sandbox "
                         f"{'allowed' if sandbox_allowed else 'denied'}")
    return agreed, undefined, wrong


def test_generated_objects_pass_crd_validation() -> None:
    for world in gen.worlds(400, probes=1):
        for obj in gen.objects(world, PURE_IPS)["admin_policies"]:
            rt = next(r for r in ADMIN_KINDS if r.kind == obj["kind"])
            crds.prepare(rt, obj, None)


def test_pure_agreement() -> None:
    results = []
    for world in gen.worlds(400, probes=40):
        state = gen.objects(world, PURE_IPS)
        np = compile_policies(namespaces=state["namespaces"], pods=state["pods"],
                              policies=state["policies"])
        tiered = compile_tiers(np=np, namespaces=state["namespaces"], pods=state["pods"],
                               admin_policies=state["admin_policies"])
        for p, verdict in _predictions(world, state).items():
            allowed = tiered.allows(src=PURE_IPS[p.src], dst=PURE_IPS[p.dst], protocol="TCP",
                                    port=p.port)
            results.append((f"world {world.index} p{p.src}->p{p.dst}:{p.port}", verdict,
                            allowed))
    agreed, undefined, wrong = _tally(results)
    print(f"\ntier differential (pure, seed {gen.SEED}): {agreed}/{len(results) - undefined} "
          f"agree, {undefined} undefined (either way), {len(wrong)} disagree")
    assert not wrong, "\n".join(wrong[:20])
    assert agreed > 10_000


def test_packet_agreement(tmp_path: Path) -> None:
    require_sandbox()
    net = Network(instance=instance_name("td"), state_dir=tmp_path / "state")
    results = []
    with net:
        ips = [net.add_pod(key=f"p{i}", ports=[ContainerPort(p) for p in gen.PORTS],
                           namespace=ns) for i, ns in enumerate(gen.POD_NAMESPACES)]
        for world in gen.worlds(16, probes=24, seed=gen.SEED + 1):
            state = gen.objects(world, ips)
            net.sync(namespaces=state["namespaces"], pods=state["pods"],
                     policies=state["policies"], services=(),
                     admin_policies=state["admin_policies"])
            assert not net.warnings
            predicted = _predictions(world, state)

            def run(p: gen.Probe) -> bool:
                return probe(net, f"p{p.src}", ip=ips[p.dst], port=p.port,
                             protocol="TCP").ok

            with ThreadPoolExecutor(max_workers=12) as pool:
                seen = dict(zip(world.probes, pool.map(run, world.probes), strict=True))
            results += [(f"world {world.index} p{p.src}->p{p.dst}:{p.port}", predicted[p],
                         seen[p]) for p in world.probes]
    agreed, undefined, wrong = _tally(results)
    print(f"\ntier differential (packets, seed {gen.SEED + 1}): "
          f"{agreed}/{len(results) - undefined} agree, {undefined} undefined, "
          f"{len(wrong)} disagree")
    assert not wrong, "\n".join(wrong[:20])


@pytest.mark.parametrize("seed", [gen.SEED])
def test_generator_is_deterministic(seed: int) -> None:
    a, b = gen.worlds(3, probes=5, seed=seed), gen.worlds(3, probes=5, seed=seed)
    assert a == b
