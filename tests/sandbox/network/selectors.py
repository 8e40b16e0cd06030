"""Kubernetes label selectors (rule 13), pure.

`NotIn` and `DoesNotExist` match objects that lack the key; an empty selector matches all.
A `None` selector is *not* handled here: absent vs empty is the caller's decision (rule 12).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class SelectorError(ValueError):
    """A selector the API server would have rejected."""


def matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or ():
        key = expr["key"]
        op = expr["operator"]
        values = list(expr.get("values") or ())
        if op == "In":
            if not values:
                raise SelectorError(f"In requires values: {expr}")
            if labels.get(key) not in values:
                return False
        elif op == "NotIn":
            if not values:
                raise SelectorError(f"NotIn requires values: {expr}")
            if key in labels and labels[key] in values:
                return False
        elif op == "Exists":
            if key not in labels:
                return False
        elif op == "DoesNotExist":
            if key in labels:
                return False
        else:
            raise SelectorError(f"unknown operator {op!r}")
    return True
