"""`connections:` entries: targets (pods, addresses and their groups) × ports, plus includes."""

from __future__ import annotations

import yaml

from kubectl_netpoltest.core.model import Connection, Port
from kubectl_netpoltest.core.spec import yamlnodes as yn
from kubectl_netpoltest.core.spec.ports import read_port
from kubectl_netpoltest.core.spec.reader import (
    Ref,
    SpecReader,
    define,
    read_fields,
    read_list,
    read_name,
    read_name_list,
)


def load_connection(
    reader: SpecReader,
    node: yaml.Node,
    path: str,
    *,
    connections: list[tuple[Connection, list[Ref], list[Ref]]],
) -> None:
    if not isinstance(node, yaml.MappingNode):
        reader.problem(node, path, f"is {yn.describe(node)}", "{name, addresses, ports}")
        return
    fields = read_fields(
        reader, node, path, ("name", "addresses", "pods", "services", "ports", "connections")
    )
    named = read_name(reader, fields, node, path)
    targets: list[Ref] = []
    for key in ("addresses", "pods", "services"):
        if key in fields:
            targets += read_name_list(
                reader,
                fields[key][1],
                f"{path}.{key}",
                "pods, pod groups, addresses, address groups or services",
            )
    includes = (
        read_name_list(reader, fields["connections"][1], f"{path}.connections", "connections")
        if "connections" in fields
        else []
    )
    ports: list[Port] = []
    if "ports" in fields:
        items = read_list(reader, fields["ports"][1], f"{path}.ports", "ports {port, type}") or []
        for index, item in enumerate(items):
            port = read_port(reader, item, f"{path}.ports[{index}]")
            if port is not None:
                if port in ports:
                    reader.problem(item, f"{path}.ports[{index}]", f"{port} is listed twice")
                ports.append(port)
    had_problem = reader.has_problem_under(path)
    if not had_problem:
        if not targets and not includes:
            reader.problem(
                node,
                path,
                "has no targets",
                "addresses: [...] or pods: [...] (or connections: [...])",
            )
        elif not ports and not includes:
            reader.problem(node, path, "has no ports", "ports: [{port: 443}]")
        elif targets and not ports:
            reader.problem(
                node,
                path,
                "has targets but no ports",
                "ports for its own targets (included connections bring their own)",
            )
        elif ports and not targets:
            reader.problem(
                node,
                path,
                "has ports but no targets",
                "targets for its own ports (included connections bring their own)",
            )
    if named:
        define(
            reader,
            reader.connection_names,
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
            reader.at(node),
        )
        connections.append((connection, targets, includes))
