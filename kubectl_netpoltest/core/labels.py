"""Labels and label selectors: one model for the spec's pod selectors and the policies'.

Why shared: the spec selects source and target pods with the same selector semantics that
NetworkPolicies and admin policies use to select pods and namespaces (rule 13 of
docs/networkpolicy-semantics.md: `matchLabels` AND every `matchExpressions` requirement; an
empty selector matches everything). Two copies of it had already started to drift.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

Labels = tuple[tuple[str, str], ...]
"""Labels as sorted (key, value) pairs: hashable, so selections can be cached."""


def labels_of(mapping: Mapping[str, str] | None) -> Labels:
    return tuple(sorted((mapping or {}).items()))


class SelectorOperator(StrEnum):
    IN = "In"
    NOT_IN = "NotIn"
    EXISTS = "Exists"
    DOES_NOT_EXIST = "DoesNotExist"


@dataclass(frozen=True)
class Requirement:
    """One set-based label requirement, as in Kubernetes' LabelSelectorRequirement."""

    key: str
    operator: SelectorOperator
    values: tuple[str, ...] = ()

    def to_kubectl(self) -> str:
        if self.operator is SelectorOperator.EXISTS:
            return self.key
        if self.operator is SelectorOperator.DOES_NOT_EXIST:
            return f"!{self.key}"
        word = "in" if self.operator is SelectorOperator.IN else "notin"
        return f"{self.key} {word} ({','.join(self.values)})"


@dataclass(frozen=True)
class LabelSelector:
    """matchLabels AND every matchExpression; empty matches everything.

    `to_kubectl()` gives the string form the API's `labelSelector` parameter takes.
    """

    match_labels: Labels = ()
    match_expressions: tuple[Requirement, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.match_labels and not self.match_expressions

    def to_kubectl(self) -> str:
        parts = [f"{key}={value}" for key, value in self.match_labels]
        parts += [requirement.to_kubectl() for requirement in self.match_expressions]
        return ",".join(parts)

    def describe(self) -> str:
        """For messages: the kubectl form, or `{}` for the empty selector."""
        return self.to_kubectl() or "{}"

    def matches(self, labels: Mapping[str, str]) -> bool:
        return selector_matches(self, tuple(labels.items()))


def selector_matches(selector: LabelSelector, labels: Labels) -> bool:
    """`NotIn` and `DoesNotExist` match objects that lack the key; `{}` matches all.

    Not cached: labels are tiny tuples of (key, value) pairs, so `pair in labels` runs in C and
    costs less than hashing a cache key would (measured with tests/bench/predict_bench.py).
    """
    for pair in selector.match_labels:
        if pair not in labels:
            return False
    if not selector.match_expressions:
        return True
    found = dict(labels)
    for req in selector.match_expressions:
        present = req.key in found
        if req.operator is SelectorOperator.IN and (
            not present or found[req.key] not in req.values
        ):
            return False
        if req.operator is SelectorOperator.NOT_IN and present and found[req.key] in req.values:
            return False
        if req.operator is SelectorOperator.EXISTS and not present:
            return False
        if req.operator is SelectorOperator.DOES_NOT_EXIST and present:
            return False
    return True
