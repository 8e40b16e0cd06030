"""Load a spec or stop with every problem: shared by every command that reads one."""

from __future__ import annotations

from kubectl_netpoltest.core.model import Spec
from kubectl_netpoltest.core.spec.loader import load_spec_file
from kubectl_netpoltest.errors import SpecError


def load_or_fail(path: str) -> Spec:
    result = load_spec_file(path)
    if result.spec is None:
        raise SpecError([str(p) for p in result.problems], path=path)
    return result.spec
