"""Channel-3 Status parsing: only an explicit Success is exit 0; nothing is never success."""

from __future__ import annotations

import pytest

from kubectl_netpoltest.cluster.execstatus import ExecStatus, ExecStatusKind, parse_exec_status

EXITED, ERROR, UNKNOWN = ExecStatusKind.EXITED, ExecStatusKind.EXEC_ERROR, ExecStatusKind.UNKNOWN

NONZERO = (
    '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: '
    'error executing command [sh -c exit 7], exit code 7","reason":"NonZeroExitCode",'
    '"details":{"causes":[{"reason":"ExitCode","message":"7"}]}}'
)
MISSING_BINARY = (
    '{"metadata":{},"status":"Failure","message":"Internal error occurred: error executing '
    'command in container: failed to exec in container: exec: \\"bash\\": executable file not '
    'found in $PATH","reason":"InternalError","details":{"causes":[{"message":"failed to exec '
    'in container: exec: \\"bash\\": executable file not found in $PATH"}]},"code":500}'
)


@pytest.mark.parametrize(
    ("raw", "kind", "code", "message"),
    [
        ('{"metadata":{},"status":"Success"}', EXITED, 0, ""),
        (b'{"metadata":{},"status":"Success"}\n', EXITED, 0, ""),
        (NONZERO, EXITED, 7, "exit code 7"),
        (MISSING_BINARY, ERROR, None, "executable file not found"),
        (None, UNKNOWN, None, "no exec status"),
        ("", UNKNOWN, None, "empty"),
        (b"  \n", UNKNOWN, None, "empty"),
        ('{"metadata":{}}', UNKNOWN, None, "without a result"),
        ('{"status":"Failure","reason":"NonZeroExitCode","message":"boom"}', ERROR, None, "boom"),
        (
            '{"status":"Failure","reason":"NonZeroExitCode","message":"m",'
            '"details":{"causes":[{"reason":"ExitCode","message":"seven"}]}}',
            ERROR,
            None,
            "m",
        ),
        (
            '{"status":"Failure","reason":"NonZeroExitCode","message":"m",'
            '"details":{"causes":[{"reason":"ExitCode","message":"0"}]}}',
            ERROR,
            None,
            "m",
        ),
        (
            '{"status":"Failure","reason":"NonZeroExitCode","message":"m",'
            '"details":{"causes":[{"message":"not it"},{"reason":"ExitCode","message":"137"}]}}',
            EXITED,
            137,
            "m",
        ),
        (
            '{"status":"Failure","reason":"InternalError","details":{"causes":'
            '[{"reason":"ExitCode","message":"3"}]}}',
            ERROR,
            None,
            "InternalError",
        ),
        ('{"status":"Failure","reason":"NonZeroExitCode","details":"x"}', ERROR, None, "details"),
        ("error executing command: container not found", ERROR, None, "container not found"),
        ('["Success"]', ERROR, None, "unexpected"),
        ('{"metadata":{},"status":"Success"}{"status":"Failure"}', ERROR, None, "more than one"),
    ],
)
def test_parse_exec_status(
    raw: str | bytes | None, kind: ExecStatusKind, code: int | None, message: str
) -> None:
    status = parse_exec_status(raw)
    assert status.kind is kind
    assert status.exit_code == code
    assert message in status.message
    assert status.succeeded is (kind is EXITED and code == 0)


def test_unknown_is_never_success() -> None:
    assert not ExecStatus(UNKNOWN).succeeded
    assert not parse_exec_status(None).succeeded
