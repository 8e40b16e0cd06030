"""The envelope around every JSON/YAML document we print, in the shape kubectl users know.

`apiVersion` and `kind` say what the document is (so a script can check before it reads),
and the run's context says where it came from: which cluster, which spec, when, which version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

import yaml

from kubectl_netpoltest import __version__

API_VERSION = "netpoltest.kubectl.io/v1alpha1"


@dataclass(frozen=True)
class RunContext:
    """Where and when a command ran; `context`/`server` are None for offline commands."""

    spec: str | None
    context: str | None
    server: str | None
    started: datetime

    @staticmethod
    def now(*, spec: str | None, context: str | None, server: str | None) -> RunContext:
        return RunContext(spec=spec, context=context, server=server, started=datetime.now(UTC))

    def as_dict(self) -> dict[str, Any]:
        return {
            "context": self.context,
            "server": self.server,
            "spec": self.spec,
            "startTime": self.started.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "version": __version__,
        }


def envelope(kind: str, run: RunContext, body: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": run.as_dict(), **body}


def write_document(document: dict[str, Any], out: TextIO, *, as_yaml: bool) -> None:
    if as_yaml:
        out.write(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
        return
    json.dump(document, out, indent=2)
    out.write("\n")
