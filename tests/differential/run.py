"""Run the generated worlds as real packets in one sandbox and compare with the evaluator.

The sandbox's nftables policy compiler (tests/sandbox/network/policy.py) never imports the
product, so the two are independent implementations of the same API text; every disagreement
is a bug in one of them. The evaluator is told the sandbox's documented choices for the
implementation-defined rules (ipBlock matches pod IPs, Service hairpin allowed, the first of
several same-named ports wins, egress to the own node is subject to egress rules), so it
predicts no `undefined` except for a Service whose
backends differ (the sandbox picks one at random, so either observation is consistent).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubectl_netpoltest.core.policy import (
    Assumptions,
    Code,
    Endpoint,
    Prediction,
    Predictor,
    Verdict,
    parse,
    pod_endpoint,
)
from kubectl_netpoltest.core.policy.admin_model import admin_policy
from kubectl_netpoltest.core.policy.objects import Snapshot
from kubectl_netpoltest.core.policy.tiers import TieredPredictor
from tests.differential import generator as gen
from tests.sandbox.network import ContainerPort, ExternalHost, Network
from tests.sandbox.network.network import EXTERNAL_KEY

PROBER = Path(__file__).with_name("prober.py")
SANDBOX_CHOICES = Assumptions(ipblock_matches_pod_ips=True, service_hairpin_allowed=True,
                              first_named_port_wins=True, own_node_egress_exempt=False)
EXTERNAL_HOSTS = tuple(
    ExternalHost(name=f"ext{name[1]}", address=addr, dns_names=(),
                 ports=tuple(ContainerPort(p) for p in ports))
    for name, (addr, ports) in gen.EXTERNALS.items()
)
SERVER_PORTS = tuple(ContainerPort(port, proto) for port, proto in gen.SERVED)
HOSTNET_PORTS = tuple(ContainerPort(port, proto) for port, proto in gen.HOSTNET_SERVED)


@dataclass
class Report:
    seed: int
    total: int = 0
    agreed: int = 0
    either_way: int = 0
    """Agreed cases where the evaluator said `undefined` (backends-differ)."""
    rechecked: int = 0
    """Disagreements on the first try that agreed when probed again with a longer timeout."""
    disagreements: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"differential (seed {self.seed}): {self.agreed}/{self.total} probes agree "
                f"between the evaluator and the sandbox's packets ({self.either_way} "
                f"undefined by design, {self.rechecked} needed a second probe)")


def _snapshot(objs: dict[str, list[dict[str, Any]]], system: dict[str, list[dict[str, Any]]]
              ) -> Snapshot:
    return Snapshot(
        namespaces=tuple(parse.namespace(n) for n in [*objs["namespaces"],
                                                      *system["namespaces"]]),
        pods=tuple(parse.pod(p) for p in [*objs["pods"], *system["pods"]]),
        policies=tuple(parse.policy(p) for p in objs["policies"]),
        services=tuple(parse.service(s) for s in [*objs["services"], *system["services"]]),
        live=True,
    )


def _predict(predictor: Predictor, probe: gen.Probe, ips: dict[int, str]) -> Prediction:
    pods = {p.name: p for p in predictor.snapshot.pods if p.namespace.startswith("n")}
    if probe.src in gen.EXTERNALS:
        addr = gen.EXTERNALS[probe.src][0]
        source = Endpoint(label=addr, ip=addr)
    else:
        source = pod_endpoint(pods[probe.src])
    if probe.dst == "svc":
        target: Any = predictor.address(gen.SERVICE_IP, from_namespace="n0")
    elif probe.dst in gen.EXTERNALS:
        target = predictor.address(gen.EXTERNALS[probe.dst][0], from_namespace="n0")
    else:
        target = pod_endpoint(pods[probe.dst])
    return predictor.predict(source=source, target=target, port=probe.port,
                             protocol=probe.protocol)


def _address(probe: gen.Probe, ips: dict[int, str]) -> str:
    if probe.dst == "svc":
        return gen.SERVICE_IP
    if probe.dst in gen.EXTERNALS:
        return gen.EXTERNALS[probe.dst][0]
    return ips[int(probe.dst[1:])]


def _netns(net: Network, src: str) -> str:
    if src in gen.EXTERNALS:
        return net.pod_netns(EXTERNAL_KEY + f"ext{src[1]}")
    return net.pod_netns(gen.pod_key(int(src[1:])))


def _observe(net: Network, jobs: Sequence[tuple[int, gen.Probe]], ips: dict[int, str],
             *, timeout: float) -> dict[int, str]:
    """Every job's outcome; one prober process per source, all sources at once."""
    by_source: dict[str, list[list[object]]] = defaultdict(list)
    for ident, probe in jobs:
        by_source[probe.src].append([ident, _address(probe, ips), probe.port, probe.protocol])

    def run(src: str) -> dict[str, str]:
        proc = subprocess.run(
            ["ip", "netns", "exec", _netns(net, src), sys.executable, "-I", str(PROBER),
             str(timeout)],
            input=json.dumps(by_source[src]), capture_output=True, text=True, check=True,
            timeout=timeout * 4 + 30)
        return dict(json.loads(proc.stdout))

    with ThreadPoolExecutor(max_workers=len(by_source) or 1) as pool:
        results = list(pool.map(run, sorted(by_source)))
    return {int(k): v for found in results for k, v in found.items()}


def _agrees(prediction: Prediction, outcome: str) -> bool:
    passed = outcome in ("connected", "refused")
    if prediction.verdict is Verdict.UNDEFINED:  # the sandbox picks one: either is consistent
        either = (Code.BACKENDS_DIFFER, Code.SAME_PRIORITY_OVERLAP, Code.MIXED_API_VERSIONS)
        return any(b.code in either for b in prediction.because) and outcome in (
            "connected", "refused", "timeout", "unreachable")
    if outcome not in ("connected", "refused", "timeout", "unreachable"):
        return False
    return passed == (prediction.verdict is Verdict.ALLOWED)


def _describe(world: gen.World, probe: gen.Probe, prediction: Prediction, outcome: str) -> str:
    because = "; ".join(f"{b.direction.value}: {b.reason}" for b in prediction.because)
    return (f"world {world.index}: {probe.src} -> {probe.dst}:{probe.port}/{probe.protocol}: "
            f"evaluator {prediction.verdict.value} ({because}), packet {outcome}")


def run_world(net: Network, world: gen.World, ips: dict[int, str], report: Report) -> None:
    objs = gen.objects(world, ips)
    net.warnings.clear()
    net.sync(namespaces=objs["namespaces"], pods=objs["pods"], policies=objs["policies"],
             services=objs["services"], admin_policies=objs["admin_policies"])
    if net.warnings:
        raise AssertionError(f"world {world.index}: the sandbox rejected {net.warnings}")
    predictor = TieredPredictor(_snapshot(objs, net.system_objects()),
                                [admin_policy(o) for o in objs["admin_policies"]],
                                assumptions=SANDBOX_CHOICES)
    predictions = {i: _predict(predictor, p, ips) for i, p in enumerate(world.probes)}
    outcomes = _observe(net, list(enumerate(world.probes)), ips, timeout=1.5)
    wrong = [i for i, p in enumerate(world.probes) if not _agrees(predictions[i], outcomes[i])]
    if wrong:  # a slow machine can time out an allowed probe: look again, patiently
        again = _observe(net, [(i, world.probes[i]) for i in wrong], ips, timeout=5.0)
        for i in wrong:
            if _agrees(predictions[i], again[i]):
                report.rechecked += 1
                outcomes[i] = again[i]
    for i, probe in enumerate(world.probes):
        report.total += 1
        if _agrees(predictions[i], outcomes[i]):
            report.agreed += 1
            report.either_way += predictions[i].verdict is Verdict.UNDEFINED
        else:
            report.disagreements.append(_describe(world, probe, predictions[i], outcomes[i]))


def run(*, state_dir: Path, instance: str, seed: int = gen.SEED,
        count: int = gen.WORLDS, tiers: bool = False) -> Report:
    report = Report(seed=seed)
    net = Network(instance=instance, state_dir=state_dir, deny_mode="drop",
                  externals=EXTERNAL_HOSTS)
    net.up()
    try:
        ips = {i: net.add_pod(key=gen.pod_key(i),
                              ports=HOSTNET_PORTS if i == gen.HOSTNET else SERVER_PORTS,
                              host_network=i == gen.HOSTNET, namespace=ns)
               for i, ns in enumerate(gen.POD_NAMESPACES)}
        for world in gen.worlds(seed, count, tiers=tiers):
            run_world(net, world, ips, report)
    finally:
        net.down()
    return report
