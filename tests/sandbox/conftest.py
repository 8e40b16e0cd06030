"""pytest plumbing for the sandbox: the root/CI gate and shared sandboxes.

Product e2e tests import `start_sandbox` from tests.sandbox.fixture, or use the
`sandbox_factory` fixture below via `pytest_plugins = ["tests.sandbox.conftest"]`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sandbox.fixture import Sandbox, start_sandbox
from tests.sandbox.gate import require_root_sandbox

__all__ = ["require_root_sandbox"]

REPO = Path(__file__).resolve().parents[2]
README_SCENARIO = REPO / "examples" / "sandbox-scenario"
RICHER_SCENARIO = REPO / "examples" / "sandbox-scenario-richer"


@pytest.fixture(scope="session")
def sandbox_factory():
    """`with sandbox_factory(scenario_dir, **opts) as sb:` (root-gated start_sandbox)."""
    require_root_sandbox()
    return start_sandbox


@pytest.fixture(scope="module")
def readme_sandbox() -> Iterator[Sandbox]:
    require_root_sandbox()
    users = [
        {"name": "viewer", "allow": ["get,list,watch pods"]},
        {"name": "prober", "allow": ["get,list,watch,patch pods",
                                     "patch pods/ephemeralcontainers", "get,create pods/exec",
                                     "get replicasets,deployments"]},
        {"name": "noexec", "allow": ["get,list,watch pods", "patch pods/ephemeralcontainers"]},
    ]
    with start_sandbox(README_SCENARIO, users=users,
                       timing={"ephemeralStartDelay": 0.3, "imageBackoffDelay": 0.5}) as sb:
        print(f"\nsandbox {sb.instance} started in {sb.startup_seconds:.2f}s")
        yield sb
