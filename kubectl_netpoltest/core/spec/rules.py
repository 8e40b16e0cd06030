"""`rules:` entries: from which pods, which connections are allowed and which denied."""

from __future__ import annotations

import yaml

from kubectl_netpoltest.core.model import Rule
from kubectl_netpoltest.core.spec import yamlnodes as yn
from kubectl_netpoltest.core.spec.reader import (
    Ref,
    SpecReader,
    define,
    read_fields,
    read_name,
    read_name_list,
)


def load_rule(
    reader: SpecReader,
    node: yaml.Node,
    path: str,
    *,
    rules: list[tuple[Rule, dict[str, list[Ref]]]],
) -> None:
    if not isinstance(node, yaml.MappingNode):
        reader.problem(node, path, f"is {yn.describe(node)}", "{name, from, allowed, denied}")
        return
    fields = read_fields(reader, node, path, ("name", "from", "allowed", "denied"))
    named = read_name(reader, fields, node, path)
    refs: dict[str, list[Ref]] = {}
    for key, what in (
        ("from", "pods or pod groups"),
        ("allowed", "connections"),
        ("denied", "connections"),
    ):
        refs[key] = (
            read_name_list(reader, fields[key][1], f"{path}.{key}", what) if key in fields else []
        )
    if not refs["from"] and not reader.has_problem_under(f"{path}.from"):
        reader.problem(node, path, "has no `from` pods", "from: [pods or pod groups]")
    if (
        not refs["allowed"]
        and not refs["denied"]
        and not reader.has_problem_under(f"{path}.allowed")
        and not reader.has_problem_under(f"{path}.denied")
    ):
        reader.problem(
            node,
            path,
            "has neither allowed nor denied connections",
            "allowed: [connections] and/or denied: [connections]",
        )
    if named:
        define(
            reader,
            reader.rule_names,
            name=named[0],
            kind="rule",
            node=named[1],
            path=f"{path}.name",
        )
        rule = Rule(
            named[0],
            tuple(r.name for r in refs["from"]),
            tuple(r.name for r in refs["allowed"]),
            tuple(r.name for r in refs["denied"]),
            reader.at(node),
        )
        rules.append((rule, refs))
