"""Calls into the data plane (``network.Network``) from the asyncio control plane.

Network methods block (they run `ip`/`nft`), so they go to ONE worker thread: that keeps them
in call order (add_pod before the sync that mentions the pod) without blocking the loop.
`sync` gets the full desired state each time, so requests coalesce: many changes while a
sync runs cause one more sync, and a caller can await "a sync that started after my change"
before answering, which makes a policy effective by the time `kubectl apply` returns.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger("sandbox.dataplane")


class DataPlane:
    def __init__(self, *, network: Any, snapshot: Callable[[], dict[str, list[dict]]]) -> None:
        self.network = network
        self._snapshot = snapshot
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="netplane")
        self._requested = 0
        self._done = 0
        self._running = False
        self._cond: asyncio.Condition | None = None

    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, lambda: fn(*args, **kwargs))

    async def add_pod(self, *, key: str, ports: Sequence[Any], host_network: bool,
                      namespace: str | None = None) -> str:
        return await self.call(self.network.add_pod, key=key, ports=ports,
                               host_network=host_network, namespace=namespace)

    async def remove_pod(self, key: str) -> None:
        await self.call(self.network.remove_pod, key)

    def request_sync(self) -> int:
        """Mark the state dirty; returns the generation a caller may wait for."""
        self._requested += 1
        if not self._running:
            self._running = True
            asyncio.get_running_loop().create_task(self._worker())
        return self._requested

    async def synced(self, gen: int | None = None) -> None:
        """Wait until a sync covering generation `gen` (default: now) has finished."""
        gen = self.request_sync() if gen is None else gen
        if self._cond is None:
            self._cond = asyncio.Condition()
        async with self._cond:
            await self._cond.wait_for(lambda: self._done >= gen)

    async def _worker(self) -> None:
        if self._cond is None:
            self._cond = asyncio.Condition()
        try:
            while self._done < self._requested:
                gen = self._requested
                state = self._snapshot()
                try:
                    await self.call(self.network.sync, **state)
                except Exception:  # keep serving; the failure is in the log
                    log.exception("Network.sync failed")
                self._done = gen
                async with self._cond:
                    self._cond.notify_all()
        finally:
            self._running = False

    async def close(self) -> None:
        self._pool.shutdown(wait=True)
