"""Groups of named entries — pod groups and address groups — read by one shared loader.

Why shared: the two kinds of group used to have two copies of this logic that drifted apart (an
empty address group went unreported whenever an earlier problem existed; an address with both
`hosts` and `addresses` was never defined, so every use of it got a misleading second error).
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from kubectl_netpoltest.core.model import Location
from kubectl_netpoltest.core.spec.reader import (
    Fields,
    Ref,
    SpecReader,
    define,
    read_name_list,
)


@dataclass(frozen=True)
class GroupKind:
    """What differs between pod groups and address groups: names in fields and messages."""

    kind: str  # "pod group" / "address group"
    members_key: str  # "pods" / "addresses"
    members_what: str  # "pods or pod groups"
    entry_fields: tuple[str, ...]  # the fields of a plain entry, which a group cannot have
    entry_form: str  # how a plain entry is written, for messages
    one_member: str  # "pod or pod group", for the empty-group message


@dataclass(frozen=True)
class GroupRead:
    name: str
    members: tuple[Ref, ...]
    location: Location


def read_group(
    reader: SpecReader,
    *,
    group: GroupKind,
    node: yaml.Node,
    fields: Fields,
    path: str,
    named: tuple[str, yaml.Node] | None,
) -> GroupRead | None:
    """Read `fields` as a group: members, emptiness, conflicting entry fields; define the name.

    The name is defined even when the group has problems, so that its uses elsewhere are not
    reported a second time as undefined.
    """
    for other in group.entry_fields:
        if other in fields:
            reader.problem(
                fields[other][0],
                f"{path}.{other}",
                f"{_article(group.kind)} {group.kind} cannot also have {other}",
                f"either {group.entry_form} or a group ({group.members_key})",
            )
    value = fields[group.members_key][1]
    members_path = f"{path}.{group.members_key}"
    members = read_name_list(reader, value, members_path, group.members_what)
    if not members and not reader.has_problem_under(members_path):
        reader.problem(
            value,
            members_path,
            f"the {group.kind} is empty",
            f"at least one {group.one_member}",
        )
    if named is None:
        return None
    name, name_node = named
    define(reader, reader.names, name=name, kind=group.kind, node=name_node, path=f"{path}.name")
    return GroupRead(name=name, members=tuple(members), location=reader.at(node))


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"
