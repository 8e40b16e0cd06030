"""Object metadata and label selectors: k8s.io/apimachinery/pkg/apis/meta/v1/validation
(ValidateLabels, ValidateLabelSelector, ValidateLabelSelectorRequirement) and
pkg/api/validation/objectmeta.go (ValidateObjectMetaAccessor, ValidateAnnotations)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tests.sandbox.validation import content
from tests.sandbox.validation.field import FieldError, forbidden, invalid, required

NameCheck = Callable[[str], list[str]]


def validate_label_name(key: str, path: str) -> list[FieldError]:
    """ValidateLabelName."""
    return [invalid(path, key, m) for m in content.is_label_key(key)]


def validate_labels(labels: Mapping[str, Any] | None, path: str) -> list[FieldError]:
    """ValidateLabels: every key a qualified name, every value a label value; both errors
    name the map (`metadata.labels`), not the key."""
    errs: list[FieldError] = []
    for k, v in sorted((labels or {}).items()):
        errs += validate_label_name(k, path)
        errs += [invalid(path, v, m) for m in content.is_label_value(str(v))]
    return errs


def validate_selector_requirement(req: Mapping[str, Any], path: str) -> list[FieldError]:
    """ValidateLabelSelectorRequirement (AllowInvalidLabelValueInSelector=false, so the
    values of In/NotIn are label values too)."""
    errs: list[FieldError] = []
    op, values = req.get("operator", ""), req.get("values") or []
    if op in ("In", "NotIn"):
        if not values:
            errs.append(required(f"{path}.values",
                                 "must be specified when `operator` is 'In' or 'NotIn'"))
    elif op in ("Exists", "DoesNotExist"):
        if values:
            errs.append(forbidden(f"{path}.values", "may not be specified when `operator` is "
                                                    "'Exists' or 'DoesNotExist'"))
    else:
        errs.append(invalid(f"{path}.operator", op, "not a valid selector operator"))
    errs += validate_label_name(req.get("key", ""), f"{path}.key")
    for i, v in enumerate(values):
        errs += [invalid(f"{path}.values[{i}]", v, m) for m in content.is_label_value(str(v))]
    return errs


def validate_label_selector(sel: Mapping[str, Any] | None, path: str) -> list[FieldError]:
    """ValidateLabelSelector."""
    if sel is None:
        return []
    errs = validate_labels(sel.get("matchLabels"), f"{path}.matchLabels")
    for i, req in enumerate(sel.get("matchExpressions") or []):
        errs += validate_selector_requirement(req, f"{path}.matchExpressions[{i}]")
    return errs


def validate_annotations(annotations: Mapping[str, Any] | None, path: str) -> list[FieldError]:
    """ValidateAnnotations: keys are qualified names (checked lower-cased), 256 KiB in all."""
    errs: list[FieldError] = []
    total = 0
    for k, v in sorted((annotations or {}).items()):
        errs += [invalid(path, k, m) for m in content.is_label_key(k.lower())]
        total += len(k) + len(str(v))
    if total > 256 * 1024:
        errs.append(FieldError("TooLong", path, "", f"must have at most {256 * 1024} bytes"))
    return errs


def validate_object_meta(md: Mapping[str, Any], *, name_check: NameCheck) -> list[FieldError]:
    """ValidateObjectMetaAccessor: name (by the kind's name function), labels, annotations."""
    errs: list[FieldError] = []
    name = md.get("name") or ""
    if not name:
        errs.append(required("metadata.name", "name or generateName is required"))
    else:
        errs += [invalid("metadata.name", name, m) for m in name_check(name)]
    errs += validate_labels(md.get("labels"), "metadata.labels")
    errs += validate_annotations(md.get("annotations"), "metadata.annotations")
    return errs
