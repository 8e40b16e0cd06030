"""Typed access to PyYAML's node tree, so every value keeps the line and column it came from.

The spec loader works on composed nodes rather than on plain Python objects: that is how each
problem can point at the exact place in the file, and how duplicate keys (which `yaml.safe_load`
silently merges) are caught.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from kubectl_netpoltest.core.model import Location

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
NULL = "tag:yaml.org,2002:null"

_TYPE_NAMES = {
    STR: "a string",
    INT: "an integer",
    NULL: "nothing (null)",
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:float": "a number",
}


@dataclass(frozen=True)
class Doc:
    """A composed document and the file name to report in locations."""

    file: str
    root: yaml.Node | None

    def location(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        return Location(self.file, mark.line + 1, mark.column + 1)


class YamlSyntaxError(Exception):
    def __init__(self, *, location: Location, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.message = message


def compose(*, text: str, file: str) -> Doc:
    """Compose one YAML document; raise YamlSyntaxError with the parser's position."""
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{exc.context}: {problem}" if "while" not in exc.context else problem
        raise YamlSyntaxError(
            location=Location(file, line, column), message=f"YAML syntax error: {problem}"
        ) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(location=Location(file, 1, 1), message=f"YAML error: {exc}") from None
    except RecursionError:
        # PyYAML's composer recurses once per nesting level; a spec needs about six.
        raise YamlSyntaxError(
            location=Location(file, 1, 1),
            message="the YAML nests too deeply to read (hundreds of levels)",
        ) from None
    if len(nodes) > 1:
        second = nodes[1]
        raise YamlSyntaxError(
            location=Location(file, second.start_mark.line + 1, 1),
            message="the file holds several YAML documents; put the whole spec in one",
        )
    return Doc(file=file, root=nodes[0] if nodes else None)


def describe(node: yaml.Node) -> str:
    """How to name a node's type in a message: 'a list', 'a string'..."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return _TYPE_NAMES.get(node.tag, "a value")


def is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == NULL


def is_str(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == STR


def is_int(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == INT


def scalar(node: yaml.Node) -> str:
    assert isinstance(node, yaml.ScalarNode)
    value = node.value
    assert isinstance(value, str)
    return value


def pairs(node: yaml.MappingNode) -> Iterator[tuple[yaml.Node, yaml.Node]]:
    yield from node.value


def items(node: yaml.SequenceNode) -> Iterator[yaml.Node]:
    yield from node.value
