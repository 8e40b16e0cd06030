"""`generate -n typo`: a namespace that does not exist is an error that says so, not an empty
spec with exit 0 (found on the sandbox: `generate -n doesnotexist` printed `pods:`/`rules: []`
and 'generated 0 probes', which a pipeline into `validate -` accepts as a valid spec)."""

from __future__ import annotations

import pytest

from kubectl_netpoltest.engine.generate import generate
from kubectl_netpoltest.errors import Forbidden, NotFound
from tests.unit.engine.test_doctor import FakeInspector


class Missing(FakeInspector):
    def get_namespace(self, *, name: str) -> None:
        return None


class Unreadable(FakeInspector):
    def get_namespace(self, *, name: str) -> None:
        raise Forbidden("namespaces \"x\" is forbidden")


def test_a_missing_namespace_is_not_found() -> None:
    with pytest.raises(NotFound, match="namespace 'typo' does not exist"):
        generate(inspector=Missing(), namespace="typo")


def test_an_unreadable_namespace_still_generates() -> None:
    out = generate(inspector=Unreadable(), namespace="shop")
    assert out.probes == 0 and "namespace labels unreadable" in out.text
