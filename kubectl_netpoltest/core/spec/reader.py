"""The spec reader: walks PyYAML's node tree, collects problems, and knows the defined names.

Why one shared reader: every section loader (pods, addresses, connections, rules) reports
problems the same way (FILE:LINE:COLUMN, field path, expected form) and defines names in the same
tables, so the checks that run across sections (undefined names, cycles) see all of them.
Nothing here raises on bad input: every problem is recorded and loading goes on.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import yaml

from kubectl_netpoltest.core.model import Location
from kubectl_netpoltest.core.spec import yamlnodes as yn
from kubectl_netpoltest.core.spec.problems import Problem

Fields = dict[str, tuple[yaml.Node, yaml.Node]]
"""A mapping's known keys: name → (key node, value node)."""


@dataclass
class Definition:
    """A defined name: its kind ('pod', 'address group', ...) and where it was defined."""

    kind: str
    location: Location


@dataclass(frozen=True)
class Ref:
    """A name used somewhere, with where, so undefined names point at the use."""

    name: str
    location: Location
    path: str


@dataclass
class SpecReader:
    """Problems found so far and the three name tables (pods/addresses share one)."""

    doc: yn.Doc
    problems: list[Problem] = field(default_factory=list)
    names: dict[str, Definition] = field(default_factory=dict)
    connection_names: dict[str, Definition] = field(default_factory=dict)
    rule_names: dict[str, Definition] = field(default_factory=dict)

    def at(self, node: yaml.Node) -> Location:
        return self.doc.location(node)

    def problem(
        self, node: yaml.Node, path: str, message: str, expected: str | None = None
    ) -> None:
        self.problems.append(Problem(self.at(node), path, message, expected))

    def has_problem_under(self, path: str) -> bool:
        """Whether something at `path` or below was already reported (avoids piling on)."""
        return any(
            p.path == path or p.path.startswith((f"{path}.", f"{path}[")) for p in self.problems
        )


def did_you_mean(word: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def read_fields(
    reader: SpecReader, node: yaml.MappingNode, path: str, allowed: tuple[str, ...]
) -> Fields:
    """Keys of a mapping, reporting unknown and duplicate ones."""
    found: Fields = {}
    for key, value in yn.pairs(node):
        if not yn.is_str(key):
            reader.problem(key, path, f"a key is {yn.describe(key)}", "a field name")
            continue
        name = yn.scalar(key)
        where = f"{path}.{name}" if path else name
        if name in found:
            first = reader.at(found[name][0])
            reader.problem(key, where, f"duplicate key (first at line {first.line})")
            continue
        if name not in allowed:
            reader.problem(
                key,
                where,
                "unknown field" + did_you_mean(name, list(allowed)),
                "one of: " + ", ".join(allowed),
            )
            continue
        found[name] = (key, value)
    return found


def read_string(
    reader: SpecReader, node: yaml.Node, path: str, what: str = "a string"
) -> str | None:
    if not yn.is_str(node):
        found = f"is {yn.describe(node)}"
        if isinstance(node, yaml.ScalarNode) and node.style is None and node.value:
            # YAML 1.1: valid names such as namespace `yes`, `on` or `123` need quotes
            found += (
                f": unquoted, YAML reads {node.value} so; write '{node.value}' if you meant "
                "the text"
            )
        reader.problem(node, path, found, what)
        return None
    value = yn.scalar(node)
    if not value.strip():
        reader.problem(node, path, "is empty", what)
        return None
    return value


def read_list(reader: SpecReader, node: yaml.Node, path: str, what: str) -> list[yaml.Node] | None:
    if yn.is_null(node):
        return []
    if not isinstance(node, yaml.SequenceNode):
        reader.problem(node, path, f"is {yn.describe(node)}", f"a list of {what}")
        return None
    return list(yn.items(node))


def read_name_list(reader: SpecReader, node: yaml.Node, path: str, what: str) -> list[Ref]:
    refs: list[Ref] = []
    singular = what[:-1] if what.endswith("s") else what
    for index, item in enumerate(read_list(reader, node, path, what) or []):
        item_path = f"{path}[{index}]"
        name = read_string(reader, item, item_path, f"the name of {singular}")
        if name is not None:
            refs.append(Ref(name, reader.at(item), item_path))
    return refs


def define(
    reader: SpecReader,
    table: dict[str, Definition],
    *,
    name: str,
    kind: str,
    node: yaml.Node,
    path: str,
) -> None:
    if name in table:
        first = table[name]
        reader.problem(
            node,
            path,
            f"{name!r} is already defined as a {first.kind} at line {first.location.line}",
            "unique names",
        )
        return
    table[name] = Definition(kind=kind, location=reader.at(node))


def read_name(
    reader: SpecReader, fields: Fields, node: yaml.Node, path: str
) -> tuple[str, yaml.Node] | None:
    if "name" not in fields:
        reader.problem(node, path, "has no name", "a `name:` field")
        return None
    _, value = fields["name"]
    name = read_string(reader, value, f"{path}.name", "a symbolic name")
    if name is not None and not name.isprintable():
        # Names are printed as they are in plan/execute tables and reports: an escape sequence
        # (or a bidi override) in a hostile spec would redraw or disguise the user's terminal.
        reader.problem(
            value,
            f"{path}.name",
            f"{name!r} contains a control or formatting character",
            "a symbolic name of printable characters",
        )
        return None
    return None if name is None else (name, value)
