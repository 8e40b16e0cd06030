"""Label selector matching (semantics rule 13), cached because the same selectors are
evaluated against the same label sets thousands of times in a large plan."""

from __future__ import annotations

from functools import lru_cache

from kubectl_netpoltest.core.policy.objects import Labels, Operator, Selector


@lru_cache(maxsize=1 << 16)
def matches(selector: Selector, labels: Labels) -> bool:
    """`NotIn` and `DoesNotExist` match objects that lack the key; `{}` matches all."""
    found = dict(labels)
    for key, value in selector.match_labels:
        if found.get(key) != value:
            return False
    for req in selector.match_expressions:
        present = req.key in found
        if req.operator is Operator.IN and (not present or found[req.key] not in req.values):
            return False
        if req.operator is Operator.NOT_IN and present and found[req.key] in req.values:
            return False
        if req.operator is Operator.EXISTS and not present:
            return False
        if req.operator is Operator.DOES_NOT_EXIST and present:
            return False
    return True
