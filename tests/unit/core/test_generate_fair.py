"""generate --max-probes on a big cluster: the probes kept are spread over the sources.

Found with `generate -A` on a sandbox with 100 namespaces of one workload each (default
--max-probes 500): all 500 probes came from the first 5 sources in name order; the other 106
workloads were never a source, and the interesting 'allowed' edges (ns001 -> ns000, ...) were
all cut. A starter spec should start every workload off, not exhaust the first few.
"""

from __future__ import annotations

from collections import Counter

import yaml

from kubectl_netpoltest.core.generate import generate_spec
from tests.unit.core.test_generate import pod


def test_the_cap_is_shared_round_robin_by_source_and_targets_rotate() -> None:
    pods = [pod(f"app{i}", f"ns{i}", {"app": f"a{i}"}, ports=(80,)) for i in range(6)]
    out = generate_spec(pods=pods, policies=[], namespaces=[], max_probes=12)
    assert out.probes == 12
    spec = yaml.safe_load(out.text)
    sources = Counter(src for rule in spec["rules"] for src in rule["from"])
    assert sorted(sources.values()) == [2] * 6, sources
    targets = Counter(c for rule in spec["rules"] for c in rule.get("allowed", []))
    assert len(targets) == 6, "every workload is also a target"
    assert out.left_out[0] == "18 more probes beyond --max-probes 12"


def test_a_workload_that_cannot_be_named_unambiguously_is_left_out_and_said() -> None:
    """Found on the sandbox: bare pods `db` and `db-x` without labels became `podname: "db"`,
    a prefix that also matches db-x (prepare may pick it as the source; as a target every
    match is probed, db-x on db's ports: a false FAIL). Deployments `web` and `web-canary`
    sharing app=web gave `podname: "web-"`, which matches the canary's pods too."""
    from tests.unit.core.test_generate import deployment_pod

    pods = [
        pod("db", "shop", {}, ports=(5432,)),
        pod("db-x", "shop", {}, ports=(80,)),
        deployment_pod("web", "shop", "web", "aaaaa", ports=(8080,)),
        deployment_pod("web-canary", "shop", "web", "bbbbb", ports=(8080,)),
    ]
    out = generate_spec(pods=pods, policies=[], namespaces=[])
    spec = yaml.safe_load(out.text)
    named = {p["name"]: p for p in spec["pods"]}
    assert set(named) == {"db-x", "web-canary"}, named
    assert named["web-canary"]["podname"] == "web-canary-"
    notes = "\n".join(out.left_out)
    assert "shop/db: cannot be named unambiguously" in notes and "shop/db-x" in notes
    assert "shop/web: cannot be named unambiguously" in notes


def test_namespaces_that_yaml_reads_as_other_types_are_quoted() -> None:
    """`yes`, `no`, `on`, `null` and `123` are valid namespace names (DNS labels), but the
    spec is YAML 1.1: `namespace: yes` read back as a boolean and the generated spec was
    invalid ('is a boolean (expected a namespace name)')."""
    from kubectl_netpoltest.core.spec.loader import parse_spec

    pods = [pod("web", ns, {"app": "web"}, ports=(80,)) for ns in ("yes", "123", "null", "on")]
    out = generate_spec(pods=pods, policies=[], namespaces=[])
    assert out.probes > 0
    assert [str(p) for p in parse_spec(text=out.text, file="g.yaml").problems] == []
