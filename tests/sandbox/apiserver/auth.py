"""Bearer-token authentication and a small RBAC authorizer.

Users come from the scenario/fixture: `{name, allow: [...]}`, where each allow entry is
either a string `"<verbs> <resources>"` (comma-separated, `*` wildcards; a resource may carry
a subresource, `pods/exec`) or a dict `{verbs, resources, apiGroups?, namespaces?}`.
`admin` may do everything. Every authenticated user may create selfsubjectaccessreviews
(the system:basic-user ClusterRole).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

ADMIN = "admin"


@dataclass(frozen=True)
class Rule:
    verbs: frozenset[str]
    resources: frozenset[str]  # "pods", "pods/exec", "*"
    groups: frozenset[str] = frozenset({"*"})
    namespaces: frozenset[str] = frozenset({"*"})

    def allows(self, *, verb: str, group: str, resource: str, subresource: str,
               namespace: str) -> bool:
        full = f"{resource}/{subresource}" if subresource else resource
        return (("*" in self.verbs or verb in self.verbs)
                and ("*" in self.groups or group in self.groups)
                and ("*" in self.resources or full in self.resources
                     or (not subresource and resource in self.resources)
                     or f"{resource}/*" in self.resources)
                and ("*" in self.namespaces or namespace in self.namespaces))


def parse_rule(entry: str | Mapping) -> Rule:
    if isinstance(entry, str):
        verbs, _, res = entry.strip().partition(" ")
        return Rule(frozenset(v.strip() for v in verbs.split(",")),
                    frozenset(r.strip() for r in res.split(",") if r.strip()))
    return Rule(frozenset(entry.get("verbs") or ()), frozenset(entry.get("resources") or ()),
                frozenset(entry.get("apiGroups") or ("*",)),
                frozenset(entry.get("namespaces") or ("*",)))


@dataclass(frozen=True)
class User:
    name: str
    token: str
    rules: tuple[Rule, ...] = field(default=())
    admin: bool = False


class Authorizer:
    def __init__(self, users: Iterable[User]) -> None:
        self.users = {u.name: u for u in users}
        self._by_token = {u.token: u for u in self.users.values()}

    @classmethod
    def from_config(cls, specs: Iterable[Mapping], *, tokens: Mapping[str, str] | None = None
                    ) -> Authorizer:
        tokens = dict(tokens or {})
        users = [User(ADMIN, tokens.get(ADMIN) or secrets.token_hex(16), admin=True)]
        for s in specs:
            name = s["name"]
            users.append(User(name, s.get("token") or tokens.get(name) or secrets.token_hex(16),
                              tuple(parse_rule(e) for e in s.get("allow") or ())))
        return cls(users)

    def authenticate(self, header: str | None) -> User | None:
        if not header or not header.lower().startswith("bearer "):
            return None
        return self._by_token.get(header[7:].strip())

    def allowed(self, user: User, *, verb: str, group: str, resource: str,
                subresource: str = "", namespace: str = "") -> bool:
        if user.admin:
            return True
        if (verb, group, resource) == ("create", "authorization.k8s.io",
                                       "selfsubjectaccessreviews"):
            return True
        return any(r.allows(verb=verb, group=group, resource=resource, subresource=subresource,
                            namespace=namespace) for r in user.rules)
