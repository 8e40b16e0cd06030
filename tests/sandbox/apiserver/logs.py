"""GET pods/{name}/log (`kubectl logs`): what the container wrote to stdout/stderr.

The kubelet keeps each container's output (containerfs.py); ephemeral containers are the
only ones that run a process here, so regular containers have an empty log. Query
parameters as pkg/registry/core/pod/rest/log.go and the kubelet read them: container,
follow, tailLines, limitBytes, previous (no earlier instance here: the kubelet's 400)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from tests.sandbox.status import bad_request


def container_for(pod: Mapping[str, Any], requested: str) -> str:
    """pkg/registry/core/pod/strategy.go validateContainer: the container a request means."""
    spec, name = pod["spec"], str(pod["metadata"]["name"])
    names = [c["name"] for c in spec.get("containers") or []]
    init = [c["name"] for c in spec.get("initContainers") or []]
    eph = [c["name"] for c in spec.get("ephemeralContainers") or []]
    if not requested:
        if len(names) == 1:
            return str(names[0])
        msg = (f"a container name must be specified for pod {name}, choose one of: "
               f"[{' '.join(names)}]")
        if init:
            msg += f" or one of the init containers: [{' '.join(init)}]"
        if eph:
            msg += f" or one of the ephemeral containers: [{' '.join(eph)}]"
        raise bad_request(msg)
    if requested not in names + init + eph:
        raise bad_request(f"container {requested} is not valid for pod {name}")
    return requested


def _shape(data: bytes, query: Mapping[str, str]) -> bytes:
    tail = query.get("tailLines")
    if tail not in (None, ""):
        n = int(tail)
        lines = data.splitlines(keepends=True)
        data = b"".join(lines[-n:]) if n > 0 else b""
    limit = query.get("limitBytes")
    if limit not in (None, ""):
        data = data[:int(limit)]
    return data


async def pod_log(request: web.Request, kubelet: Any, pod: Mapping[str, Any]
                  ) -> web.StreamResponse:
    q = request.query
    container = container_for(pod, q.get("container", ""))
    if q.get("previous") in ("true", "1"):
        # kubelet kuberuntime: no terminated instance to show
        raise bad_request(f'previous terminated container "{container}" in pod '
                          f'"{pod["metadata"]["name"]}" not found')
    data = _shape(kubelet.logs(pod, container), q)
    if q.get("follow") not in ("true", "1"):
        return web.Response(body=data, content_type="text/plain")
    resp = web.StreamResponse(headers={"Content-Type": "text/plain"})
    await resp.prepare(request)
    await resp.write(data)
    sent = len(kubelet.logs(pod, container))
    while kubelet.container_running(pod, container):
        await asyncio.sleep(0.2)
        more = kubelet.logs(pod, container)[sent:]
        if more:
            await resp.write(more)
            sent += len(more)
    rest = kubelet.logs(pod, container)[sent:]
    if rest:
        await resp.write(rest)
    await resp.write_eof()
    return resp
