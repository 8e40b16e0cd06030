"""Label selector matching (semantics rule 13).

Not cached: labels are tiny sorted tuples of (key, value) pairs, so `pair in labels` runs in C
and costs less than hashing a cache key would (measured with tests/bench/predict_bench.py).
"""

from __future__ import annotations

from kubectl_netpoltest.core.policy.objects import Labels, Operator, Selector


def matches(selector: Selector, labels: Labels) -> bool:
    """`NotIn` and `DoesNotExist` match objects that lack the key; `{}` matches all."""
    for pair in selector.match_labels:
        if pair not in labels:
            return False
    if not selector.match_expressions:
        return True
    found = dict(labels)
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
