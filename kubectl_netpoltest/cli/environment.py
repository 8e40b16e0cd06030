"""The world a command runs in, injectable so CLI tests need no monkeypatching (httpie-style).

Streams are looked up when used, not when imported, so pytest's capture and a test's own
replacement both work.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO


@dataclass
class Environment:
    stdout_override: TextIO | None = None
    stderr_override: TextIO | None = None
    environ_override: Mapping[str, str] | None = None

    @property
    def stdout(self) -> TextIO:
        return self.stdout_override or sys.stdout

    @property
    def stderr(self) -> TextIO:
        return self.stderr_override or sys.stderr

    @property
    def environ(self) -> Mapping[str, str]:
        return self.environ_override if self.environ_override is not None else os.environ


ENV = Environment()
