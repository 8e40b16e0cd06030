"""`pods:` entries: a pod (namespace + podname prefix or label selector) or a pod group."""

from __future__ import annotations

import re

import yaml

from kubectl_netpoltest.core.model import PodGroup, PodRef, Spread
from kubectl_netpoltest.core.spec import yamlnodes as yn
from kubectl_netpoltest.core.spec.groups import GroupKind, read_group
from kubectl_netpoltest.core.spec.reader import (
    Ref,
    SpecReader,
    define,
    read_fields,
    read_name,
    read_string,
)
from kubectl_netpoltest.core.spec.selectors import read_selector

NAMESPACE_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
"""A DNS-1123 label, as kube-apiserver's ValidateNamespaceName requires."""
_PODNAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251})?$")

POD_GROUP = GroupKind(
    kind="pod group",
    members_key="pods",
    members_what="pods or pod groups",
    entry_fields=("namespace", "podname", "selector"),
    entry_form="a pod (namespace, podname|selector)",
    one_member="pod or pod group",
)


def load_pod(
    reader: SpecReader,
    node: yaml.Node,
    path: str,
    *,
    pods: list[PodRef],
    groups: list[tuple[PodGroup, list[Ref]]],
) -> None:
    if not isinstance(node, yaml.MappingNode):
        reader.problem(
            node,
            path,
            f"is {yn.describe(node)}",
            "a pod {name, namespace, podname|selector} or a pod group {name, pods}",
        )
        return
    fields = read_fields(
        reader,
        node,
        path,
        ("name", "namespace", "podname", "selector", "pods", "spread", "targets"),
    )
    named = read_name(reader, fields, node, path)
    if "pods" in fields:
        group = read_group(
            reader, group=POD_GROUP, node=node, fields=fields, path=path, named=named
        )
        if group is not None:
            members = [m.name for m in group.members]
            groups.append(
                (PodGroup(group.name, tuple(members), group.location), list(group.members))
            )
        return
    namespace = _namespace(reader, fields, path)
    podname = selector = None
    if "podname" in fields and "selector" in fields:
        reader.problem(
            fields["selector"][0],
            f"{path}.selector",
            "both podname and selector are set",
            "exactly one of podname or selector",
        )
    elif "podname" in fields:
        podname = read_string(reader, fields["podname"][1], f"{path}.podname", "a pod name prefix")
        if podname is not None and not _PODNAME.match(podname):
            reader.problem(
                fields["podname"][1],
                f"{path}.podname",
                f"{podname!r} cannot start a pod name",
                "lower-case letters, digits, '-' and '.'",
            )
            podname = None
    elif "selector" in fields:
        selector = read_selector(reader, fields["selector"][1], f"{path}.selector")
    else:
        reader.problem(
            node,
            path,
            "has neither podname nor selector (nor pods, for a group)",
            "podname: <prefix of the pod name> or selector: <labels>",
        )
    if named:
        name, name_node = named
        define(reader, reader.names, name=name, kind="pod", node=name_node, path=f"{path}.name")
        spread = _choice(reader, fields, "spread", path, (Spread.ONE, Spread.NODES, Spread.ALL))
        targets = _choice(reader, fields, "targets", path, (Spread.ONE, Spread.ALL))
        if podname is not None or selector is not None:
            pods.append(
                PodRef(
                    name,
                    namespace,
                    podname,
                    selector,
                    reader.at(node),
                    spread=spread or Spread.ONE,
                    targets=targets or Spread.ALL,
                )
            )


def _namespace(
    reader: SpecReader, fields: dict[str, tuple[yaml.Node, yaml.Node]], path: str
) -> str | None:
    if "namespace" not in fields:
        return None
    value = fields["namespace"][1]
    namespace = read_string(reader, value, f"{path}.namespace", "a namespace name")
    if namespace is not None and not NAMESPACE_NAME.match(namespace):
        reader.problem(
            value,
            f"{path}.namespace",
            f"{namespace!r} is not a valid namespace name",
            "a DNS label: lower-case letters, digits and '-', at most 63 characters",
        )
        return None
    return namespace


def _choice(
    reader: SpecReader,
    fields: dict[str, tuple[yaml.Node, yaml.Node]],
    key: str,
    path: str,
    choices: tuple[Spread, ...],
) -> Spread | None:
    """`spread: one|nodes|all` (as a source) and `targets: one|all` (as a target)."""
    if key not in fields:
        return None
    expected = " or ".join(c.value for c in choices)
    value = read_string(reader, fields[key][1], f"{path}.{key}", expected)
    if value is None:
        return None
    if value not in {c.value for c in choices}:
        reader.problem(fields[key][1], f"{path}.{key}", f"{value!r} is not a choice", expected)
        return None
    return Spread(value)
