"""Label selectors in the two forms users know: a YAML map and kubectl's string syntax.

`read_selector` reads either form from the spec's YAML nodes. The string form follows
`kubectl get -l` (k8s.io/apimachinery labels.Parse): `a=b`, `a==b`,
`a!=b`, `a in (x,y)`, `a notin (x)`, `a` (exists) and `!a` (does not exist), comma-separated.
"""

from __future__ import annotations

import re

import yaml

from kubectl_netpoltest.core.labels import LabelSelector, Requirement, SelectorOperator
from kubectl_netpoltest.core.spec import yamlnodes as yn
from kubectl_netpoltest.core.spec.reader import (
    SpecReader,
    did_you_mean,
    read_fields,
    read_list,
    read_name_list,
    read_string,
)

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


def read_selector(reader: SpecReader, node: yaml.Node, path: str) -> LabelSelector | None:
    if yn.is_str(node):
        try:
            return _satisfiable(reader, node, path, parse_selector(yn.scalar(node)))
        except SelectorSyntaxError as exc:
            reader.problem(node, path, str(exc), "kubectl syntax, e.g. 'app=web,tier in (a,b)'")
            return None
    if not isinstance(node, yaml.MappingNode):
        reader.problem(
            node,
            path,
            f"is {yn.describe(node)}",
            "a label map, {matchLabels, matchExpressions} or a string like 'app=web'",
        )
        return None
    keys = {yn.scalar(k) for k, _ in yn.pairs(node) if yn.is_str(k)}
    if keys & {"matchLabels", "matchExpressions"}:
        fields = read_fields(reader, node, path, ("matchLabels", "matchExpressions"))
        labels = (
            _label_map(reader, fields["matchLabels"][1], f"{path}.matchLabels")
            if "matchLabels" in fields
            else ()
        )
        expressions = (
            _expressions(reader, fields["matchExpressions"][1], f"{path}.matchExpressions")
            if "matchExpressions" in fields
            else ()
        )
        if labels is None or expressions is None:
            return None
        selector = LabelSelector(labels, expressions)
    else:
        labels = _label_map(reader, node, path)
        if labels is None:
            return None
        selector = LabelSelector(labels, ())
    if not selector.match_labels and not selector.match_expressions:
        reader.problem(
            node, path, "the selector is empty and would match every pod", "at least one label"
        )
        return None
    return _satisfiable(reader, node, path, selector)


def _satisfiable(
    reader: SpecReader, node: yaml.Node, path: str, selector: LabelSelector
) -> LabelSelector | None:
    """Refuse equality requirements that contradict each other (`app=web,app=db`): kubectl
    accepts them, but such a selector matches no pod, and a JSON map cannot even hold it."""
    values: dict[str, set[str]] = {}
    for key, value in selector.match_labels:
        values.setdefault(key, set()).add(value)
    clash = next((key for key, found in values.items() if len(found) > 1), None)
    if clash is not None:
        both = " and ".join(repr(v) for v in sorted(values[clash]))
        reader.problem(
            node,
            path,
            f"the selector can match no pod: {clash} would have to be both {both}",
            f"one value per label, or '{clash} in (...)' for any of several",
        )
        return None
    return LabelSelector(tuple(dict.fromkeys(selector.match_labels)), selector.match_expressions)


def _label_map(
    reader: SpecReader, node: yaml.Node, path: str
) -> tuple[tuple[str, str], ...] | None:
    if not isinstance(node, yaml.MappingNode):
        reader.problem(node, path, f"is {yn.describe(node)}", "a map of label keys to values")
        return None
    labels: list[tuple[str, str]] = []
    ok = True
    for key, value in yn.pairs(node):
        key_text = yn.scalar(key) if isinstance(key, yaml.ScalarNode) else ""
        where = f"{path}.{key_text}"
        if not isinstance(value, yaml.ScalarNode) or yn.is_null(value):
            reader.problem(value, where, f"is {yn.describe(value)}", "a label value (a string)")
            ok = False
            continue
        problem = label_key_problem(key_text) or label_value_problem(yn.scalar(value))
        if problem:
            reader.problem(key, where, problem, "Kubernetes label syntax")
            ok = False
            continue
        labels.append((key_text, yn.scalar(value)))
    return tuple(labels) if ok else None


def _expressions(reader: SpecReader, node: yaml.Node, path: str) -> tuple[Requirement, ...] | None:
    items = read_list(reader, node, path, "label requirements {key, operator, values}")
    if items is None:
        return None
    result: list[Requirement] = []
    operators = [op.value for op in SelectorOperator]
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        if not isinstance(item, yaml.MappingNode):
            reader.problem(item, where, f"is {yn.describe(item)}", "{key, operator, values}")
            return None
        fields = read_fields(reader, item, where, ("key", "operator", "values"))
        key = read_string(reader, fields["key"][1], f"{where}.key") if "key" in fields else None
        op_text = (
            read_string(reader, fields["operator"][1], f"{where}.operator")
            if "operator" in fields
            else None
        )
        if key is None or op_text is None:
            if "key" not in fields or "operator" not in fields:
                reader.problem(item, where, "needs key and operator", "{key, operator, values}")
            return None
        if op_text not in operators:
            reader.problem(
                fields["operator"][1],
                f"{where}.operator",
                f"unknown operator {op_text!r}" + did_you_mean(op_text, operators),
                "one of: " + ", ".join(operators),
            )
            return None
        values = (
            [
                v.name
                for v in read_name_list(reader, fields["values"][1], f"{where}.values", "values")
            ]
            if "values" in fields
            else []
        )
        operator = SelectorOperator(op_text)
        needs_values = operator in (SelectorOperator.IN, SelectorOperator.NOT_IN)
        if needs_values != bool(values):
            reader.problem(
                item,
                where,
                f"{op_text} {'needs' if needs_values else 'takes no'} values",
                "values for In/NotIn only",
            )
            return None
        result.append(Requirement(key, operator, tuple(values)))
    return tuple(result)
