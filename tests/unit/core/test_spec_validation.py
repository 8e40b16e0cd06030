"""Every validation error, with its exact message and position (issue 2's table-driven test).

Each case is a whole spec; the expected lines are exactly what `validate` prints for it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kubectl_netpoltest.core.spec.loader import load_spec_file, parse_spec

CASES = [
    pytest.param(
        "pod:\n  - {name: a, podname: a}\n",
        [
            "t.yaml:1:1: pod: unknown field; did you mean 'pods'? (expected one of: pods, addresses, services, connections, rules, image)",
        ],
        id="unknown top-level key with did-you-mean",
    ),
    pytest.param(
        "pods:\n  - {name: a, podnme: a}\n",
        [
            "t.yaml:2:5: pods[0]: has neither podname nor selector (nor pods, for a group) (expected podname: <prefix of the pod name> or selector: <labels>)",
            "t.yaml:2:15: pods[0].podnme: unknown field; did you mean 'podname'? (expected one of: name, namespace, podname, selector, pods, spread, targets)",
        ],
        id="unknown field in a pod",
    ),
    pytest.param(
        "pods: {name: a}\n",
        [
            "t.yaml:1:7: pods: is a mapping (expected a list of pods)",
        ],
        id="wrong type for a section",
    ),
    pytest.param(
        "addresses:\n  - {name: h, hosts: [h.example]}\nconnections:\n  - {name: c, addresses: [h], ports: [{port: '80'}]}\n",
        [
            "t.yaml:4:46: connections[0].ports[0].port: is a string (expected an integer 1-65535)",
        ],
        id="wrong type for a port",
    ),
    pytest.param(
        "addresses:\n  - {name: h, hosts: [h.example]}\nconnections:\n  - {name: c, addresses: [h], ports: [{port: 70000}]}\n",
        [
            "t.yaml:4:46: connections[0].ports[0].port: 70000 is out of range (expected 1-65535)",
        ],
        id="port out of range",
    ),
    pytest.param(
        "addresses:\n  - {name: h, hosts: [h.example]}\nconnections:\n  - {name: c, addresses: [h], ports: [{port: 0}]}\n",
        [
            "t.yaml:4:46: connections[0].ports[0].port: 0 is out of range (expected 1-65535)",
        ],
        id="port zero",
    ),
    pytest.param(
        "addresses:\n  - {name: h, hosts: [h.example]}\nconnections:\n  - {name: c, addresses: [h], ports: [{port: 80, type: ICMP}]}\n",
        [
            "t.yaml:4:56: connections[0].ports[0].type: unknown protocol 'ICMP' (expected TCP or UDP)",
        ],
        id="unknown protocol",
    ),
    pytest.param(
        "pods:\n  - {name: a, podname: a}\naddresses:\n  - {name: a, hosts: [x.example]}\n",
        [
            "t.yaml:4:12: addresses[0].name: 'a' is already defined as a pod at line 2 (expected unique names)",
        ],
        id="duplicate name across pods and addresses",
    ),
    pytest.param(
        "addresses:\n  - {name: h, hosts: [h.example]}\nconnections:\n  - {name: c, addresses: [h], ports: [80]}\n  - {name: c, addresses: [h], ports: [81]}\n",
        [
            "t.yaml:5:12: connections[1].name: 'c' is already defined as a connection at line 4 (expected unique names)",
        ],
        id="duplicate connection name",
    ),
    pytest.param(
        "pods:\n  - {name: a, podname: a}\naddresses:\n  - {name: h, hosts: [h.example]}\nconnections:\n  - {name: c, addresses: [h], ports: [{port: 80}]}\nrules:\n  - {name: r, from: [a], allowed: [c]}\n  - {name: r, from: [a], allowed: [c]}\n",
        [
            "t.yaml:9:12: rules[1].name: 'r' is already defined as a rule at line 8 (expected unique names)",
        ],
        id="duplicate rule name",
    ),
    pytest.param(
        "pods:\n  - name: a\n    podname: a\n    podname: b\n",
        [
            "t.yaml:4:5: pods[0].podname: duplicate key (first at line 3)",
        ],
        id="duplicate key",
    ),
    pytest.param(
        "pods:\n  - {name: web, podname: web}\n  - {name: api, podname: api}\nconnections:\n  - {name: c, addresses: [wbe], ports: [80]}\n",
        [
            "t.yaml:5:27: connections[0].addresses[0]: 'wbe' is not defined; did you mean 'web'? (expected one of: web, api)",
        ],
        id="undefined reference names candidates",
    ),
    pytest.param(
        "pods:\n  - {name: a, podname: a}\naddresses:\n  - {name: h, hosts: [h.example]}\nconnections:\n  - {name: c, addresses: [h], ports: [{port: 80}]}\nrules:\n  - {name: r, from: [a], allowed: [cc]}\n",
        [
            "t.yaml:8:36: rules[0].allowed[0]: 'cc' is not defined; did you mean 'c'? (expected one of: c)",
        ],
        id="undefined connection in a rule",
    ),
    pytest.param(
        "pods:\n  - {name: g1, pods: [g2]}\n  - {name: g2, pods: [g1]}\n",
        [
            "t.yaml:3:23: pods[1].pods[0]: pod group cycle: g1 -> g2 -> g1 (expected pod groups that do not contain themselves)",
        ],
        id="group cycle",
    ),
    pytest.param(
        "addresses:\n  - {name: h, hosts: [h.example]}\nconnections:\n  - {name: c1, connections: [c2]}\n  - {name: c2, connections: [c1]}\n",
        [
            "t.yaml:5:30: connections[1].connections[0]: connection cycle: c1 -> c2 -> c1 (expected connections that do not contain themselves)",
        ],
        id="connection include cycle",
    ),
    pytest.param(
        "pods:\n  - {name: g, pods: []}\n",
        [
            "t.yaml:2:21: pods[0].pods: the pod group is empty (expected at least one pod or pod group)",
        ],
        id="empty pod group",
    ),
    pytest.param(
        "addresses:\n  - {name: g, addresses: []}\n",
        [
            "t.yaml:2:26: addresses[0].addresses: the address group is empty (expected at least one address or address group)",
        ],
        id="empty address group",
    ),
    pytest.param(
        "addresses:\n  - {name: h, hosts: [h.example]}\nconnections:\n  - {name: c, addresses: [h]}\n",
        [
            "t.yaml:4:5: connections[0]: has no ports (expected ports: [{port: 443}])",
        ],
        id="connection without ports",
    ),
    pytest.param(
        "connections:\n  - {name: c, ports: [80]}\n",
        [
            "t.yaml:2:5: connections[0]: has no targets (expected addresses: [...] or pods: [...] (or connections: [...]))",
        ],
        id="connection without targets",
    ),
    pytest.param(
        "addresses:\n  - {name: h, hosts: [h.example]}\nconnections:\n  - {name: c, addresses: [h], ports: [{port: 80}]}\nrules:\n  - {name: r, allowed: [c]}\n",
        [
            "t.yaml:6:5: rules[0]: has no `from` pods (expected from: [pods or pod groups])",
        ],
        id="rule without from",
    ),
    pytest.param(
        "pods:\n  - {name: a, podname: a}\nrules:\n  - {name: r, from: [a]}\n",
        [
            "t.yaml:4:5: rules[0]: has neither allowed nor denied connections (expected allowed: [connections] and/or denied: [connections])",
        ],
        id="rule without allowed or denied",
    ),
    pytest.param(
        "addresses:\n  - {name: h, hosts: [h.example]}\nconnections:\n  - {name: c, addresses: [h], ports: [{port: 80}]}\nrules:\n  - {name: r, from: [h], allowed: [c]}\n",
        [
            "t.yaml:6:22: rules[0].from[0]: 'h' is an address, not a pod or pod group (expected a defined pod)",
        ],
        id="rule from an address",
    ),
    pytest.param(
        "pods:\n  - {name: a, podname: a}\naddresses:\n  - {name: h, hosts: [h.example]}\nconnections:\n  - {name: c, addresses: [h], ports: [{port: 80}]}\n  - {name: d, addresses: [h], ports: [80]}\nrules:\n  - {name: r, from: [a], allowed: [c]}\n  - {name: r2, from: [a], denied: [d]}\n",
        [
            "t.yaml:10:36: rules[1].denied[0]: a -> h.example 80/TCP is expected denied here but allowed in rule 'r' (connection 'c') (expected one expectation per probe)",
        ],
        id="same probe allowed and denied",
    ),
    pytest.param(
        "addresses:\n  - {name: x, hosts: ['github.com; rm -rf /']}\n",
        [
            "t.yaml:2:23: addresses[0].hosts[0]: 'github.com; rm -rf /' is not a valid host name or IP address (expected a DNS host name, an IPv4 or an IPv6 address)",
        ],
        id="shell metacharacters in a host",
    ),
    pytest.param(
        "addresses:\n  - {name: x, hosts: ['$(reboot)']}\n",
        [
            "t.yaml:2:23: addresses[0].hosts[0]: '$(reboot)' is not a valid host name or IP address (expected a DNS host name, an IPv4 or an IPv6 address)",
        ],
        id="command substitution in a host",
    ),
    pytest.param(
        "addresses:\n  - {name: x, hosts: [10.0.0.0/8]}\n",
        [
            "t.yaml:2:23: addresses[0].hosts[0]: '10.0.0.0/8' is a CIDR range; probes need one address (expected a DNS host name, an IPv4 or an IPv6 address)",
        ],
        id="CIDR as host",
    ),
    pytest.param(
        "addresses:\n  - {name: x}\n",
        [
            "t.yaml:2:5: addresses[0]: has neither hosts nor addresses (expected hosts: [names or IPs] or addresses: [address names])",
        ],
        id="address without hosts",
    ),
    pytest.param(
        "pods:\n  - {name: s, podname: s, selector: app=s}\n",
        [
            "t.yaml:2:27: pods[0].selector: both podname and selector are set (expected exactly one of podname or selector)",
        ],
        id="both podname and selector",
    ),
    pytest.param(
        "pods:\n  - {name: s, namespace: prod}\n",
        [
            "t.yaml:2:5: pods[0]: has neither podname nor selector (nor pods, for a group) (expected podname: <prefix of the pod name> or selector: <labels>)",
        ],
        id="neither podname nor selector",
    ),
    pytest.param(
        "pods:\n  - {name: s, selector: 'app in ()'}\n",
        [
            "t.yaml:2:25: pods[0].selector: 'app in ()' needs at least one value (expected kubectl syntax, e.g. 'app=web,tier in (a,b)')",
        ],
        id="bad selector string",
    ),
    pytest.param(
        "pods:\n  - name: s\n    selector:\n      matchExpressions:\n        - {key: app, operator: Is, values: [x]}\n",
        [
            "t.yaml:5:32: pods[0].selector.matchExpressions[0].operator: unknown operator 'Is' (expected one of: In, NotIn, Exists, DoesNotExist)",
        ],
        id="bad selector operator",
    ),
    pytest.param(
        "pods:\n  - {name: s, namespace: Prod_1, podname: s}\n",
        [
            "t.yaml:2:26: pods[0].namespace: 'Prod_1' is not a valid namespace name (expected a DNS label: lower-case letters, digits and '-', at most 63 characters)",
        ],
        id="bad namespace",
    ),
    pytest.param(
        "pods:\n  - {podname: s}\n",
        [
            "t.yaml:2:5: pods[0]: has no name (expected a `name:` field)",
        ],
        id="pod without name",
    ),
    pytest.param(
        "rules:\n  - just-a-name\n",
        [
            "t.yaml:2:5: rules[0]: is a string (expected {name, from, allowed, denied})",
        ],
        id="a list entry that is not a mapping",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_each_problem_has_exact_message_and_position(text: str, expected: list[str]) -> None:
    result = parse_spec(text=text, file="t.yaml")
    assert result.spec is None
    assert [str(p) for p in result.problems] == expected


def test_problems_are_sorted_by_position_and_all_reported() -> None:
    text = textwrap.dedent("""\
        pods:
          - {name: a, podname: A}
        connections:
          - {name: c, addresses: [nowhere], ports: [{port: 99999}]}
        rules:
          - {name: r, from: [a]}
        """)
    problems = [str(p) for p in parse_spec(text=text, file="t.yaml").problems]
    assert len(problems) == 4, problems
    assert [p.split(":")[1] for p in problems] == ["2", "4", "4", "6"]


def test_yaml_syntax_error() -> None:
    problems = parse_spec(text="pods: [\n", file="t.yaml").problems
    assert [str(p) for p in problems] == [
        "t.yaml:2:1: YAML syntax error: expected the node content, but found '<stream end>'"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "",
            "t.yaml:1:1: the spec is empty (expected a mapping with pods, addresses, connections "
            "and rules)",
        ),
        (
            "# only a comment\n",
            "t.yaml:1:1: the spec is empty (expected a mapping with pods, "
            "addresses, connections and rules)",
        ),
        (
            "- a\n",
            "t.yaml:1:1: the spec is a list (expected a mapping with pods, addresses, "
            "connections and rules)",
        ),
        (
            "just text\n",
            "t.yaml:1:1: the spec is a string (expected a mapping with pods, addresses, "
            "connections and rules)",
        ),
    ],
)
def test_empty_or_non_mapping_document(text: str, message: str) -> None:
    assert [str(p) for p in parse_spec(text=text, file="t.yaml").problems] == [message]


def test_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nope.yaml")
    assert [str(p) for p in load_spec_file(path).problems] == [
        f"{path}:1:1: file does not exist (expected a path to a YAML test spec)"
    ]


def test_directory_instead_of_file(tmp_path: Path) -> None:
    assert [str(p) for p in load_spec_file(str(tmp_path)).problems] == [
        f"{tmp_path}:1:1: is a directory (expected a YAML test spec file)"
    ]


def test_several_documents() -> None:
    problems = parse_spec(text="pods: []\n---\nrules: []\n", file="t.yaml").problems
    assert [str(p) for p in problems] == [
        "t.yaml:3:1: the file holds several YAML documents; put the whole spec in one"
    ]
