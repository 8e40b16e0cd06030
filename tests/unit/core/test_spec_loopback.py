"""Hosts whose traffic never leaves the source pod: loopback and unspecified addresses, and
`localhost` (RFC 6761: always loopback). No NetworkPolicy ever applies to them, so a verdict
on them is about the pod, not the policy — and in reject mode a `denied` probe to a closed
loopback port is `refused`, which passes as 'the CNI rejected it': a false PASS.
Found by feeding such hosts to `validate`: all were accepted."""

from __future__ import annotations

import pytest

from kubectl_netpoltest.core.spec.loader import parse_spec


def problems(host: str) -> list[str]:
    text = (
        "pods:\n  - {name: a, namespace: shop, podname: a}\n"
        f"addresses:\n  - {{name: h, hosts: ['{host}']}}\n"
        "connections:\n  - {name: c, addresses: [h], ports: [80]}\n"
        "rules:\n  - {name: r, from: [a], denied: [c]}\n"
    )
    return [str(p) for p in parse_spec(text=text, file="t.yaml").problems]


@pytest.mark.parametrize("host", ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1",
                                  "0.0.0.0", "::", "localhost", "LocalHost.", "db.localhost"])
def test_a_host_that_never_leaves_the_pod_is_a_problem(host: str) -> None:
    found = problems(host)
    assert len(found) == 1 and "never leaves the source pod" in found[0], found
    assert found[0].startswith("t.yaml:4:")


@pytest.mark.parametrize("host", ["10.0.0.1", "169.254.169.254", "::ffff:10.0.0.1",
                                  "localhost.example.com", "example.com"])
def test_other_hosts_still_load(host: str) -> None:
    assert problems(host) == []


@pytest.mark.parametrize(("value", "kind"), [("yes", "a boolean"), ("123", "an integer"),
                                             ("null", "nothing (null)")])
def test_an_unquoted_yaml_1_1_scalar_where_a_name_goes_says_to_quote_it(value: str,
                                                                       kind: str) -> None:
    """`namespace: yes` is a valid namespace name read as a boolean: the message says why."""
    text = f"pods:\n  - {{name: a, namespace: {value}, podname: a}}\n"
    found = [str(p) for p in parse_spec(text=text, file="t.yaml").problems]
    assert found == [f"t.yaml:2:26: pods[0].namespace: is {kind}: unquoted, YAML reads "
                     f"{value} so; write '{value}' if you meant the text (expected a namespace "
                     "name)"], found
