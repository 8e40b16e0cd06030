"""pods/exec over websocket: the v5.channel.k8s.io / v4.channel.k8s.io stream protocols.

Wire format (k8s.io/apimachinery/pkg/util/remotecommand, KEP-4006): binary frames whose first
byte is the channel (0 stdin, 1 stdout, 2 stderr, 3 error/status, 4 resize, 255 v5 CLOSE);
exactly one metav1.Status JSON on channel 3, then the server closes. Output is forwarded as it
is produced, so a long-running probe batch streams line by line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
from typing import Any

from aiohttp import WSMsgType, web

from tests.sandbox.kubelet import ExecError, Kubelet
from tests.sandbox.procs import wait_process

PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255


def status_success() -> dict:
    return {"metadata": {}, "status": "Success"}


def status_exit(argv: list[str], code: int) -> dict:
    # kubelet cri/streaming/remotecommand/websocket.go + exec.CodeExitError wording
    return {"metadata": {}, "status": "Failure",
            "message": f"command terminated with non-zero exit code: error executing command "
                       f"[{' '.join(argv)}], exit code {code}",
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}


def status_internal(message: str) -> dict:
    return {"metadata": {}, "status": "Failure",
            "message": f"Internal error occurred: {message}", "reason": "InternalError",
            "details": {"causes": [{"message": message}]}, "code": 500}


async def _pump(pipe: Any, ch: int, ws: web.WebSocketResponse) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 20)
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), pipe)
    try:
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                break
            with contextlib.suppress(ConnectionResetError, RuntimeError):
                await ws.send_bytes(bytes([ch]) + chunk)
    finally:
        transport.close()


async def _read_client(ws: web.WebSocketResponse, proc: subprocess.Popen, v5: bool) -> None:
    async for msg in ws:
        if msg.type != WSMsgType.BINARY or not msg.data:
            continue
        ch, payload = msg.data[0], msg.data[1:]
        if ch == STDIN and proc.stdin:
            with contextlib.suppress(BrokenPipeError, OSError):
                proc.stdin.write(payload)
                proc.stdin.flush()
        elif ch == CLOSE and v5 and payload[:1] == bytes([STDIN]) and proc.stdin:
            with contextlib.suppress(OSError):
                proc.stdin.close()
    # client went away: a real kubelet kills nothing, but our probes are short anyway


async def serve_exec(request: web.Request, *, kubelet: Kubelet, pod: dict, container: str,
                     argv: list[str], stdin: bool, stdout: bool, stderr: bool
                     ) -> web.StreamResponse:
    try:
        proc = await kubelet.exec(pod, container, argv, stdin=stdin)
        failure: str | None = None
    except ExecError as exc:
        if exc.http:
            # kubelet streaming.WriteError: plain-text body; kubectl shows it as
            # `error: unable to upgrade connection: container not found ("dbg")`
            return web.Response(status=exc.http, text=str(exc), content_type="text/plain")
        proc, failure = None, str(exc)
    ws = web.WebSocketResponse(protocols=PROTOCOLS, max_msg_size=0, autoping=True)
    await ws.prepare(request)
    v5 = ws.ws_protocol == PROTOCOLS[0]
    if proc is None:
        await ws.send_bytes(bytes([ERROR]) + json.dumps(status_internal(failure or "")).encode())
        await ws.close()
        return ws
    reader_task = asyncio.create_task(_read_client(ws, proc, v5))
    try:
        pumps = [_pump(proc.stdout, STDOUT, ws), _pump(proc.stderr, STDERR, ws)]
        await asyncio.gather(*pumps, wait_process(proc))
        code = proc.returncode
        code = 128 - code if code < 0 else code
        status = status_success() if code == 0 else status_exit(argv, code)
        with contextlib.suppress(ConnectionResetError, RuntimeError):
            await ws.send_bytes(bytes([ERROR]) + json.dumps(status).encode())
    finally:
        reader_task.cancel()
        kubelet.forget_exec(pod["metadata"]["uid"], proc)
        if proc.poll() is None:
            proc.kill()
        for p in (proc.stdin, proc.stdout, proc.stderr):
            if p:
                with contextlib.suppress(OSError):
                    p.close()
        await ws.close()
    del stdout, stderr  # both always forwarded; the client ignores channels it didn't ask for
    return ws
