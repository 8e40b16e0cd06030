"""Plan expansion: the exact probes a spec implies, in a stable order, deduplicated."""

from __future__ import annotations

import textwrap
from pathlib import Path

from kubectl_netpoltest.core.model import Spec
from kubectl_netpoltest.core.plan import expand
from kubectl_netpoltest.core.spec.loader import load_spec_file, parse_spec
from kubectl_netpoltest.report.probedata import probe_dict

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _spec(text: str) -> Spec:
    result = parse_spec(text=textwrap.dedent(text), file="t.yaml")
    assert result.problems == ()
    assert result.spec is not None
    return result.spec


def test_original_readme_example_gives_exactly_six_probes() -> None:
    spec = load_spec_file(str(EXAMPLES / "original-internet-access.yaml")).spec
    assert spec is not None
    probes = [probe_dict(p) for p in expand(spec)]
    source = {"name": "httpd-wamblee-org", "namespace": "exposure", "podname": "httpd-wamblee-org"}
    expected = [
        ("repo1.maven.org", "maven-repo", 80, "allowed"),
        ("repo1.maven.org", "maven-repo", 443, "allowed"),
        ("github.com", "internet", 80, "denied"),
        ("github.com", "internet", 443, "denied"),
        ("google.com", "internet", 80, "denied"),
        ("google.com", "internet", 443, "denied"),
    ]
    assert probes == [
        {
            "id": f"httpd-wamblee-org->{host}:{port}/tcp",
            "rule": "internet-access",
            "alsoInRules": [],
            "source": source,
            "target": {"kind": "host", "name": address, "host": host},
            "port": port,
            "protocol": "TCP",
            "expect": expect,
        }
        for host, address, port, expect in expected
    ]


def test_original_groups_example_flattens_groups_and_keeps_udp() -> None:
    spec = load_spec_file(str(EXAMPLES / "original-groups.yaml")).spec
    assert spec is not None
    probes = expand(spec)
    assert len(probes) == 2 * (2 * 2 + 2 * 2)
    assert [p.source.name for p in probes[:8]] == ["httpd-wamblee-org"] * 8
    assert [(p.target.label, p.port, p.protocol.value) for p in probes[:2]] == [
        ("192.168.178.1", 53, "TCP"),
        ("192.168.178.1", 53, "UDP"),
    ]


def test_namespace_defaults_to_the_given_one_only_where_missing() -> None:
    spec = _spec("""
        pods:
          - {name: a, podname: a}
          - {name: b, namespace: other, podname: b}
        connections:
          - {name: c, pods: [b], ports: [8080]}
          - {name: back, pods: [a], ports: [{port: 53, protocol: udp}]}
        rules:
          - {name: r, from: [a], allowed: [c]}
          - {name: r2, from: [b], denied: [back]}
        """)
    probes = expand(spec, default_namespace="team-x")
    assert [(p.source.namespace, p.target.label, p.port, p.protocol.value) for p in probes] == [
        ("team-x", "pod/b", 8080, "TCP"),
        ("other", "pod/a", 53, "UDP"),
    ]
    assert probes[1].target.pod.namespace == "team-x"  # type: ignore[union-attr]


def test_identical_probes_run_once_and_remember_every_rule() -> None:
    spec = _spec("""
        pods:
          - {name: a, podname: a}
          - {name: g, pods: [a, a]}
        addresses:
          - {name: h, hosts: [h.example, h.example]}
        connections:
          - {name: c, addresses: [h], ports: [80]}
          - {name: c2, connections: [c]}
        rules:
          - {name: r1, from: [a, g], allowed: [c, c2]}
          - {name: r2, from: [g], allowed: [c]}
        """)
    probes = expand(spec)
    assert [(p.id, p.rule, p.also_in_rules) for p in probes] == [
        ("a->h.example:80/tcp", "r1", ("r2",))
    ]


def test_connection_includes_add_their_targets_and_ports() -> None:
    spec = _spec("""
        pods:
          - {name: a, podname: a}
        addresses:
          - {name: h1, hosts: [one.example]}
          - {name: h2, hosts: [two.example]}
          - {name: both, addresses: [h1, h2]}
        connections:
          - {name: web, addresses: [h1], ports: [443]}
          - {name: all, addresses: [both], ports: [22], connections: [web]}
        rules:
          - {name: r, from: [a], denied: [all]}
        """)
    assert [p.id for p in expand(spec)] == [
        "a->one.example:22/tcp",
        "a->two.example:22/tcp",
        "a->one.example:443/tcp",
    ]


def test_selector_pods_serialize_their_selector() -> None:
    spec = _spec("""
        pods:
          - {name: web, namespace: shop, selector: 'app=web,tier in (a,b),!legacy'}
          - {name: db, namespace: shop, selector: {matchLabels: {app: db}}}
        connections:
          - {name: c, pods: [db], ports: [5432]}
        rules:
          - {name: r, from: [web], allowed: [c]}
        """)
    (probe,) = expand(spec)
    data = probe_dict(probe)
    assert data["source"]["selector"] == {
        "matchLabels": {"app": "web"},
        "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["a", "b"]},
            {"key": "legacy", "operator": "DoesNotExist", "values": []},
        ],
    }
    assert data["target"] == {
        "kind": "pod",
        "name": "db",
        "namespace": "shop",
        "selector": {"matchLabels": {"app": "db"}},
    }
