"""The exec channel-3 Status, parsed by hand.

Why not `resp.returncode`: the client's property reports 0 when channel 3 is empty, raises on a
Failure whose cause is not a number (a missing binary), and raises KeyError without `details`
(kubernetes-client/python `ws_client.py`, `returncode`). A missing or unreadable status
must never read as success, because "the probe command exited 0" is what lets results count at all.

Rules (the Status kube-apiserver writes on channel 3, `remotecommand` protocol v4/v5):
* `{"status": "Success"}` → exited 0;
* `Failure` with reason `NonZeroExitCode` and a cause `{"reason": "ExitCode", "message": "N"}`
  → exited N (N >= 1);
* any other Status, or non-JSON text (protocols v1-v3 wrote plain error text) → exec error,
  carrying the message to show;
* nothing at all → unknown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["ExecStatus", "ExecStatusKind", "parse_exec_status"]


class ExecStatusKind(StrEnum):
    EXITED = "exited"
    """The command ran and exited with `exit_code`."""
    EXEC_ERROR = "exec-error"
    """The exec itself failed (missing binary, container gone...): see `message`."""
    UNKNOWN = "unknown"
    """No status arrived: the command may or may not have run. Never treat as success."""


@dataclass(frozen=True)
class ExecStatus:
    kind: ExecStatusKind
    exit_code: int | None = None
    message: str = ""

    @property
    def succeeded(self) -> bool:
        return self.kind is ExecStatusKind.EXITED and self.exit_code == 0


def _unknown(message: str) -> ExecStatus:
    return ExecStatus(ExecStatusKind.UNKNOWN, None, message)


def _error(message: str) -> ExecStatus:
    return ExecStatus(ExecStatusKind.EXEC_ERROR, None, message)


def parse_exec_status(raw: str | bytes | None) -> ExecStatus:
    """Channel 3's payload (all of it, as received) → exit code, exec error or unknown."""
    if raw is None:
        return _unknown("no exec status received")
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    text = text.strip()
    if not text:
        return _unknown("the exec status channel was empty")
    try:
        status, end = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return _error(text)
    if text[end:].strip():
        # Exactly one Status is sent; anything more means we cannot trust which one counts.
        return _error(f"more than one exec status received: {text}")
    if not isinstance(status, dict):
        return _error(f"unexpected exec status: {text}")
    return _from_status(status, text)


def _from_status(status: dict[str, Any], text: str) -> ExecStatus:
    state = status.get("status")
    message = status.get("message")
    shown = message if isinstance(message, str) and message else text
    if state == "Success":
        return ExecStatus(ExecStatusKind.EXITED, 0, "")
    if state != "Failure":
        return _unknown(f"exec status without a result: {text}")
    if status.get("reason") == "NonZeroExitCode":
        code = _exit_code_cause(status.get("details"))
        if code is not None:
            return ExecStatus(ExecStatusKind.EXITED, code, shown)
    return _error(shown)


def _exit_code_cause(details: object) -> int | None:
    if not isinstance(details, dict):
        return None
    causes = details.get("causes")
    if not isinstance(causes, list):
        return None
    for cause in causes:
        if not isinstance(cause, dict) or cause.get("reason") != "ExitCode":
            continue
        value = cause.get("message")
        if isinstance(value, str) and value.strip().isdigit():
            code = int(value.strip())
            # A Failure that claims exit code 0 contradicts itself: not a success.
            return code if code >= 1 else None
    return None
