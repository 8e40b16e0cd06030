"""The node agent: starts pods on the data plane, runs ephemeral containers, serves exec.

Pod start (pkg/kubelet): the pod gets its IP first (Pending, ContainerCreating), the data plane
learns about it, and only then is it Running and Ready, so nothing sees a Ready pod that
policies don't know yet. Ephemeral containers go waiting/ContainerCreating → running →
terminated(Completed|Error) like containerd would run them; an image the sandbox can't
"pull" goes ErrImagePull → ImagePullBackOff.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import os
import secrets
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.sandbox import images, readiness
from tests.sandbox.containerfs import ContainerFiles
from tests.sandbox.dataplane import DataPlane
from tests.sandbox.graceful import is_terminating
from tests.sandbox.podstatus import conditions as _conditions
from tests.sandbox.podstatus import container_status as _cstatus
from tests.sandbox.podstatus import new_container_id as _cid
from tests.sandbox.procs import wait_process
from tests.sandbox.resources import PODS
from tests.sandbox.store import Event, Store, now_iso

log = logging.getLogger("sandbox.kubelet")
STATIC_ANNOTATION = "sandbox.netpoltest.test/data-plane"  # pods the data plane runs itself


@dataclass(frozen=True)
class KubeletConfig:
    ephemeral_start_delay: float = 0.5   # ContainerCreating → running
    image_backoff_delay: float = 1.0     # ErrImagePull → ImagePullBackOff
    images: Mapping[str, str] = field(default_factory=dict)  # image prefix → tool set
    node_ip: str = "172.31.0.2"
    files_root: Path | None = None       # per-container /tmp and logs (containerfs.py)
    termination_delay: float = 0.2       # how long containers take to stop on SIGTERM


class ExecError(Exception):
    """An exec that cannot start; `http` tells where it surfaces (handshake vs channel 3)."""

    def __init__(self, message: str, *, http: int | None = None) -> None:
        super().__init__(message)
        self.http = http


@dataclass
class PodRuntime:
    uid: str
    namespace: str
    name: str
    ip: str | None = None
    running: bool = False
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)  # ephemeral containers
    execs: set[subprocess.Popen] = field(default_factory=set)
    gone: bool = False


def _ports(pod: Mapping) -> list[Any]:
    try:
        from tests.sandbox.network import ContainerPort  # the data plane's own value type
    except ImportError:  # control-plane-only tests with the fake network
        from tests.sandbox.fakenet import ContainerPort

    return [ContainerPort(port=int(p["containerPort"]), protocol=p.get("protocol", "TCP"),
                          name=p.get("name"))
            for c in pod["spec"].get("containers") or [] for p in c.get("ports") or []]


def identity(pod: Mapping, container: Mapping) -> tuple[int, int]:
    """uid/gid a container runs as: container securityContext, then the pod's, else the image
    user, which is root for every image the sandbox knows."""
    psc = pod["spec"].get("securityContext") or {}
    csc = container.get("securityContext") or {}
    uid = csc.get("runAsUser", psc.get("runAsUser", 0))
    gid = csc.get("runAsGroup", psc.get("runAsGroup", 0))
    return int(uid), int(gid)


def run_as_non_root(pod: Mapping, container: Mapping) -> bool:
    psc = pod["spec"].get("securityContext") or {}
    csc = container.get("securityContext") or {}
    return bool(csc.get("runAsNonRoot", psc.get("runAsNonRoot", False)))


class Kubelet:
    def __init__(self, *, store: Store, dataplane: DataPlane, config: KubeletConfig,
                 ports_of: Callable[[Mapping], list[Any]] = _ports) -> None:
        self.store = store
        self.dp = dataplane
        self.config = config
        self.pods: dict[str, PodRuntime] = {}
        self._ports_of = ports_of
        self._tasks: set[asyncio.Task] = set()
        self.files = ContainerFiles(config.files_root) if config.files_root else None
        store.listen(self._on_event)

    # ---- event plumbing ----------------------------------------------------------------
    def _spawn_task(self, coro: Any) -> None:
        t = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(t)
        t.add_done_callback(self._tasks.discard)

    def _on_event(self, ev: Event) -> None:
        if ev.rt != PODS:
            return
        uid = ev.obj["metadata"]["uid"]
        if ev.type == "ADDED":
            rt = PodRuntime(uid, ev.obj["metadata"]["namespace"], ev.obj["metadata"]["name"])
            self.pods[uid] = rt
            if (ev.obj["metadata"].get("annotations") or {}).get(STATIC_ANNOTATION):
                rt.running, rt.ip = True, (ev.obj.get("status") or {}).get("podIP")
                return
            self._spawn_task(self._start_pod(rt, copy.deepcopy(ev.obj)))
        elif ev.type == "DELETED":
            rt = self.pods.pop(uid, None)
            if rt and (ev.obj["metadata"].get("annotations") or {}).get(STATIC_ANNOTATION):
                return
            if rt:
                rt.gone = True
                self._spawn_task(self._stop_pod(rt))
        elif ev.type == "MODIFIED" and ev.old is not None:
            if is_terminating(ev.obj) and not is_terminating(ev.old):
                self._spawn_task(self._terminate(copy.deepcopy(ev.obj)))
            old = {c["name"] for c in ev.old["spec"].get("ephemeralContainers") or []}
            for c in ev.obj["spec"].get("ephemeralContainers") or []:
                if c["name"] not in old and uid in self.pods:
                    self._spawn_task(self._run_ephemeral(self.pods[uid], copy.deepcopy(c)))
            if readiness.mode(ev.old) != readiness.mode(ev.obj) and uid in self.pods:
                self._spawn_task(self._apply_readiness(self.pods[uid]))

    def _update_status(self, rt: PodRuntime, fn: Callable[[dict], None]) -> dict | None:
        cur = self.store.peek(PODS, rt.namespace, rt.name)
        if cur is None or cur["metadata"]["uid"] != rt.uid:
            return None
        pod = copy.deepcopy(cur)
        fn(pod.setdefault("status", {}))
        return self.store.update(PODS, pod)

    # ---- pods ---------------------------------------------------------------------------
    async def _start_pod(self, rt: PodRuntime, pod: dict) -> None:
        host_net = bool(pod["spec"].get("hostNetwork"))
        try:
            ip = await self.dp.add_pod(key=rt.uid, ports=self._ports_of(pod),
                                       host_network=host_net, namespace=rt.namespace)
            # dual stack (network/dualstack.py): IPv4 first, then IPv6, as the kubelet lists them
            pod_ips = getattr(self.dp.network, "pod_ips", None)
            ips = list(await self.dp.call(pod_ips, rt.uid)) if pod_ips else [ip]
        except Exception as exc:
            log.exception("add_pod failed for %s/%s", rt.namespace, rt.name)
            msg = f"sandbox data plane: {exc}"
            self._update_status(rt, lambda s: s.update(
                phase="Pending", conditions=_conditions(ready=False, scheduled=True),
                message=msg))
            return
        if rt.gone:
            await self.dp.remove_pod(rt.uid)
            return
        rt.ip = ip
        started = now_iso()
        node_ip = ip if host_net else self.config.node_ip

        def creating(s: dict) -> None:
            s.update(phase="Pending", hostIP=node_ip, hostIPs=[{"ip": node_ip}], podIP=ip,
                     podIPs=[{"ip": i} for i in ips], startTime=started,
                     conditions=_conditions(ready=False, scheduled=True))
            s["containerStatuses"] = [_cstatus(c, waiting="ContainerCreating")
                                      for c in pod["spec"]["containers"]]

        self._update_status(rt, creating)
        await self.dp.synced()
        if rt.gone:
            return

        def running(s: dict) -> None:
            s["phase"] = "Running"
            s["conditions"] = _conditions(ready=True, scheduled=True)
            s["containerStatuses"] = [_cstatus(c, running_since=started)
                                      for c in pod["spec"]["containers"]]
            readiness.apply(self.store.peek(PODS, rt.namespace, rt.name) or pod, s)

        rt.running = True
        self._update_status(rt, running)

    async def _apply_readiness(self, rt: PodRuntime) -> None:
        """The readiness annotation changed (readiness.py): report the pod's new state."""
        pod = self.store.peek(PODS, rt.namespace, rt.name)
        if rt.running and pod is not None:
            self._update_status(rt, lambda s: readiness.apply(pod, s))

    async def _stop_pod(self, rt: PodRuntime) -> None:
        for p in [*rt.procs.values(), *rt.execs]:
            _kill(p)
        if rt.ip is not None:
            await self.dp.remove_pod(rt.uid)
        if self.files:
            self.files.remove_pod(rt.uid)
        self.dp.request_sync()

    async def _terminate(self, pod: dict) -> None:
        """Graceful deletion (graceful.py): SIGTERM the containers, report the pod not
        Ready, give them min(grace period, termination_delay), SIGKILL what is left, then
        remove the pod for good (the kubelet's final delete with grace 0)."""
        md = pod["metadata"]
        rt = self.pods.get(md["uid"])
        procs = [*rt.procs.values(), *rt.execs] if rt else []
        for p in procs:
            with contextlib.suppress(Exception):
                p.terminate()
        if rt is not None:
            self._update_status(rt, lambda s: s.update(
                conditions=_conditions(ready=False, scheduled=True)))
        grace = float(md.get("deletionGracePeriodSeconds") or 0)
        await asyncio.sleep(min(grace, self.config.termination_delay))
        for p in procs:
            _kill(p)
        cur = self.store.peek(PODS, md["namespace"], md["name"])
        if cur is not None and cur["metadata"]["uid"] == md["uid"]:
            self.store.delete(PODS, md["namespace"], md["name"])

    def _tmp(self, pod_uid: str, container: str) -> dict[str, Path]:
        """Network.spawn's tmp_dir for this container (its own /tmp), when files are kept."""
        return {"tmp_dir": self.files.tmp(pod_uid, container)} if self.files else {}

    def container_running(self, pod: Mapping, container: str) -> bool:
        rt = self.pods.get(pod["metadata"]["uid"])
        proc = rt.procs.get(container) if rt else None
        return proc is not None and proc.poll() is None

    def logs(self, pod: Mapping, container: str) -> bytes:
        """What the container wrote to stdout/stderr (`kubectl logs`)."""
        return self.files.read_log(pod["metadata"]["uid"], container) if self.files else b""

    # ---- ephemeral containers -----------------------------------------------------------
    def _set_ephemeral(self, rt: PodRuntime, status: dict) -> None:
        status["ready"] = False  # ephemeral containers are never ready (no probes)
        def fn(s: dict) -> None:
            lst = [x for x in s.get("ephemeralContainerStatuses") or []
                   if x["name"] != status["name"]]
            s["ephemeralContainerStatuses"] = [*lst, status]
        self._update_status(rt, fn)

    async def _run_ephemeral(self, rt: PodRuntime, c: dict) -> None:
        name, image = c["name"], c["image"]
        self._set_ephemeral(rt, _cstatus(c, waiting="ContainerCreating"))
        await asyncio.sleep(self.config.ephemeral_start_delay)
        while not rt.running and not rt.gone:
            await asyncio.sleep(0.05)
        if rt.gone:
            return
        toolset = images.toolset_for(image, self.config.images)
        if toolset is None:
            self._set_ephemeral(rt, _cstatus(c, waiting="ErrImagePull",
                                             message=images.pull_error(image)))
            await asyncio.sleep(self.config.image_backoff_delay)
            if not rt.gone:
                self._set_ephemeral(rt, _cstatus(c, waiting="ImagePullBackOff",
                                                 message=images.backoff_message(image)))
            return
        pod = self.store.peek(PODS, rt.namespace, rt.name)
        if pod is None:
            return
        uid, gid = identity(pod, c)
        if run_as_non_root(pod, c) and uid == 0:
            # kuberuntime_container.go verifyRunAsNonRoot
            has_user = "runAsUser" in (c.get("securityContext") or {}) or \
                "runAsUser" in (pod["spec"].get("securityContext") or {})
            why = "container's runAsUser breaks non-root policy" if has_user else \
                "container has runAsNonRoot and image will run as root"
            self._set_ephemeral(rt, _cstatus(c, waiting="CreateContainerConfigError",
                                             message=f'{why} (pod: "{rt.name}_{rt.namespace}'
                                                     f'({rt.uid})", container: {name})'))
            return
        argv = [*(c.get("command") or []), *(c.get("args") or [])] or ["sh"]
        tools = self.dp.network.toolset(toolset)
        missing = _missing_binary(argv[0], tools)
        started = now_iso()
        cid = _cid()
        if missing:
            self._set_ephemeral(rt, _cstatus(c, terminated=128, reason="StartError",
                                             started=started, cid=cid, message=(
                "failed to create containerd task: failed to create shim task: OCI runtime "
                "create failed: runc create failed: unable to start container process: "
                f'exec: "{argv[0]}": executable file not found in $PATH: unknown')))
            return
        log = self.files.log_path(rt.uid, name).open("ab") if self.files else None
        try:
            proc = await self.dp.call(
                self.dp.network.spawn, rt.uid, argv, uid=uid, gid=gid, tools=tools,
                env=_env(rt, uid), stdin=subprocess.PIPE if c.get("stdin") else
                subprocess.DEVNULL, stdout=log or subprocess.DEVNULL,
                stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
                **self._tmp(rt.uid, name))
        except Exception as exc:
            if log:
                log.close()
            self._set_ephemeral(rt, _cstatus(c, terminated=128, reason="StartError",
                                             started=started, cid=cid, message=str(exc)))
            return
        if log:
            log.close()  # the container has its own descriptor
        rt.procs[name] = proc
        self._set_ephemeral(rt, _cstatus(c, running_since=started, cid=cid))
        code = await wait_process(proc)
        if rt.gone:
            return
        code = 128 - code if code < 0 else code  # signal N → 128+N like containerd
        self._set_ephemeral(rt, _cstatus(c, terminated=code, started=started, cid=cid,
                                         reason="Completed" if code == 0 else "Error"))

    # ---- exec ---------------------------------------------------------------------------
    def check_exec(self, pod: Mapping, container: str) -> None:
        rt = self.pods.get(pod["metadata"]["uid"])
        eph = {c["name"] for c in pod["spec"].get("ephemeralContainers") or []}
        if rt is None or not rt.running or (container in eph and (
                rt.procs.get(container) is None or rt.procs[container].poll() is not None)):
            raise ExecError(f'container not found ("{container}")', http=500)

    async def exec(self, pod: Mapping, container: str, argv: list[str], *,
                   stdin: bool) -> subprocess.Popen:
        """Start argv in the container; ExecError(http=500) mirrors the kubelet's
        `container not found ("x")` (pkg/kubelet/kubelet_pods.go GetExec), ExecError(None)
        an exec failure reported on channel 3."""
        rt = self.pods.get(pod["metadata"]["uid"])
        spec = pod["spec"]
        eph = {c["name"]: c for c in spec.get("ephemeralContainers") or []}
        regular = {c["name"]: c for c in spec.get("containers") or []}
        if rt is None or not rt.running:
            raise ExecError(f'container not found ("{container}")', http=500)
        if container in eph:
            proc = rt.procs.get(container)
            if proc is None or proc.poll() is not None:
                raise ExecError(f'container not found ("{container}")', http=500)
            spec_c = eph[container]
            toolset = images.toolset_for(spec_c["image"], self.config.images) or "netshoot"
        elif container in regular:
            spec_c = regular[container]
            toolset = "netshoot"
        else:
            raise ExecError(f'container not found ("{container}")', http=500)
        tools = self.dp.network.toolset(toolset)
        if not argv:
            raise ExecError("error executing command in container: OCI runtime exec failed: "
                            "exec failed: unable to start container process: exec: no command "
                            "specified: unknown")
        if _missing_binary(argv[0], tools):
            raise ExecError(
                "error executing command in container: failed to exec in container: failed to "
                f'start exec "{secrets.token_hex(32)}": OCI runtime exec failed: exec failed: '
                f'unable to start container process: exec: "{argv[0]}": executable file not '
                "found in $PATH: unknown")
        uid, gid = identity(pod, spec_c)
        proc = await asyncio.to_thread(
            self.dp.network.spawn, rt.uid, argv, uid=uid, gid=gid, tools=tools,
            env=_env(rt, uid), stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **self._tmp(rt.uid, container))
        rt.execs.add(proc)
        return proc

    def forget_exec(self, pod_uid: str, proc: subprocess.Popen) -> None:
        rt = self.pods.get(pod_uid)
        if rt:
            rt.execs.discard(proc)

    async def close(self) -> None:
        for rt in list(self.pods.values()):
            rt.gone = True
            for p in [*rt.procs.values(), *rt.execs]:
                _kill(p)
        for t in list(self._tasks):
            t.cancel()
        if self.files:
            self.files.remove_all()


def _missing_binary(exe: str, tools: Path) -> bool:
    if "/" in exe:
        return not os.access(exe, os.X_OK)
    return not (Path(tools) / exe).exists()


def _env(rt: PodRuntime, uid: int) -> dict[str, str]:
    return {"HOSTNAME": rt.name, "HOME": "/root" if uid == 0 else "/"}


def _kill(p: subprocess.Popen) -> None:
    with contextlib.suppress(Exception):
        if p.poll() is None:
            p.kill()

