"""What a prediction says and why: per direction, then for the whole connection.

A direction's decision names its deciding objects, because policies are additive (semantics
rule 4): "allowed by P ingress[0] from[1] ports[0]" or "isolated by P, Q and none of their
rules match" — never "denied by P". Reason codes follow section F of the semantics notes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Direction(StrEnum):
    EGRESS = "egress"
    INGRESS = "ingress"


class Decision(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    NOT_SELECTED = "not-selected"
    """No NetworkPolicy selects the pod in this direction: everything is allowed (rule 2)."""
    UNDEFINED = "undefined"
    """The API leaves the answer to the implementation; `reason` says which rule."""


class Verdict(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    UNDEFINED = "undefined"


class Code(StrEnum):
    NOT_ISOLATED = "not-isolated"
    ALLOWED_BY = "allowed-by"
    NO_RULE_MATCHES = "no-rule-matches"
    NO_RULES = "no-rules"
    NAMED_PORT_UNRESOLVED = "named-port-unresolved"
    IPBLOCK_MATCHES_POD_IP = "ipblock-matches-pod-ip"
    ADDRESS_UNKNOWN = "address-unknown"
    NAMED_PORT_AMBIGUOUS = "named-port-ambiguous"
    OWN_IP = "own-ip"
    SERVICE_HAIRPIN = "service-hairpin"
    FROM_OWN_NODE = "from-own-node"
    NODE_UNKNOWN = "node-unknown"
    HOSTNETWORK = "hostnetwork-peer"
    NO_ENDPOINTS = "no-endpoints"
    BACKENDS_DIFFER = "backends-differ"
    NOT_A_POD = "not-a-pod"
    EGRESS_TO_OWN_NODE = "egress-to-own-node"
    # Admin tiers (core/policy/tiers.py)
    ADMIN_TIER = "admin-tier"
    """An Admin-tier rule (ClusterNetworkPolicy tier Admin, AdminNetworkPolicy) decided."""
    BASELINE_TIER = "baseline-tier"
    """A Baseline-tier rule (ClusterNetworkPolicy tier Baseline, BaselineAdminNetworkPolicy)."""
    SAME_PRIORITY_OVERLAP = "same-priority-overlap"
    MIXED_API_VERSIONS = "mixed-api-versions"
    DOMAIN_NAMES = "domain-names"
    NODES_PEER = "nodes-peer"
    UNKNOWN_FIELD = "unknown-field"
    TIERS_UNREADABLE = "tiers-unreadable"
    """The cluster serves admin-tier kinds the reader may not list (403)."""


@dataclass(frozen=True)
class RuleRef:
    """A policy, and (when a rule decided) the path of the rule inside it."""

    namespace: str
    name: str
    rule: str | None = None
    kind: str | None = None
    """Short kind of a cluster-scoped admin policy ("cnp", "anp", "banp"); namespace is ""."""

    def __str__(self) -> str:
        where = f"{self.kind}/{self.name}" if self.kind else f"{self.namespace}/{self.name}"
        return f"{where} {self.rule}" if self.rule else where


@dataclass(frozen=True)
class DirectionDecision:
    direction: Direction
    decision: Decision
    code: Code
    reason: str
    policies: tuple[RuleRef, ...] = ()

    @property
    def lets_through(self) -> bool:
        return self.decision in (Decision.ALLOWED, Decision.NOT_SELECTED)


@dataclass(frozen=True)
class Prediction:
    """The verdict on one connection, its per-direction reasons, and how the target resolved."""

    verdict: Verdict
    because: tuple[DirectionDecision, ...]
    via: str | None = None
    """How the address became a pod: "Service shop/web -> shop/web-1:8080", or None."""


def combine(sides: Sequence[DirectionDecision], *, via: str | None = None) -> Prediction:
    """Semantics rule 6: both ends must allow; a definite deny on one side decides."""
    if any(s.decision is Decision.DENIED for s in sides):
        verdict = Verdict.DENIED
    elif any(s.decision is Decision.UNDEFINED for s in sides):
        verdict = Verdict.UNDEFINED
    else:
        verdict = Verdict.ALLOWED
    return Prediction(verdict=verdict, because=tuple(sides), via=via)
