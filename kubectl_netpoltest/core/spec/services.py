"""`services:` entries: a Service of the cluster that connections may target by name.

`{name: api, namespace: shop-back, service: api, dns: true}`. The name shares the namespace of
pod and address names, so `connections[].pods|addresses|services: [api]` reads naturally; the
original format has no `services:` section and stays valid.
"""

from __future__ import annotations

import re

import yaml

from kubectl_netpoltest.core.model import ServiceRef
from kubectl_netpoltest.core.spec import yamlnodes as yn
from kubectl_netpoltest.core.spec.pods import NAMESPACE_NAME
from kubectl_netpoltest.core.spec.reader import (
    SpecReader,
    define,
    read_fields,
    read_name,
    read_string,
)

SERVICE_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
"""A DNS-1035 label, as kube-apiserver's ValidateServiceName requires."""


def load_service(
    reader: SpecReader, node: yaml.Node, path: str, *, services: list[ServiceRef]
) -> None:
    if not isinstance(node, yaml.MappingNode):
        reader.problem(
            node, path, f"is {yn.describe(node)}", "a Service {name, namespace, service, dns}"
        )
        return
    fields = read_fields(reader, node, path, ("name", "namespace", "service", "dns"))
    named = read_name(reader, fields, node, path)
    namespace = _checked(
        reader, fields, "namespace", path, NAMESPACE_NAME, "a DNS label (lower-case, '-')"
    )
    service = _checked(
        reader,
        fields,
        "service",
        path,
        SERVICE_NAME,
        "a Service name: a DNS-1035 label (starts with a letter; lower-case, digits, '-')",
    )
    if "service" not in fields:
        reader.problem(node, path, "has no service", "service: <the Service's name>")
    dns = False
    if "dns" in fields:
        value = fields["dns"][1]
        if isinstance(value, yaml.ScalarNode) and value.tag == "tag:yaml.org,2002:bool":
            dns = value.value.lower() in ("true", "yes", "on", "y")
        else:
            reader.problem(value, f"{path}.dns", f"is {yn.describe(value)}", "true or false")
    if named:
        define(
            reader, reader.names, name=named[0], kind="service", node=named[1], path=f"{path}.name"
        )
        if service is not None:
            services.append(ServiceRef(named[0], namespace, service, dns, reader.at(node)))


def _checked(  # noqa: PLR0917 - one call site per field, read as a sentence
    reader: SpecReader,
    fields: dict[str, tuple[yaml.Node, yaml.Node]],
    key: str,
    path: str,
    pattern: re.Pattern[str],
    expected: str,
) -> str | None:
    if key not in fields:
        return None
    value = fields[key][1]
    text = read_string(reader, value, f"{path}.{key}", expected)
    if text is not None and not pattern.match(text):
        reader.problem(value, f"{path}.{key}", f"{text!r} is not a valid {key} name", expected)
        return None
    return text
