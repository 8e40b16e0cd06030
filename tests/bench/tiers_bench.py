"""Admin-tier prediction benchmark: predict_bench's world plus ClusterNetworkPolicies.

    .venv/bin/python -m tests.bench.tiers_bench [--admin 100] [--pods 5000] [--policies 1000]

Prints the time to predict every probe with NetworkPolicies only (Predictor) and with the
admin tiers on top (TieredPredictor), and the mix of deciding tiers; never asserts on time.
Admin objects: Admin and Baseline ClusterNetworkPolicies with namespace or pod subjects,
namespace / pod / networks peers, Accept / Deny / Pass, ports or none.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from typing import Any

from kubectl_netpoltest.core.policy import Predictor, parse, pod_endpoint
from kubectl_netpoltest.core.policy.admin_model import admin_policy
from kubectl_netpoltest.core.policy.objects import Snapshot
from kubectl_netpoltest.core.policy.tiers import TieredPredictor
from tests.bench.predict_bench import APPS, _objects


def _admin(rng: random.Random, i: int) -> dict[str, Any]:
    def sel() -> dict[str, Any]:
        return rng.choice([{"matchLabels": {"team": f"t{rng.randrange(7)}"}}, {}])

    def peer() -> dict[str, Any]:
        return rng.choice([{"namespaces": sel()},
                           {"pods": {"podSelector": {"matchLabels": {"app": rng.choice(APPS)}}}},
                           {"networks": ["10.0.0.0/20"]}])

    def rule(direction: str) -> dict[str, Any]:
        out: dict[str, Any] = {"action": rng.choice(["Accept", "Deny", "Pass"]),
                               "from" if direction == "ingress" else "to": [peer()]}
        if direction == "ingress" and "networks" in out["from"][0]:
            out["from"] = [{"namespaces": sel()}]
        if rng.random() < 0.5:
            out["protocols"] = [{"tcp": {"destinationPort": {"number": 8080}}}]
        return out

    tier = "Admin" if rng.random() < 0.7 else "Baseline"
    return {"kind": "ClusterNetworkPolicy", "metadata": {"name": f"cnp{i}"},
            "spec": {"tier": tier, "priority": i, "subject": {"namespaces": sel()},
                     "ingress": [rule("ingress") for _ in range(rng.randint(1, 3))],
                     "egress": [rule("egress") for _ in range(rng.randint(0, 2))]}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=5000)
    parser.add_argument("--policies", type=int, default=1000)
    parser.add_argument("--admin", type=int, default=100)
    parser.add_argument("--probes", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    objs = _objects(rng, pods=args.pods, policies=args.policies)
    snapshot = Snapshot(namespaces=tuple(parse.namespace(n) for n in objs["namespaces"]),
                        pods=tuple(parse.pod(p) for p in objs["pods"]),
                        policies=tuple(parse.policy(p) for p in objs["policies"]), live=True)
    admins = [admin_policy(_admin(rng, i)) for i in range(args.admin)]
    pods = snapshot.pods
    pairs = [(rng.choice(pods), rng.choice(pods), rng.choice((8080, 9090, 53)),
              rng.choice(("TCP", "TCP", "UDP"))) for _ in range(args.probes)]
    print(f"{args.pods} pods, {args.policies} NetworkPolicies, {args.admin} "
          f"ClusterNetworkPolicies, {args.probes} probes")
    for label, predictor in (("NetworkPolicy only", Predictor(snapshot)),
                             ("with admin tiers", TieredPredictor(snapshot, admins))):
        started = time.perf_counter()
        codes: Counter[str] = Counter()
        verdicts: Counter[str] = Counter()
        for s, d, port, proto in pairs:
            p = predictor.predict(source=pod_endpoint(s), target=pod_endpoint(d), port=port,
                                  protocol=proto)
            verdicts[p.verdict.value] += 1
            codes.update(b.code.value for b in p.because)
        took = time.perf_counter() - started
        print(f"  {label:20} {took:7.3f} s ({took / args.probes * 1e6:.0f} us per probe)  "
              f"{dict(verdicts)}")
        print(f"  {'':20} deciding codes: {dict(codes.most_common(6))}")


if __name__ == "__main__":
    main()
