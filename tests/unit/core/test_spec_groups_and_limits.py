"""Spec groups (one shared loader for pod and address groups) and hostile input.

The group cases reproduce two bugs of the drifted copies the loader used to have; the hostile
cases were internal errors (exit 70) or ran out of memory before they became problems.
"""

from __future__ import annotations

import os
import textwrap
import threading
from pathlib import Path

import pytest

from kubectl_netpoltest.core.plan import count_probes, expand
from kubectl_netpoltest.core.spec.loader import (
    MAX_SPEC_BYTES,
    load_spec_file,
    parse_spec,
)


def problems_of(text: str, **kwargs: int) -> list[str]:
    return [str(p) for p in parse_spec(text=textwrap.dedent(text), file="t.yaml", **kwargs).problems]


GROUP_CASES = [
    pytest.param(
        """\
        pods:
          - {name: a, podname: A}
        addresses:
          - {name: g, addresses: []}
        """,
        [
            "t.yaml:2:24: pods[0].podname: 'A' cannot start a pod name (expected lower-case letters, digits, '-' and '.')",
            "t.yaml:4:26: addresses[0].addresses: the address group is empty (expected at least one address or address group)",
        ],
        id="empty address group reported after an earlier problem",
    ),
    pytest.param(
        """\
        pods:
          - {name: a, podname: A}
          - {name: g, pods: []}
        """,
        [
            "t.yaml:2:24: pods[0].podname: 'A' cannot start a pod name (expected lower-case letters, digits, '-' and '.')",
            "t.yaml:3:21: pods[1].pods: the pod group is empty (expected at least one pod or pod group)",
        ],
        id="empty pod group reported after an earlier problem",
    ),
    pytest.param(
        """\
        addresses:
          - {name: h, hosts: [example.com]}
          - {name: x, hosts: [example.org], addresses: [h]}
        connections:
          - {name: c, addresses: [x], ports: [80]}
        """,
        [
            "t.yaml:3:15: addresses[1].hosts: an address group cannot also have hosts (expected either an address (hosts) or a group (addresses))",
        ],
        id="address with hosts and addresses is still defined: no second 'not defined'",
    ),
    pytest.param(
        """\
        pods:
          - {name: p, namespace: n, podname: p, pods: [q]}
          - {name: q, podname: q}
        rules:
          - {name: r, from: [p], allowed: []}
        """,
        [
            "t.yaml:2:15: pods[0].namespace: a pod group cannot also have namespace (expected either a pod (namespace, podname|selector) or a group (pods))",
            "t.yaml:2:29: pods[0].podname: a pod group cannot also have podname (expected either a pod (namespace, podname|selector) or a group (pods))",
            "t.yaml:5:5: rules[0]: has neither allowed nor denied connections (expected allowed: [connections] and/or denied: [connections])",
        ],
        id="pod with group fields: same rule as addresses",
    ),
    pytest.param(
        """\
        addresses:
          - {name: x}
        connections:
          - {name: c, addresses: [x], ports: [80]}
        """,
        [
            "t.yaml:2:5: addresses[0]: has neither hosts nor addresses (expected hosts: [names or IPs] or addresses: [address names])",
        ],
        id="address without hosts is defined: its users get no second error",
    ),
]


@pytest.mark.parametrize(("text", "expected"), GROUP_CASES)
def test_group_problems(text: str, expected: list[str]) -> None:
    assert problems_of(text) == expected


@pytest.mark.parametrize(
    "port",
    ["0443", "1:30", "0_", "1_000", "0x1bb", "0b1", "+443"],
)
def test_yaml_1_1_integer_ports_are_problems_not_crashes(port: str) -> None:
    spec = f"""\
        addresses:
          - {{name: h, hosts: [example.com]}}
        connections:
          - {{name: c, addresses: [h], ports: [{port}, {{port: {port}}}]}}
        """
    problems = problems_of(spec)
    assert len(problems) == 2, problems
    for problem in problems:
        assert f"'{port}' is not a plain decimal number" in problem
        assert "(expected a decimal integer 1-65535 without leading zeros, e.g. 443)" in problem
        assert problem.startswith("t.yaml:4:")


def test_deep_nesting_is_a_problem_not_a_recursion_error() -> None:
    text = "pods: " + "[" * 5000 + "]" * 5000 + "\n"
    problems = problems_of(text)
    assert problems == [
        "t.yaml:1:1: the YAML nests too deeply to read (hundreds of levels)"
    ]


def test_a_chain_of_thousands_of_nested_groups_loads_and_expands() -> None:
    depth = 3000
    lines = ["pods:", "  - {name: g0, podname: web}"]
    lines += [f"  - {{name: g{i}, pods: [g{i - 1}]}}" for i in range(1, depth)]
    lines += [
        "addresses:",
        "  - {name: h, hosts: [example.com]}",
        "connections:",
        "  - {name: c, addresses: [h], ports: [443]}",
        "rules:",
        f"  - {{name: r, from: [g{depth - 1}], allowed: [c]}}",
    ]
    result = parse_spec(text="\n".join(lines) + "\n", file="t.yaml")
    assert result.problems == ()
    assert result.spec is not None
    assert [p.id for p in expand(result.spec)] == ["g0->example.com:443/tcp"]


def test_a_cycle_in_a_long_chain_is_reported_once() -> None:
    lines = ["pods:", "  - {name: g0, pods: [g199]}"]
    lines += [f"  - {{name: g{i}, pods: [g{i - 1}]}}" for i in range(1, 200)]
    problems = problems_of("\n".join(lines) + "\n")
    assert len(problems) == 1
    assert "pod group cycle: g0 -> g199 -> g198" in problems[0]


def _huge_spec(pods: int, ports: int) -> str:
    pod_lines = "\n".join(f"  - {{name: p{i}, podname: p{i}}}" for i in range(pods))
    members = ", ".join(f"p{i}" for i in range(pods))
    port_list = ", ".join(str(1 + i) for i in range(ports))
    return (
        f"pods:\n{pod_lines}\n  - {{name: all, pods: [{members}]}}\n"
        f"connections:\n  - {{name: c, pods: [all], ports: [{port_list}]}}\n"
        "  - {name: one, pods: [p1], ports: [65000]}\n"
        "rules:\n  - {name: big, from: [all], allowed: [c]}\n"
        "  - {name: small, from: [p0], denied: [one]}\n"
    )


def test_a_spec_of_millions_of_probes_is_refused_before_expansion() -> None:
    text = _huge_spec(pods=100, ports=1000)  # 100 x 100 x 1000 = 10 million probes
    assert len(text) < 12_000
    result = parse_spec(text=text, file="t.yaml")
    messages = [str(p) for p in result.problems]
    assert any(
        "the spec expands to up to 10,000,001 probes, more than the limit of 20,000 "
        "(largest rules: 'big': 10,000,000, 'small': 1)" in m
        and "--max-probes to raise the limit" in m
        for m in messages
    ), messages


def test_max_probes_can_be_raised() -> None:
    text = _huge_spec(pods=10, ports=300)  # 10 x 10 x 300 = 30,000 (+1)
    assert any("30,001 probes" in str(p) for p in parse_spec(text=text, file="t.yaml").problems)
    raised = parse_spec(text=text, file="t.yaml", max_probes=30_001)
    assert raised.spec is not None
    assert count_probes(raised.spec) == {"big": 30_000, "small": 1}
    assert len(expand(raised.spec)) == 30_001


def test_dev_zero_is_refused_without_reading_it() -> None:
    assert [str(p) for p in load_spec_file("/dev/zero").problems] == [
        "/dev/zero:1:1: is not a regular file (a device or socket) (expected a YAML test spec file)"
    ]


def test_an_oversized_spec_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_SPEC_BYTES + 1))
    assert [str(p) for p in load_spec_file(str(path)).problems] == [
        f"{path}:1:1: the spec is larger than 4 MiB (expected a YAML test spec (a few KiB; "
        "split very large specs into several files))"
    ]


def test_a_pipe_is_read_like_process_substitution(tmp_path: Path) -> None:
    fifo = tmp_path / "spec.fifo"
    os.mkfifo(fifo)
    text = "pods:\n  - {name: a, podname: a}\n"

    def writer() -> None:
        with fifo.open("w") as stream:
            stream.write(text)

    thread = threading.Thread(target=writer)
    thread.start()
    result = load_spec_file(str(fifo))
    thread.join(timeout=10)
    assert result.problems == ()
    assert result.spec is not None
    assert [p.name for p in result.spec.pods] == ["a"]


def test_non_utf8_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"pods: [\xff]\n")
    (problem,) = load_spec_file(str(path)).problems
    assert "not UTF-8 text" in str(problem)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("a\x1b[31mred", r"'a\x1b[31mred'"),
        ("r\x1b]0;title\x07", r"'r\x1b]0;title\x07'"),
        ("c\x00", r"'c\x00'"),
        ("over\rwrite", r"'over\rwrite'"),
        ("bidi\u202eevil", r"'bidi\u202eevil'"),
    ],
)
def test_a_symbolic_name_with_control_characters_is_a_problem(name: str, shown: str) -> None:
    """Symbolic names are printed as they are in plan/execute tables and reports: an escape
    sequence in one would redraw the user's terminal (hostile spec), so it is refused."""
    import json

    text = f"pods:\n  - {{name: {json.dumps(name)}, podname: web}}\n"
    problems = [str(p) for p in parse_spec(text=text, file="t.yaml").problems]
    assert problems == [
        f"t.yaml:2:12: pods[0].name: {shown} contains a control or formatting character "
        "(expected a symbolic name of printable characters)"
    ]


def test_rule_and_connection_names_are_checked_too() -> None:
    problems = problems_of(
        """\
        pods:
          - {name: a, podname: web}
        connections:
          - {name: "c\\t", pods: [a], ports: [80]}
        rules:
          - {name: "r\\n", from: [a], allowed: ["c\\t"]}
        """
    )
    assert [p.split(": ")[1] for p in problems] == ["connections[0].name", "rules[0].name"]


def test_unicode_names_that_are_printable_load() -> None:
    assert problems_of(
        """\
        pods:
          - {name: "café-ünïcode 名前 ✓", podname: web}
        """
    ) == []


def test_a_selector_that_can_match_no_pod_is_a_problem() -> None:
    """`app=web,app=db` is valid kubectl syntax but selects nothing (and a JSON map cannot even
    hold it: `plan -o json` showed only app=db)."""
    assert problems_of("pods:\n  - {name: p, selector: 'app=web,app=db'}\n") == [
        "t.yaml:2:25: pods[0].selector: the selector can match no pod: app would have to be both "
        "'db' and 'web' (expected one value per label, or 'app in (...)' for any of several)"
    ]
    result = parse_spec(text="pods:\n  - {name: p, selector: 'app=web,app=web'}\n", file="t.yaml")
    assert result.spec is not None
    assert result.spec.pods[0].selector is not None
    assert result.spec.pods[0].selector.match_labels == (("app", "web"),)
