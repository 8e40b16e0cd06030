"""pytest plumbing for the sandbox: the root/CI gate and shared sandboxes.

Product e2e tests import `start_sandbox` from tests.sandbox.fixture, or use the
`sandbox_factory` fixture below via `pytest_plugins = ["tests.sandbox.conftest"]`.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sandbox.fixture import Sandbox, start_sandbox

REPO = Path(__file__).resolve().parents[2]
README_SCENARIO = REPO / "examples" / "sandbox-scenario"
RICHER_SCENARIO = REPO / "examples" / "sandbox-scenario-richer"


def require_root_sandbox() -> None:
    """Skip loudly without root/Linux, but fail under CI=true; fail if a tool is missing."""
    why = None
    if not sys.platform.startswith("linux"):
        why = "the sandbox needs Linux (network namespaces, nftables)"
    elif os.geteuid() != 0:
        why = "the sandbox needs root (ip netns, nft); run the tests as root"
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {why}")
        pytest.skip(f"SANDBOX TESTS SKIPPED: {why}")
    missing = [t for t in ("kubectl", "openssl") if shutil.which(t) is None]
    try:
        from tests.sandbox.network.toolsets import missing_tools

        missing += missing_tools()
    except ImportError as exc:
        pytest.fail(f"sandbox data plane not importable: {exc}")
    if missing:
        pytest.fail(f"sandbox tools missing: {', '.join(missing)}")


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
