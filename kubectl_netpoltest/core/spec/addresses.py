"""`addresses:` entries: a set of hosts (DNS names or IP literals) or an address group."""

from __future__ import annotations

import yaml

from kubectl_netpoltest.core.hosts import host_problem, stays_in_pod
from kubectl_netpoltest.core.model import AddressGroup, AddressSet
from kubectl_netpoltest.core.spec import yamlnodes as yn
from kubectl_netpoltest.core.spec.groups import GroupKind, read_group
from kubectl_netpoltest.core.spec.reader import (
    Ref,
    SpecReader,
    define,
    read_fields,
    read_list,
    read_name,
)

ADDRESS_GROUP = GroupKind(
    kind="address group",
    members_key="addresses",
    members_what="addresses or address groups",
    entry_fields=("hosts",),
    entry_form="an address (hosts)",
    one_member="address or address group",
)


def load_address(
    reader: SpecReader,
    node: yaml.Node,
    path: str,
    *,
    addresses: list[AddressSet],
    groups: list[tuple[AddressGroup, list[Ref]]],
) -> None:
    if not isinstance(node, yaml.MappingNode):
        reader.problem(
            node,
            path,
            f"is {yn.describe(node)}",
            "an address {name, hosts} or an address group {name, addresses}",
        )
        return
    fields = read_fields(reader, node, path, ("name", "hosts", "addresses"))
    named = read_name(reader, fields, node, path)
    if "addresses" in fields:
        group = read_group(
            reader, group=ADDRESS_GROUP, node=node, fields=fields, path=path, named=named
        )
        if group is not None:
            members = tuple(m.name for m in group.members)
            groups.append((AddressGroup(group.name, members, group.location), list(group.members)))
        return
    if "hosts" not in fields:
        reader.problem(
            node,
            path,
            "has neither hosts nor addresses",
            "hosts: [names or IPs] or addresses: [address names]",
        )
    hosts = _hosts(reader, fields["hosts"][1], f"{path}.hosts") if "hosts" in fields else []
    if named:
        define(
            reader, reader.names, name=named[0], kind="address", node=named[1], path=f"{path}.name"
        )
        addresses.append(AddressSet(named[0], tuple(hosts), reader.at(node)))


def _hosts(reader: SpecReader, value: yaml.Node, path: str) -> list[str]:
    hosts: list[str] = []
    items = read_list(reader, value, path, "host names or IP addresses") or []
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        if not isinstance(item, yaml.ScalarNode) or yn.is_null(item):
            reader.problem(item, where, f"is {yn.describe(item)}", "a host name or IP address")
            continue
        host = yn.scalar(item)
        problem = host_problem(host)
        if problem:
            reader.problem(item, where, problem, "a DNS host name, an IPv4 or an IPv6 address")
            continue
        if local := stays_in_pod(host):
            reader.problem(
                item,
                where,
                f"{local}: its traffic never leaves the source pod, so no NetworkPolicy "
                "applies to it",
                "an address outside the pod (a pod target for pod-to-pod probes)",
            )
            continue
        hosts.append(host)
    if not items and isinstance(value, yaml.SequenceNode | yaml.ScalarNode):
        reader.problem(value, path, "no hosts", "at least one host name or IP address")
    return hosts
