"""Label selectors in the two forms users know: a YAML map and kubectl's string syntax.

The string form follows `kubectl get -l` (k8s.io/apimachinery labels.Parse): `a=b`, `a==b`,
`a!=b`, `a in (x,y)`, `a notin (x)`, `a` (exists) and `!a` (does not exist), comma-separated.
"""

from __future__ import annotations

import re

from kubectl_netpoltest.core.model import LabelSelector, Requirement, SelectorOperator

_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
_KEY = re.compile(rf"^([a-z0-9]([-a-z0-9.]{{0,251}}[a-z0-9])?/)?{_NAME}$")
_VALUE = re.compile(rf"^({_NAME})?$")

_SET = re.compile(r"^\s*(?P<key>[^\s!=(),]+)\s+(?P<op>in|notin)\s*\((?P<values>[^()]*)\)\s*$")
_EQUALITY = re.compile(r"^\s*(?P<key>[^\s!=(),]+)\s*(?P<op>==|!=|=)\s*(?P<value>[^\s!=(),]*)\s*$")
_EXISTS = re.compile(r"^\s*(?P<neg>!?)\s*(?P<key>[^\s!=(),]+)\s*$")


class SelectorSyntaxError(ValueError):
    """A selector that kubectl would reject; the message says which part and why."""


def label_key_problem(key: str) -> str | None:
    if not _KEY.match(key):
        return f"{key!r} is not a valid label key"
    return None


def label_value_problem(value: str) -> str | None:
    if not _VALUE.match(value):
        return f"{value!r} is not a valid label value"
    return None


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _checked(key: str, values: tuple[str, ...]) -> None:
    problem = label_key_problem(key)
    if problem is None:
        problem = next(filter(None, (label_value_problem(v) for v in values)), None)
    if problem is not None:
        raise SelectorSyntaxError(problem)


def parse_selector(text: str) -> LabelSelector:
    """Parse kubectl's selector string; raise SelectorSyntaxError naming the bad part."""
    if not text.strip():
        raise SelectorSyntaxError("selector is empty")
    labels: list[tuple[str, str]] = []
    expressions: list[Requirement] = []
    for part in _split_top_level(text):
        if match := _SET.match(part):
            key = match["key"]
            values = tuple(v.strip() for v in match["values"].split(",") if v.strip())
            if not values:
                raise SelectorSyntaxError(f"{part.strip()!r} needs at least one value")
            _checked(key, values)
            op = SelectorOperator.IN if match["op"] == "in" else SelectorOperator.NOT_IN
            expressions.append(Requirement(key=key, operator=op, values=values))
        elif match := _EQUALITY.match(part):
            key, value = match["key"], match["value"]
            _checked(key, (value,))
            if match["op"] == "!=":
                expressions.append(
                    Requirement(key=key, operator=SelectorOperator.NOT_IN, values=(value,))
                )
            else:
                labels.append((key, value))
        elif match := _EXISTS.match(part):
            key = match["key"]
            _checked(key, ())
            op = SelectorOperator.DOES_NOT_EXIST if match["neg"] else SelectorOperator.EXISTS
            expressions.append(Requirement(key=key, operator=op))
        else:
            raise SelectorSyntaxError(f"cannot parse {part.strip()!r}")
    return LabelSelector(match_labels=tuple(labels), match_expressions=tuple(expressions))
