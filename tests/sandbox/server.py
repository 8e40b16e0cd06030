"""One sandbox as a process: data plane up, scenario applied, API server serving, until
SIGTERM; then everything it created is removed. `__main__ up` and the pytest fixture both
run this as a child process, so a crashing test can't leave a half-torn-down loop behind."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import signal
import ssl
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.sandbox import pki
from tests.sandbox.apiserver.app import make_app
from tests.sandbox.apiserver.auth import Authorizer
from tests.sandbox.cluster import Cluster
from tests.sandbox.controllers import ControllerConfig, Controllers
from tests.sandbox.dataplane import DataPlane
from tests.sandbox.kubelet import STATIC_ANNOTATION, Kubelet, KubeletConfig
from tests.sandbox.registry import Registry
from tests.sandbox.resources import NAMESPACES, NODES, PODS, SERVICES, by_kind
from tests.sandbox.scenario import Scenario, load
from tests.sandbox.status import ApiError
from tests.sandbox.store import Store
from tests.sandbox.store import now_iso as store_now

log = logging.getLogger("sandbox.server")


@dataclass(frozen=True)
class ServerOptions:
    scenario: Path | None
    state_dir: Path
    instance: str
    network: str = "real"          # "real" | "fake"
    tls: bool = True
    users: tuple[dict, ...] = ()
    timing: dict[str, float] = field(default_factory=dict)
    ready_timeout: float = 60.0


def make_network(opts: ServerOptions, scenario: Scenario) -> Any:
    if opts.network == "fake":
        from tests.sandbox.fakenet import FakeNetwork

        return FakeNetwork(instance=opts.instance, state_dir=opts.state_dir)
    from tests.sandbox.network import ContainerPort, ExternalHost, Network

    externals = [ExternalHost(name=e.name, address=e.address, dns_names=e.dns_names,
                              ports=tuple(ContainerPort(port=p, protocol=proto)
                                          for p, proto in e.ports),
                              address6=e.address6)
                 for e in scenario.externals]
    return Network(instance=opts.instance, state_dir=opts.state_dir,
                   deny_mode=scenario.deny_mode, externals=externals,
                   dual_stack="IPv6" in scenario.ip_families)


def _bootstrap(store: Store, network: Any) -> None:
    """What a fresh cluster has: system namespaces, the node, the data plane's DNS pod."""
    for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
        store.create(NAMESPACES, {"metadata": {"name": ns, "labels": {
            "kubernetes.io/metadata.name": ns}}, "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"}})
    node_ip = getattr(network, "node_ip", "10.89.0.1")
    store.create(SERVICES, {"metadata": {"name": "kubernetes", "namespace": "default",
                                         "labels": {"component": "apiserver",
                                                    "provider": "kubernetes"}},
                            "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.1",
                                     "clusterIPs": ["10.96.0.1"], "sessionAffinity": "None",
                                     "ports": [{"name": "https", "port": 443,
                                                "protocol": "TCP", "targetPort": 6443}]},
                            "status": {"loadBalancer": {}}})
    store.create(NODES, {"metadata": {"name": "sandbox-node", "labels": {
        "kubernetes.io/hostname": "sandbox-node", "kubernetes.io/os": "linux",
        "node-role.kubernetes.io/control-plane": ""}},
        "spec": {}, "status": {
            "addresses": [{"type": "InternalIP", "address": node_ip},
                          {"type": "Hostname", "address": "sandbox-node"}],
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
            "nodeInfo": {"kubeletVersion": "v1.32.0-sandbox", "containerRuntimeVersion":
                         "containerd://1.7.0", "operatingSystem": "linux",
                         "architecture": "amd64"}}})
    system = network.system_objects() if hasattr(network, "system_objects") else {}
    for given_pod in system.get("pods", []):
        pod = json.loads(json.dumps(given_pod))
        md = pod["metadata"]
        md.setdefault("annotations", {})[STATIC_ANNOTATION] = "true"
        from tests.sandbox import admission

        given = pod.get("status", {})
        admission.default_pod(pod)
        pod["status"] = {**given, "hostIP": node_ip, "startTime": store_now(),
                         "hostIPs": [{"ip": node_ip}], "qosClass": "BestEffort",
                         "containerStatuses": [{
                             "name": c["name"], "image": c["image"], "imageID": c["image"],
                             "ready": True, "restartCount": 0, "started": True,
                             "state": {"running": {"startedAt": None}}}
                             for c in pod["spec"]["containers"]]}
        store.create(PODS, pod)
    for svc in system.get("services", []):
        from tests.sandbox import admission

        admission.default_service(svc, cluster_ip=svc["spec"]["clusterIP"])
        store.create(SERVICES, svc)


async def _apply_scenario(cluster: Cluster, scenario: Scenario) -> None:
    for obj in scenario.objects:
        rt = by_kind(obj["apiVersion"], obj["kind"])
        if rt is None:
            raise ValueError(f"scenario: unsupported kind {obj['apiVersion']} {obj['kind']}")
        ns = (obj.get("metadata") or {}).get("namespace") or "default"
        try:
            cluster.registry.create(rt, obj, namespace=ns if rt.namespaced else None)
        except ApiError as err:
            if err.code == 409 and rt == NAMESPACES:
                continue  # e.g. the scenario declares `default`
            raise ValueError(f"scenario object {obj['kind']} {obj['metadata'].get('name')}: "
                             f"{err.status['message']}") from err


async def _wait_ready(cluster: Cluster, timeout: float) -> None:
    from tests.sandbox.resources import DEPLOYMENTS

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pods = cluster.store.list(PODS)
        deps = cluster.store.list(DEPLOYMENTS)
        pods_ok = all((p.get("status") or {}).get("phase") == "Running" for p in pods)
        deps_ok = all((d.get("status") or {}).get("readyReplicas", 0) ==
                      d["spec"].get("replicas", 1) for d in deps)
        if pods_ok and deps_ok:
            await cluster.dataplane.synced()
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("scenario pods did not all become Running")


async def serve(opts: ServerOptions) -> None:
    state = opts.state_dir
    state.mkdir(parents=True, exist_ok=True)
    scenario = load(opts.scenario) if opts.scenario else Scenario()
    if opts.users:
        scenario = Scenario(**{**scenario.__dict__, "users": scenario.users + opts.users})
    timing = {**scenario.timing, **opts.timing}
    network = make_network(opts, scenario)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runner: web.AppRunner | None = None
    cluster: Cluster | None = None
    try:
        t0 = time.monotonic()
        await asyncio.to_thread(network.up)
        store = Store()
        _bootstrap(store, network)
        registry = Registry(store=store, reserved_ips=(network.dns_ip,))
        registry.dual_stack = "IPv6" in scenario.ip_families  # Services: network/dualstack.py
        cluster_ref: dict[str, Cluster] = {}
        dp = DataPlane(network=network, snapshot=lambda: cluster_ref["c"].snapshot())  # noqa: PLW0108
        kubelet = Kubelet(store=store, dataplane=dp, config=KubeletConfig(
            ephemeral_start_delay=float(timing.get("ephemeralStartDelay", 0.5)),
            image_backoff_delay=float(timing.get("imageBackoffDelay", 1.0)),
            images=dict(scenario.images),
            node_ip=getattr(network, "node_ip", "10.89.0.1"),
            files_root=state / "containers",
            termination_delay=float(timing.get("terminationDelay", 0.2))))
        controllers = Controllers(store=store, registry=registry, config=ControllerConfig(
            replace_delay=float(timing.get("replaceDelay", 0.3))))
        from tests.sandbox.workloads import WorkloadControllers  # StatefulSet, DaemonSet, Job

        workload_controllers = WorkloadControllers(
            store=store, registry=registry, replace_delay=float(timing.get("replaceDelay", 0.3)))
        for svc in store.list(SERVICES):  # bootstrap Services predate the controllers
            controllers.resync_endpoints(svc["metadata"]["namespace"], svc["metadata"]["name"])
        tokens = {u["name"]: u.get("token") or secrets.token_hex(16) for u in scenario.users}
        tokens["admin"] = secrets.token_hex(16)
        authz = Authorizer.from_config(scenario.users, tokens=tokens)
        cluster = Cluster(store=store, registry=registry, dataplane=dp, kubelet=kubelet,
                          controllers=controllers, authorizer=authz)
        cluster_ref["c"] = cluster
        lag = float(timing.get("enforcementLag", 0.0))
        from tests.sandbox.enforcement import EnforcementLag
        from tests.sandbox.nodeenforcement import node_lags

        # the one lag history: cluster-wide (timing.enforcementLag) and per node (annotation)
        enforcement = EnforcementLag(store=store, lag=lag, request_sync=dp.request_sync)
        enforcement.node_lags = lambda: node_lags(store.list(NODES)).values()
        cluster.policy_history = enforcement.effective
        if lag > 0:
            cluster.policies_in_force = enforcement.effective
        cluster.watch_for_sync()
        await dp.synced()
        await _apply_scenario(cluster, scenario)
        await _wait_ready(cluster, opts.ready_timeout)
        if enforcement is not None:
            enforcement.arm()
        startup = time.monotonic() - t0

        ssl_ctx = None
        if opts.tls:
            _ca, crt, key = await asyncio.to_thread(pki.make_certs, state / "pki")
            ssl_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ssl_ctx.load_cert_chain(crt, key)
        # kube-apiserver serves with Go's http.Server{MaxHeaderBytes: 1 << 20} (k8s.io/apiserver
        # pkg/server/secure_serving.go): exec argv travels in the query string, so a request line
        # of up to 1 MiB must work. aiohttp's default limit is 8190 bytes.
        runner = web.AppRunner(make_app(cluster), access_log=None, shutdown_timeout=1.0,
                               max_line_size=1 << 20, max_field_size=1 << 20)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_ctx)
        await site.start()
        port = runner.addresses[0][1]
        url = f"{'https' if opts.tls else 'http'}://127.0.0.1:{port}"
        kubeconfig = state / "kubeconfig"
        pki.write_kubeconfig(kubeconfig, server=url, ca_crt=(state / "pki" / "ca.crt")
                             if opts.tls else None,
                             tokens={u.name: u.token for u in authz.users.values()})
        info = {"instance": opts.instance, "pid": os.getpid(), "url": url,
                "kubeconfig": str(kubeconfig), "network": opts.network,
                "tokens": {u.name: u.token for u in authz.users.values()},
                "startup_seconds": round(startup, 3),
                "pods": len(store.list(PODS))}
        tmp = state / "state.json.tmp"
        tmp.write_text(json.dumps(info, indent=2))
        tmp.replace(state / "state.json")
        log.info("sandbox %s ready at %s in %.2fs", opts.instance, url, startup)
        await stop.wait()
    finally:
        log.info("sandbox %s shutting down", opts.instance)
        if runner is not None:
            with contextlib.suppress(Exception):
                await runner.cleanup()
        if cluster is not None:
            await cluster.kubelet.close()
            await cluster.controllers.close()
            await workload_controllers.close()
            await cluster.dataplane.close()
        try:
            await asyncio.to_thread(network.down)
        except Exception:
            log.exception("network.down failed")
        with contextlib.suppress(FileNotFoundError):
            (state / "state.json").unlink()
        (state / "stopped").write_text(str(os.getpid()))


def run(opts: ServerOptions) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s "
                        "%(message)s")
    asyncio.run(serve(opts))
