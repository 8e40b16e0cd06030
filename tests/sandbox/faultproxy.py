"""An API server that misbehaves on purpose: a proxy in front of a sandbox cluster (or nothing).

Real API servers and the load balancers in front of them fail in ways the sandbox's own server
never does: they accept a connection and then say nothing. This proxy reproduces that, so tests
can show that every wait of a client is bounded:

- `pass`: forward everything (and record what was asked), e.g. to know *when* an exec started
  without scanning the host's processes (other sandboxes run probes too);
- `hang-exec`: forward everything except pods/exec, whose websocket handshake is accepted at
  the TCP/TLS level and never answered (a wedged kubelet or konnectivity tunnel behaves so);
- `freeze`: accept every connection and answer nothing (an overloaded or partitioned API
  server). Needs no cluster behind it.

TLS is terminated with the sandbox's own server certificate (state_dir/pki), so the product
talks to the proxy exactly as it talks to the sandbox. Only the first request of each client
connection is inspected; later requests on a kept-alive connection are forwarded as they are
(the python client's REST calls reuse connections; each exec opens its own).

    with FaultProxy(sandbox=sb, mode="hang-exec") as proxy:
        subprocess.run([..., "--kubeconfig", str(proxy.kubeconfig)])
        proxy.wait_for_request("/exec")
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import yaml

MODES = ("pass", "hang-exec", "freeze")


class FaultProxy:
    def __init__(self, *, mode: str, sandbox: Any = None, state_dir: Path | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if sandbox is None and mode != "freeze":
            raise ValueError("only `freeze` works without a sandbox behind it")
        self.mode = mode
        self.sandbox = sandbox
        self._dir = Path(state_dir or (sandbox.state_dir if sandbox else Path("/tmp")))
        self.requests: list[str] = []
        """`METHOD /path` of the first request of every connection (query strings cut off)."""
        self.connections = 0
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self._held: list[asyncio.StreamWriter] = []
        self.url = ""
        self.kubeconfig = self._dir / f"kubeconfig-faultproxy-{mode}-{id(self)}"

    # ---- lifecycle -----------------------------------------------------------------------
    def __enter__(self) -> FaultProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=30)
        self._write_kubeconfig()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        with contextlib.suppress(OSError):
            self.kubeconfig.unlink()

    def wait_for_request(self, fragment: str, *, count: int = 1, timeout: float = 60) -> None:
        """Block until `count` recorded requests contain `fragment` (a safety net, not a bound
        on the product: raises TimeoutError if they never come)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while sum(fragment in r for r in self.requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {count} request(s) with {fragment!r}: {self.requests}")
                self._changed.wait(left)

    # ---- the server ----------------------------------------------------------------------
    def _tls(self) -> tuple[ssl.SSLContext | None, ssl.SSLContext | None]:
        if self.sandbox is None or not self.sandbox.api_url.startswith("https"):
            return None, None
        pki = self.sandbox.state_dir / "pki"
        server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server.load_cert_chain(pki / "server.crt", pki / "server.key")
        client = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        return server, client

    async def _start(self) -> None:
        self._server_tls, self._client_tls = self._tls()
        self._server = await asyncio.start_server(
            self._serve, "127.0.0.1", 0, ssl=self._server_tls, limit=1 << 21
        )
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"{'https' if self._server_tls else 'http'}://127.0.0.1:{port}"

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in self._held:
            writer.close()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with self._changed:
            self.connections += 1
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        method, _, rest = head.split(b"\r\n", 1)[0].decode("latin-1").partition(" ")
        path = rest.split(" ", 1)[0].split("?", 1)[0]
        with self._changed:
            self.requests.append(f"{method} {path}")
            self._changed.notify_all()
        if self.mode == "freeze" or (self.mode == "hang-exec" and path.endswith("/exec")):
            self._held.append(writer)  # read nothing more, answer nothing, never close
            return
        await self._forward(head, reader, writer)

    async def _forward(
        self, head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        upstream = urlsplit(self.sandbox.api_url)
        try:
            up_reader, up_writer = await asyncio.open_connection(
                upstream.hostname,
                upstream.port,
                ssl=self._client_tls,
                server_hostname=upstream.hostname if self._client_tls else None,
                limit=1 << 21,
            )
        except OSError:
            writer.close()
            return
        up_writer.write(head)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError, asyncio.CancelledError):
                while chunk := await src.read(1 << 16):
                    dst.write(chunk)
                    await dst.drain()
            with contextlib.suppress(Exception):
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    # ---- kubeconfig ------------------------------------------------------------------------
    def _write_kubeconfig(self) -> None:
        if self.sandbox is not None:
            doc = yaml.safe_load(self.sandbox.kubeconfig.read_text())
            for cluster in doc["clusters"]:
                cluster["cluster"]["server"] = self.url
        else:
            doc = {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "frozen", "cluster": {"server": self.url}}],
                "users": [{"name": "admin", "user": {"token": "frozen-token"}}],
                "contexts": [{"name": "frozen", "context": {"cluster": "frozen", "user": "admin"}}],
                "current-context": "frozen",
            }
        self.kubeconfig.write_text(yaml.safe_dump(doc, sort_keys=False))
        self.kubeconfig.chmod(0o600)
