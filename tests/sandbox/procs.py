"""Waiting for child processes from asyncio without parking a thread per process."""

from __future__ import annotations

import asyncio
import os
import subprocess


async def wait_process(proc: subprocess.Popen) -> int:
    """pidfd readiness (Linux ≥ 5.3), else polling. Sleeping ephemeral containers can be many
    and long-lived, so `to_thread(proc.wait)` would exhaust the default executor."""
    loop = asyncio.get_running_loop()
    try:
        fd = os.pidfd_open(proc.pid)
    except (OSError, AttributeError):
        while proc.poll() is None:
            await asyncio.sleep(0.05)
        return proc.returncode
    fut: asyncio.Future = loop.create_future()
    loop.add_reader(fd, lambda: fut.done() or fut.set_result(None))
    try:
        if proc.poll() is None:
            await fut
    finally:
        loop.remove_reader(fd)
        os.close(fd)
    return proc.wait()
