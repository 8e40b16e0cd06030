"""Load a test spec from YAML into the model, reporting every problem at once.

The format is the original policytester's (pods, addresses, connections, rules; `type:` for
the protocol) plus extensions: `selector:` instead of `podname:`, `protocol:` as an alias of
`type:`, `pods:` as well as `addresses:` for connection targets, `connections:` to include other
connections, and a top-level `image:` for mirrors and air-gapped registries.

Each problem names file, line and column, the field path, what is wrong and what was expected,
so a user can fix all of them in one pass. Nothing here raises on bad input: hostile input
(devices, huge files, deep nesting, specs that expand to millions of probes) ends as a problem.
"""

from __future__ import annotations

import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import yaml

from kubectl_netpoltest.core.model import (
    AddressGroup,
    AddressSet,
    Connection,
    Location,
    PodGroup,
    PodRef,
    Rule,
    ServiceRef,
    Spec,
)
from kubectl_netpoltest.core.plan import count_probes
from kubectl_netpoltest.core.spec import yamlnodes as yn
from kubectl_netpoltest.core.spec.addresses import load_address
from kubectl_netpoltest.core.spec.connections import load_connection
from kubectl_netpoltest.core.spec.pods import load_pod
from kubectl_netpoltest.core.spec.problems import Problem
from kubectl_netpoltest.core.spec.reader import Ref, SpecReader, read_fields, read_list, read_string
from kubectl_netpoltest.core.spec.references import check_conflicts, check_references
from kubectl_netpoltest.core.spec.rules import load_rule
from kubectl_netpoltest.core.spec.services import load_service

MAX_SPEC_BYTES = 4 * 1024 * 1024
"""Specs larger than this are refused unread: a real spec is a few KiB, and an unbounded read
of `/dev/zero` or a wrong file ran the process out of memory."""
DEFAULT_MAX_PROBES = 20_000
"""The most probes a spec may expand to unless the user raises it (`--max-probes`): a 9 KB spec
can otherwise ask for 10 million probes, which takes minutes and gigabytes just to plan."""
STDIN = "-"

_IMAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$")
_TOP_KEYS = ("pods", "addresses", "services", "connections", "rules", "image")
_TOP_EXPECTED = "a mapping with pods, addresses, connections and rules"


@dataclass(frozen=True)
class LoadResult:
    """A spec, or why there is none: `spec` is None whenever `problems` is not empty."""

    spec: Spec | None
    problems: tuple[Problem, ...]


def load_spec_file(path: str, *, max_probes: int = DEFAULT_MAX_PROBES) -> LoadResult:
    """Read and validate the spec at `path` (`-` is standard input).

    Missing, unreadable, non-regular (devices, sockets) and oversized files are problems too;
    pipes are read (process substitution `<(...)` gives one), but never past MAX_SPEC_BYTES.
    """
    here = Location("<stdin>" if path == STDIN else path, 1, 1)
    if path == STDIN:
        text_or_problem = _read_bounded(sys.stdin.buffer, here)
    else:
        text_or_problem = _read_path(path, here)
    if isinstance(text_or_problem, Problem):
        return LoadResult(None, (text_or_problem,))
    return parse_spec(text=text_or_problem, file=here.file, max_probes=max_probes)


def _read_path(path: str, here: Location) -> str | Problem:
    try:
        mode = Path(path).stat().st_mode
    except FileNotFoundError:
        return Problem(here, "", "file does not exist", "a path to a YAML test spec")
    except OSError as exc:
        return Problem(here, "", f"cannot read the file: {exc.strerror or exc}")
    if stat.S_ISDIR(mode):
        return Problem(here, "", "is a directory", "a YAML test spec file")
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
        return Problem(
            here, "", "is not a regular file (a device or socket)", "a YAML test spec file"
        )
    try:
        with Path(path).open("rb") as stream:
            return _read_bounded(stream, here)
    except OSError as exc:
        return Problem(here, "", f"cannot read the file: {exc.strerror or exc}")


def _read_bounded(stream: BinaryIO, here: Location) -> str | Problem:
    data = stream.read(MAX_SPEC_BYTES + 1)
    if len(data) > MAX_SPEC_BYTES:
        return Problem(
            here,
            "",
            f"the spec is larger than {MAX_SPEC_BYTES // (1024 * 1024)} MiB",
            "a YAML test spec (a few KiB; split very large specs into several files)",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Problem(
            here, "", f"cannot read the file: not UTF-8 text ({exc.reason} at byte {exc.start})"
        )


def parse_spec(*, text: str, file: str, max_probes: int = DEFAULT_MAX_PROBES) -> LoadResult:
    try:
        doc = yn.compose(text=text, file=file)
    except yn.YamlSyntaxError as exc:
        return LoadResult(None, (Problem(exc.location, "", exc.message),))
    if doc.root is None or yn.is_null(doc.root):
        return LoadResult(
            None, (Problem(Location(file, 1, 1), "", "the spec is empty", _TOP_EXPECTED),)
        )
    reader = SpecReader(doc=doc)
    if not isinstance(doc.root, yaml.MappingNode):
        reader.problem(doc.root, "", f"the spec is {yn.describe(doc.root)}", _TOP_EXPECTED)
        return LoadResult(None, tuple(reader.problems))
    spec = _load(reader, doc.root, max_probes=max_probes)
    problems = tuple(sorted(reader.problems))
    return LoadResult(None if problems else spec, problems)


def _load(reader: SpecReader, root: yaml.MappingNode, *, max_probes: int) -> Spec:
    top = read_fields(reader, root, "", _TOP_KEYS)
    pods: list[PodRef] = []
    pod_groups: list[tuple[PodGroup, list[Ref]]] = []
    addresses: list[AddressSet] = []
    address_groups: list[tuple[AddressGroup, list[Ref]]] = []
    connections: list[tuple[Connection, list[Ref], list[Ref]]] = []
    rules: list[tuple[Rule, dict[str, list[Ref]]]] = []
    services: list[ServiceRef] = []

    image = _image(reader, top["image"][1]) if "image" in top else None
    for index, node in enumerate(_section(reader, top, "pods")):
        load_pod(reader, node, f"pods[{index}]", pods=pods, groups=pod_groups)
    for index, node in enumerate(_section(reader, top, "addresses")):
        load_address(
            reader, node, f"addresses[{index}]", addresses=addresses, groups=address_groups
        )
    for index, node in enumerate(_section(reader, top, "services")):
        load_service(reader, node, f"services[{index}]", services=services)
    for index, node in enumerate(_section(reader, top, "connections")):
        load_connection(reader, node, f"connections[{index}]", connections=connections)
    for index, node in enumerate(_section(reader, top, "rules")):
        load_rule(reader, node, f"rules[{index}]", rules=rules)

    check_references(
        reader,
        pod_groups=pod_groups,
        address_groups=address_groups,
        connections=connections,
        rules=rules,
    )
    if reader.problems:
        return Spec(path=reader.doc.file)
    spec = Spec(
        path=reader.doc.file,
        pods=tuple(pods),
        pod_groups=tuple(group for group, _ in pod_groups),
        addresses=tuple(addresses),
        address_groups=tuple(group for group, _ in address_groups),
        connections=tuple(conn for conn, _, _ in connections),
        rules=tuple(rule for rule, _ in rules),
        image=image,
        services=tuple(services),
    )
    if _within_probe_limit(reader, spec=spec, root=root, top=top, max_probes=max_probes):
        check_conflicts(reader, spec=spec, rules=rules)
    return spec


def _section(
    reader: SpecReader, top: dict[str, tuple[yaml.Node, yaml.Node]], key: str
) -> list[yaml.Node]:
    if key not in top:
        return []
    return read_list(reader, top[key][1], key, key) or []


def _image(reader: SpecReader, node: yaml.Node) -> str | None:
    image = read_string(reader, node, "image", "a container image reference")
    if image is not None and not _IMAGE.match(image):
        reader.problem(
            node,
            "image",
            f"{image!r} is not a valid image reference",
            "e.g. registry.example.com/mirror/agnhost:2.53",
        )
        return None
    return image


def _within_probe_limit(
    reader: SpecReader,
    *,
    spec: Spec,
    root: yaml.MappingNode,
    top: dict[str, tuple[yaml.Node, yaml.Node]],
    max_probes: int,
) -> bool:
    """Count before expanding: refuse a spec whose probes exceed the limit, naming the rules."""
    per_rule = count_probes(spec)
    total = sum(per_rule.values())
    if total <= max_probes:
        return True
    biggest = sorted(per_rule.items(), key=lambda item: -item[1])[:5]
    listing = ", ".join(f"{name!r}: {count:,}" for name, count in biggest)
    node = top["rules"][0] if "rules" in top else root
    reader.problem(
        node,
        "rules",
        f"the spec expands to up to {total:,} probes, more than the limit of {max_probes:,} "
        f"(largest rules: {listing})",
        "fewer sources, targets or ports per rule, or --max-probes to raise the limit",
    )
    return False
