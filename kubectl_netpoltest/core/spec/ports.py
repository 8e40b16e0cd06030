"""Connection ports: `443`, or `{port: 53, type: UDP}` (`protocol:` is an alias of `type:`)."""

from __future__ import annotations

import re

import yaml

from kubectl_netpoltest.core.model import Port, Protocol
from kubectl_netpoltest.core.spec import yamlnodes as yn
from kubectl_netpoltest.core.spec.reader import SpecReader, read_fields, read_string

_DECIMAL = re.compile(r"^(0|[1-9][0-9]*)$")
"""Only plain decimals: PyYAML follows YAML 1.1, where `0443` is octal, `1:30` is base 60 and
`0_` or `1_000` carry digit separators. A port written that way almost never means what YAML
makes of it, so it is refused with the form to use instead of being silently reinterpreted."""


def read_port(reader: SpecReader, node: yaml.Node, path: str) -> Port | None:
    if yn.is_int(node):
        node_map = None
        port_node: yaml.Node | None = node
    elif isinstance(node, yaml.MappingNode):
        node_map = read_fields(reader, node, path, ("port", "type", "protocol"))
        port_node = node_map["port"][1] if "port" in node_map else None
    else:
        reader.problem(node, path, f"is {yn.describe(node)}", "{port: 1-65535, type: TCP|UDP}")
        return None
    if port_node is None:
        reader.problem(node, path, "has no port", "port: 1-65535")
        return None
    number = _port_number(reader, port_node, f"{path}.port")
    if number is None:
        return None
    protocol = Protocol.TCP if node_map is None else _protocol(reader, node_map, path)
    return None if protocol is None else Port(number, protocol)


def _port_number(reader: SpecReader, node: yaml.Node, path: str) -> int | None:
    if not yn.is_int(node):
        reader.problem(node, path, f"is {yn.describe(node)}", "an integer 1-65535")
        return None
    text = yn.scalar(node)
    if not _DECIMAL.match(text):
        reader.problem(
            node,
            path,
            f"{text!r} is not a plain decimal number (YAML 1.1 reads leading zeros as octal, "
            "'a:b' as base 60 and '_' as a digit separator)",
            "a decimal integer 1-65535 without leading zeros, e.g. 443",
        )
        return None
    number = int(text)
    if not 1 <= number <= 65535:
        reader.problem(node, path, f"{number} is out of range", "1-65535")
        return None
    return number


def _protocol(
    reader: SpecReader, node_map: dict[str, tuple[yaml.Node, yaml.Node]], path: str
) -> Protocol | None:
    if "type" in node_map and "protocol" in node_map:
        reader.problem(
            node_map["protocol"][0],
            f"{path}.protocol",
            "both type and protocol are set",
            "one of them (they are aliases)",
        )
        return None
    key = "type" if "type" in node_map else "protocol" if "protocol" in node_map else None
    if key is None:
        return Protocol.TCP
    text = read_string(reader, node_map[key][1], f"{path}.{key}", "TCP or UDP")
    if text is None:
        return None
    if text.upper() not in ("TCP", "UDP"):
        hint = " (SCTP is not supported)" if text.upper() == "SCTP" else ""
        reader.problem(
            node_map[key][1], f"{path}.{key}", f"unknown protocol {text!r}{hint}", "TCP or UDP"
        )
        return None
    return Protocol(text.upper())
