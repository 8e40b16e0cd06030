"""Load a test spec from YAML into the model, reporting every problem at once.

The format is the original policytester's (pods, addresses, connections, rules; `type:` for
the protocol) plus extensions: `selector:` instead of `podname:`, `protocol:` as an alias of
`type:`, `pods:` as well as `addresses:` for connection targets, `connections:` to include other
connections, and a top-level `image:` for mirrors and air-gapped registries.

Each problem names file, line and column, the field path, what is wrong and what was expected,
so a user can fix all of them in one pass. Nothing here raises on bad input.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kubectl_netpoltest.core.hosts import host_problem
from kubectl_netpoltest.core.model import (
    AddressGroup,
    AddressSet,
    Connection,
    LabelSelector,
    Location,
    PodGroup,
    PodRef,
    Port,
    Protocol,
    Requirement,
    Rule,
    SelectorOperator,
    Spec,
)
from kubectl_netpoltest.core.plan import find_conflicts
from kubectl_netpoltest.core.spec import yamlnodes as yn
from kubectl_netpoltest.core.spec.problems import Problem
from kubectl_netpoltest.core.spec.selectors import (
    SelectorSyntaxError,
    label_key_problem,
    label_value_problem,
    parse_selector,
)

_NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_PODNAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251})?$")
_IMAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$")
_TOP_KEYS = ("pods", "addresses", "connections", "rules", "image")
_MAX_CANDIDATES = 12


@dataclass(frozen=True)
class LoadResult:
    """A spec, or why there is none: `spec` is None whenever `problems` is not empty."""

    spec: Spec | None
    problems: tuple[Problem, ...]


@dataclass
class _Definition:
    kind: str
    location: Location


@dataclass(frozen=True)
class _Ref:
    """A name used somewhere, with where, so undefined names point at the use."""

    name: str
    location: Location
    path: str


@dataclass
class _State:
    doc: yn.Doc
    problems: list[Problem] = field(default_factory=list)
    names: dict[str, _Definition] = field(default_factory=dict)
    connection_names: dict[str, _Definition] = field(default_factory=dict)
    rule_names: dict[str, _Definition] = field(default_factory=dict)

    def at(self, node: yaml.Node) -> Location:
        return self.doc.location(node)

    def problem(
        self, node: yaml.Node, path: str, message: str, expected: str | None = None
    ) -> None:
        self.problems.append(Problem(self.at(node), path, message, expected))


def load_spec_file(path: str) -> LoadResult:
    """Read and validate the spec at `path`; missing or unreadable files are problems too."""
    file = Path(path)
    here = Location(path, 1, 1)
    if not file.exists():
        return LoadResult(
            None, (Problem(here, "", "file does not exist", "a path to a YAML test spec"),)
        )
    if file.is_dir():
        return LoadResult(None, (Problem(here, "", "is a directory", "a YAML test spec file"),))
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return LoadResult(None, (Problem(here, "", f"cannot read the file: {exc}"),))
    return parse_spec(text=text, file=path)


def parse_spec(*, text: str, file: str) -> LoadResult:
    try:
        doc = yn.compose(text=text, file=file)
    except yn.YamlSyntaxError as exc:
        return LoadResult(None, (Problem(exc.location, "", exc.message),))
    if doc.root is None or yn.is_null(doc.root):
        here = Location(file, 1, 1)
        return LoadResult(
            None,
            (
                Problem(
                    here,
                    "",
                    "the spec is empty",
                    "a mapping with pods, addresses, connections and rules",
                ),
            ),
        )
    state = _State(doc=doc)
    if not isinstance(doc.root, yaml.MappingNode):
        state.problem(
            doc.root,
            "",
            f"the spec is {yn.describe(doc.root)}",
            "a mapping with pods, addresses, connections and rules",
        )
        return LoadResult(None, tuple(state.problems))
    spec = _load(state, doc.root)
    problems = tuple(sorted(state.problems))
    return LoadResult(None if problems else spec, problems)


# --------------------------------------------------------------------------- generic readers


def _did_you_mean(word: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _fields(
    state: _State, node: yaml.MappingNode, path: str, allowed: tuple[str, ...]
) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """Keys of a mapping, reporting unknown and duplicate ones."""
    found: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key, value in yn.pairs(node):
        if not yn.is_str(key):
            state.problem(key, path, f"a key is {yn.describe(key)}", "a field name")
            continue
        name = yn.scalar(key)
        where = f"{path}.{name}" if path else name
        if name in found:
            first = state.at(found[name][0])
            state.problem(key, where, f"duplicate key (first at line {first.line})")
            continue
        if name not in allowed:
            state.problem(
                key,
                where,
                "unknown field" + _did_you_mean(name, list(allowed)),
                "one of: " + ", ".join(allowed),
            )
            continue
        found[name] = (key, value)
    return found


def _string(state: _State, node: yaml.Node, path: str, what: str = "a string") -> str | None:
    if not yn.is_str(node):
        state.problem(node, path, f"is {yn.describe(node)}", what)
        return None
    value = yn.scalar(node)
    if not value.strip():
        state.problem(node, path, "is empty", what)
        return None
    return value


def _list(state: _State, node: yaml.Node, path: str, what: str) -> list[yaml.Node] | None:
    if yn.is_null(node):
        return []
    if not isinstance(node, yaml.SequenceNode):
        state.problem(node, path, f"is {yn.describe(node)}", f"a list of {what}")
        return None
    return list(yn.items(node))


def _name_list(state: _State, node: yaml.Node, path: str, what: str) -> list[_Ref]:
    refs: list[_Ref] = []
    for index, item in enumerate(_list(state, node, path, what) or []):
        item_path = f"{path}[{index}]"
        name = _string(
            state, item, item_path, f"the name of {what[:-1] if what.endswith('s') else what}"
        )
        if name is not None:
            refs.append(_Ref(name, state.at(item), item_path))
    return refs


def _define(
    state: _State,
    table: dict[str, _Definition],
    *,
    name: str,
    kind: str,
    node: yaml.Node,
    path: str,
) -> None:
    if name in table:
        first = table[name]
        state.problem(
            node,
            path,
            f"{name!r} is already defined as a {first.kind} at line {first.location.line}",
            "unique names",
        )
        return
    table[name] = _Definition(kind=kind, location=state.at(node))


def _name(
    state: _State, fields: dict[str, tuple[yaml.Node, yaml.Node]], node: yaml.Node, path: str
) -> tuple[str, yaml.Node] | None:
    if "name" not in fields:
        state.problem(node, path, "has no name", "a `name:` field")
        return None
    _, value = fields["name"]
    name = _string(state, value, f"{path}.name", "a symbolic name")
    return None if name is None else (name, value)


# --------------------------------------------------------------------------- sections


def _load(state: _State, root: yaml.MappingNode) -> Spec:
    top = _fields(state, root, "", _TOP_KEYS)
    pods: list[PodRef] = []
    pod_groups: list[tuple[PodGroup, list[_Ref]]] = []
    addresses: list[AddressSet] = []
    address_groups: list[tuple[AddressGroup, list[_Ref]]] = []
    connections: list[tuple[Connection, list[_Ref], list[_Ref]]] = []
    rules: list[tuple[Rule, dict[str, list[_Ref]]]] = []
    image: str | None = None

    if "image" in top:
        image = _string(state, top["image"][1], "image", "a container image reference")
        if image is not None and not _IMAGE.match(image):
            state.problem(
                top["image"][1],
                "image",
                f"{image!r} is not a valid image reference",
                "e.g. registry.example.com/mirror/agnhost:2.53",
            )
            image = None
    if "pods" in top:
        for index, node in enumerate(_list(state, top["pods"][1], "pods", "pods") or []):
            _load_pod(state, node, f"pods[{index}]", pods, pod_groups)
    if "addresses" in top:
        for index, node in enumerate(
            _list(state, top["addresses"][1], "addresses", "addresses") or []
        ):
            _load_address(state, node, f"addresses[{index}]", addresses, address_groups)
    if "connections" in top:
        nodes = _list(state, top["connections"][1], "connections", "connections") or []
        for index, node in enumerate(nodes):
            _load_connection(state, node, f"connections[{index}]", connections)
    if "rules" in top:
        for index, node in enumerate(_list(state, top["rules"][1], "rules", "rules") or []):
            _load_rule(state, node, f"rules[{index}]", rules)

    _check_references(state, pod_groups, address_groups, connections, rules)
    if state.problems:
        return Spec(path=state.doc.file)
    spec = Spec(
        path=state.doc.file,
        pods=tuple(pods),
        pod_groups=tuple(group for group, _ in pod_groups),
        addresses=tuple(addresses),
        address_groups=tuple(group for group, _ in address_groups),
        connections=tuple(conn for conn, _, _ in connections),
        rules=tuple(rule for rule, _ in rules),
        image=image,
    )
    _check_conflicts(state, spec, rules)
    return spec


def _load_pod(
    state: _State,
    node: yaml.Node,
    path: str,
    pods: list[PodRef],
    groups: list[tuple[PodGroup, list[_Ref]]],
) -> None:
    if not isinstance(node, yaml.MappingNode):
        state.problem(
            node,
            path,
            f"is {yn.describe(node)}",
            "a pod {name, namespace, podname|selector} or a pod group {name, pods}",
        )
        return
    fields = _fields(state, node, path, ("name", "namespace", "podname", "selector", "pods"))
    named = _name(state, fields, node, path)
    if "pods" in fields:
        for other in ("namespace", "podname", "selector"):
            if other in fields:
                state.problem(
                    fields[other][0],
                    f"{path}.{other}",
                    "a pod group cannot also have " + other,
                    "either a pod (namespace, podname|selector) or a group (pods)",
                )
        members = _name_list(state, fields["pods"][1], f"{path}.pods", "pods or pod groups")
        if not members and isinstance(fields["pods"][1], yaml.SequenceNode | yaml.ScalarNode):
            state.problem(
                fields["pods"][1],
                f"{path}.pods",
                "the pod group is empty",
                "at least one pod or pod group",
            )
        if named:
            name, name_node = named
            _define(
                state, state.names, name=name, kind="pod group", node=name_node, path=f"{path}.name"
            )
            groups.append((PodGroup(name, tuple(m.name for m in members), state.at(node)), members))
        return
    namespace = None
    if "namespace" in fields:
        namespace = _string(state, fields["namespace"][1], f"{path}.namespace", "a namespace name")
        if namespace is not None and not _NAMESPACE.match(namespace):
            state.problem(
                fields["namespace"][1],
                f"{path}.namespace",
                f"{namespace!r} is not a valid namespace name",
                "a DNS label: lower-case letters, digits and '-', at most 63 characters",
            )
            namespace = None
    podname = selector = None
    if "podname" in fields and "selector" in fields:
        state.problem(
            fields["selector"][0],
            f"{path}.selector",
            "both podname and selector are set",
            "exactly one of podname or selector",
        )
    elif "podname" in fields:
        podname = _string(state, fields["podname"][1], f"{path}.podname", "a pod name prefix")
        if podname is not None and not _PODNAME.match(podname):
            state.problem(
                fields["podname"][1],
                f"{path}.podname",
                f"{podname!r} cannot start a pod name",
                "lower-case letters, digits, '-' and '.'",
            )
            podname = None
    elif "selector" in fields:
        selector = _selector(state, fields["selector"][1], f"{path}.selector")
    else:
        state.problem(
            node,
            path,
            "has neither podname nor selector (nor pods, for a group)",
            "podname: <prefix of the pod name> or selector: <labels>",
        )
    if named:
        name, name_node = named
        _define(state, state.names, name=name, kind="pod", node=name_node, path=f"{path}.name")
        if podname is not None or selector is not None:
            pods.append(PodRef(name, namespace, podname, selector, state.at(node)))


def _selector(state: _State, node: yaml.Node, path: str) -> LabelSelector | None:
    if yn.is_str(node):
        try:
            return parse_selector(yn.scalar(node))
        except SelectorSyntaxError as exc:
            state.problem(node, path, str(exc), "kubectl syntax, e.g. 'app=web,tier in (a,b)'")
            return None
    if not isinstance(node, yaml.MappingNode):
        state.problem(
            node,
            path,
            f"is {yn.describe(node)}",
            "a label map, {matchLabels, matchExpressions} or a string like 'app=web'",
        )
        return None
    keys = {yn.scalar(k) for k, _ in yn.pairs(node) if yn.is_str(k)}
    if keys & {"matchLabels", "matchExpressions"}:
        fields = _fields(state, node, path, ("matchLabels", "matchExpressions"))
        labels = (
            _label_map(state, fields["matchLabels"][1], f"{path}.matchLabels")
            if "matchLabels" in fields
            else ()
        )
        expressions = (
            _expressions(state, fields["matchExpressions"][1], f"{path}.matchExpressions")
            if "matchExpressions" in fields
            else ()
        )
        if labels is None or expressions is None:
            return None
        selector = LabelSelector(labels, expressions)
    else:
        labels = _label_map(state, node, path)
        if labels is None:
            return None
        selector = LabelSelector(labels, ())
    if not selector.match_labels and not selector.match_expressions:
        state.problem(
            node, path, "the selector is empty and would match every pod", "at least one label"
        )
        return None
    return selector


def _label_map(state: _State, node: yaml.Node, path: str) -> tuple[tuple[str, str], ...] | None:
    if not isinstance(node, yaml.MappingNode):
        state.problem(node, path, f"is {yn.describe(node)}", "a map of label keys to values")
        return None
    labels: list[tuple[str, str]] = []
    ok = True
    for key, value in yn.pairs(node):
        key_text = yn.scalar(key) if isinstance(key, yaml.ScalarNode) else ""
        where = f"{path}.{key_text}"
        if not isinstance(value, yaml.ScalarNode) or yn.is_null(value):
            state.problem(value, where, f"is {yn.describe(value)}", "a label value (a string)")
            ok = False
            continue
        problem = label_key_problem(key_text) or label_value_problem(yn.scalar(value))
        if problem:
            state.problem(key, where, problem, "Kubernetes label syntax")
            ok = False
            continue
        labels.append((key_text, yn.scalar(value)))
    return tuple(labels) if ok else None


def _expressions(state: _State, node: yaml.Node, path: str) -> tuple[Requirement, ...] | None:
    items = _list(state, node, path, "label requirements {key, operator, values}")
    if items is None:
        return None
    result: list[Requirement] = []
    operators = [op.value for op in SelectorOperator]
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        if not isinstance(item, yaml.MappingNode):
            state.problem(item, where, f"is {yn.describe(item)}", "{key, operator, values}")
            return None
        fields = _fields(state, item, where, ("key", "operator", "values"))
        key = _string(state, fields["key"][1], f"{where}.key") if "key" in fields else None
        op_text = (
            _string(state, fields["operator"][1], f"{where}.operator")
            if "operator" in fields
            else None
        )
        if key is None or op_text is None:
            if "key" not in fields or "operator" not in fields:
                state.problem(item, where, "needs key and operator", "{key, operator, values}")
            return None
        if op_text not in operators:
            state.problem(
                fields["operator"][1],
                f"{where}.operator",
                f"unknown operator {op_text!r}" + _did_you_mean(op_text, operators),
                "one of: " + ", ".join(operators),
            )
            return None
        values = (
            [v.name for v in _name_list(state, fields["values"][1], f"{where}.values", "values")]
            if "values" in fields
            else []
        )
        operator = SelectorOperator(op_text)
        needs_values = operator in (SelectorOperator.IN, SelectorOperator.NOT_IN)
        if needs_values != bool(values):
            state.problem(
                item,
                where,
                f"{op_text} {'needs' if needs_values else 'takes no'} values",
                "values for In/NotIn only",
            )
            return None
        result.append(Requirement(key, operator, tuple(values)))
    return tuple(result)


def _load_address(
    state: _State,
    node: yaml.Node,
    path: str,
    addresses: list[AddressSet],
    groups: list[tuple[AddressGroup, list[_Ref]]],
) -> None:
    if not isinstance(node, yaml.MappingNode):
        state.problem(
            node,
            path,
            f"is {yn.describe(node)}",
            "an address {name, hosts} or an address group {name, addresses}",
        )
        return
    fields = _fields(state, node, path, ("name", "hosts", "addresses"))
    named = _name(state, fields, node, path)
    if "hosts" in fields and "addresses" in fields:
        state.problem(
            fields["addresses"][0],
            f"{path}.addresses",
            "an address cannot have both hosts and addresses",
            "hosts (an address) or addresses (an address group)",
        )
        return
    if "addresses" in fields:
        members = _name_list(
            state, fields["addresses"][1], f"{path}.addresses", "addresses or address groups"
        )
        if not members and not state.problems[-1:]:
            state.problem(
                fields["addresses"][1],
                f"{path}.addresses",
                "the address group is empty",
                "at least one address or address group",
            )
        if named:
            _define(
                state,
                state.names,
                name=named[0],
                kind="address group",
                node=named[1],
                path=f"{path}.name",
            )
            groups.append(
                (AddressGroup(named[0], tuple(m.name for m in members), state.at(node)), members)
            )
        return
    if "hosts" not in fields:
        state.problem(
            node,
            path,
            "has neither hosts nor addresses",
            "hosts: [names or IPs] or addresses: [address names]",
        )
        return
    hosts: list[str] = []
    items = _list(state, fields["hosts"][1], f"{path}.hosts", "host names or IP addresses") or []
    for index, item in enumerate(items):
        where = f"{path}.hosts[{index}]"
        if not isinstance(item, yaml.ScalarNode) or yn.is_null(item):
            state.problem(item, where, f"is {yn.describe(item)}", "a host name or IP address")
            continue
        host = yn.scalar(item)
        problem = host_problem(host)
        if problem:
            state.problem(item, where, problem, "a DNS host name, an IPv4 or an IPv6 address")
            continue
        hosts.append(host)
    if not items and isinstance(fields["hosts"][1], yaml.SequenceNode | yaml.ScalarNode):
        state.problem(
            fields["hosts"][1], f"{path}.hosts", "no hosts", "at least one host name or IP address"
        )
    if named:
        _define(
            state, state.names, name=named[0], kind="address", node=named[1], path=f"{path}.name"
        )
        addresses.append(AddressSet(named[0], tuple(hosts), state.at(node)))


def _port(state: _State, node: yaml.Node, path: str) -> Port | None:
    if yn.is_int(node):
        node_map = None
        port_node: yaml.Node | None = node
    elif isinstance(node, yaml.MappingNode):
        node_map = _fields(state, node, path, ("port", "type", "protocol"))
        port_node = node_map["port"][1] if "port" in node_map else None
    else:
        state.problem(node, path, f"is {yn.describe(node)}", "{port: 1-65535, type: TCP|UDP}")
        return None
    if port_node is None:
        state.problem(node, path, "has no port", "port: 1-65535")
        return None
    if not yn.is_int(port_node):
        state.problem(
            port_node, f"{path}.port", f"is {yn.describe(port_node)}", "an integer 1-65535"
        )
        return None
    number = int(yn.scalar(port_node), 0)
    if not 1 <= number <= 65535:
        state.problem(port_node, f"{path}.port", f"{number} is out of range", "1-65535")
        return None
    protocol = Protocol.TCP
    if node_map is not None:
        if "type" in node_map and "protocol" in node_map:
            state.problem(
                node_map["protocol"][0],
                f"{path}.protocol",
                "both type and protocol are set",
                "one of them (they are aliases)",
            )
            return None
        key = "type" if "type" in node_map else "protocol" if "protocol" in node_map else None
        if key is not None:
            text = _string(state, node_map[key][1], f"{path}.{key}", "TCP or UDP")
            if text is None:
                return None
            if text.upper() not in ("TCP", "UDP"):
                hint = " (SCTP is not supported)" if text.upper() == "SCTP" else ""
                state.problem(
                    node_map[key][1],
                    f"{path}.{key}",
                    f"unknown protocol {text!r}{hint}",
                    "TCP or UDP",
                )
                return None
            protocol = Protocol(text.upper())
    return Port(number, protocol)


def _load_connection(
    state: _State,
    node: yaml.Node,
    path: str,
    connections: list[tuple[Connection, list[_Ref], list[_Ref]]],
) -> None:
    if not isinstance(node, yaml.MappingNode):
        state.problem(node, path, f"is {yn.describe(node)}", "{name, addresses, ports}")
        return
    fields = _fields(state, node, path, ("name", "addresses", "pods", "ports", "connections"))
    named = _name(state, fields, node, path)
    targets: list[_Ref] = []
    for key in ("addresses", "pods"):
        if key in fields:
            targets += _name_list(
                state,
                fields[key][1],
                f"{path}.{key}",
                "pods, pod groups, addresses or address groups",
            )
    includes = (
        _name_list(state, fields["connections"][1], f"{path}.connections", "connections")
        if "connections" in fields
        else []
    )
    ports: list[Port] = []
    if "ports" in fields:
        items = _list(state, fields["ports"][1], f"{path}.ports", "ports {port, type}") or []
        for index, item in enumerate(items):
            port = _port(state, item, f"{path}.ports[{index}]")
            if port is not None:
                if port in ports:
                    state.problem(item, f"{path}.ports[{index}]", f"{port} is listed twice")
                ports.append(port)
    had_problem = any(p.path.startswith(path) for p in state.problems)
    if not had_problem:
        if not targets and not includes:
            state.problem(
                node,
                path,
                "has no targets",
                "addresses: [...] or pods: [...] (or connections: [...])",
            )
        elif not ports and not includes:
            state.problem(node, path, "has no ports", "ports: [{port: 443}]")
        elif targets and not ports:
            state.problem(
                node,
                path,
                "has targets but no ports",
                "ports for its own targets (included connections bring their own)",
            )
        elif ports and not targets:
            state.problem(
                node,
                path,
                "has ports but no targets",
                "targets for its own ports (included connections bring their own)",
            )
    if named:
        _define(
            state,
            state.connection_names,
            name=named[0],
            kind="connection",
            node=named[1],
            path=f"{path}.name",
        )
        connection = Connection(
            named[0],
            tuple(t.name for t in targets),
            tuple(dict.fromkeys(ports)),
            tuple(i.name for i in includes),
            state.at(node),
        )
        connections.append((connection, targets, includes))


def _load_rule(
    state: _State, node: yaml.Node, path: str, rules: list[tuple[Rule, dict[str, list[_Ref]]]]
) -> None:
    if not isinstance(node, yaml.MappingNode):
        state.problem(node, path, f"is {yn.describe(node)}", "{name, from, allowed, denied}")
        return
    fields = _fields(state, node, path, ("name", "from", "allowed", "denied"))
    named = _name(state, fields, node, path)
    refs: dict[str, list[_Ref]] = {}
    for key, what in (
        ("from", "pods or pod groups"),
        ("allowed", "connections"),
        ("denied", "connections"),
    ):
        refs[key] = (
            _name_list(state, fields[key][1], f"{path}.{key}", what) if key in fields else []
        )
    if not refs["from"] and not any(p.path.startswith(f"{path}.from") for p in state.problems):
        state.problem(node, path, "has no `from` pods", "from: [pods or pod groups]")
    if (
        not refs["allowed"]
        and not refs["denied"]
        and not any(
            p.path.startswith(f"{path}.allowed") or p.path.startswith(f"{path}.denied")
            for p in state.problems
        )
    ):
        state.problem(
            node,
            path,
            "has neither allowed nor denied connections",
            "allowed: [connections] and/or denied: [connections]",
        )
    if named:
        _define(
            state, state.rule_names, name=named[0], kind="rule", node=named[1], path=f"{path}.name"
        )
        rule = Rule(
            named[0],
            tuple(r.name for r in refs["from"]),
            tuple(r.name for r in refs["allowed"]),
            tuple(r.name for r in refs["denied"]),
            state.at(node),
        )
        rules.append((rule, refs))


# --------------------------------------------------------------------------- cross references


def _undefined(
    state: _State, ref: _Ref, kinds: tuple[str, ...], table: Mapping[str, _Definition]
) -> None:
    candidates = [name for name, d in table.items() if d.kind in kinds]
    shown = ", ".join(candidates[:_MAX_CANDIDATES]) + (
        " ..." if len(candidates) > _MAX_CANDIDATES else ""
    )
    if ref.name in table:
        kind = table[ref.name].kind
        article = "an" if kind[0] in "aeiou" else "a"
        message = f"{ref.name!r} is {article} {kind}, not a {' or '.join(kinds)}"
    else:
        message = f"{ref.name!r} is not defined" + _did_you_mean(ref.name, candidates)
    state.problems.append(
        Problem(
            ref.location,
            ref.path,
            message,
            f"one of: {shown}" if candidates else f"a defined {kinds[0]}",
        )
    )


def _check_refs(
    state: _State, refs: list[_Ref], kinds: tuple[str, ...], table: Mapping[str, _Definition]
) -> list[_Ref]:
    good = []
    for ref in refs:
        if ref.name in table and table[ref.name].kind in kinds:
            good.append(ref)
        else:
            _undefined(state, ref, kinds, table)
    return good


def _check_cycles(state: _State, edges: dict[str, list[_Ref]], kind: str) -> None:
    """Report each cycle once, at the reference that closes it."""
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in done:
            return
        for ref in edges.get(name, []):
            if ref.name in trail:
                cycle = [*trail[trail.index(ref.name) :], ref.name]
                state.problems.append(
                    Problem(
                        ref.location,
                        ref.path,
                        f"{kind} cycle: {' -> '.join(cycle)}",
                        f"{kind}s that do not contain themselves",
                    )
                )
            elif ref.name in edges:
                visit(ref.name, [*trail, ref.name])
        done.add(name)

    for name in edges:
        visit(name, [name])


def _check_references(
    state: _State,
    pod_groups: list[tuple[PodGroup, list[_Ref]]],
    address_groups: list[tuple[AddressGroup, list[_Ref]]],
    connections: list[tuple[Connection, list[_Ref], list[_Ref]]],
    rules: list[tuple[Rule, dict[str, list[_Ref]]]],
) -> None:
    pod_kinds = ("pod", "pod group")
    address_kinds = ("address", "address group")
    pod_edges = {g.name: _check_refs(state, refs, pod_kinds, state.names) for g, refs in pod_groups}
    _check_cycles(state, pod_edges, "pod group")
    address_edges = {
        g.name: _check_refs(state, refs, address_kinds, state.names) for g, refs in address_groups
    }
    _check_cycles(state, address_edges, "address group")
    include_edges: dict[str, list[_Ref]] = {}
    for connection, targets, includes in connections:
        _check_refs(state, targets, pod_kinds + address_kinds, state.names)
        include_edges[connection.name] = _check_refs(
            state, includes, ("connection",), state.connection_names
        )
    _check_cycles(state, include_edges, "connection")
    for _, refs in rules:
        _check_refs(state, refs["from"], pod_kinds, state.names)
        _check_refs(
            state, refs["allowed"] + refs["denied"], ("connection",), state.connection_names
        )


def _check_conflicts(
    state: _State, spec: Spec, rules: list[tuple[Rule, dict[str, list[_Ref]]]]
) -> None:
    def locate(rule: str, connection: str) -> _Ref | None:
        return next(
            (
                ref
                for r, refs in rules
                if r.name == rule
                for key in ("allowed", "denied")
                for ref in refs[key]
                if ref.name == connection
            ),
            None,
        )

    for conflict in find_conflicts(spec):
        ref = locate(conflict.rule, conflict.connection)
        location = ref.location if ref else Location(spec.path, 1, 1)
        path = ref.path if ref else "rules"
        state.problems.append(
            Problem(
                location,
                path,
                f"{conflict.description} is expected {conflict.expect.value} here but "
                f"{conflict.first_expect.value} in rule {conflict.first_rule!r} "
                f"(connection {conflict.first_connection!r})",
                "one expectation per probe",
            )
        )
