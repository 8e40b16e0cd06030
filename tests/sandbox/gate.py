"""The root/Linux gate for sandbox tests: skip loudly, but fail under CI=true; a missing
tool always fails (the sandbox cannot be faithful without it)."""

from __future__ import annotations

import os
import shutil
import sys

import pytest


def require_root_sandbox() -> None:
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
