"""Import the repository's scripts (build/*.py, krew/*.py) by path.

They live outside the package on purpose (PyInstaller's entry point must not be inside it, and
the release job runs krew/ with nothing but PyYAML), and `build` would clash with PyPA's
`build` package as an import name, so tests load them from their files.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[3]


def load(relative: str) -> ModuleType:
    """Load ROOT/relative once, under a private module name (dataclasses need sys.modules)."""
    name = "netpoltest_script_" + relative.replace("/", "_").removesuffix(".py")
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
