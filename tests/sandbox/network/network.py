"""The sandbox cluster's data plane: `Network` (the API in tests/sandbox/CONTRACT.md).

Topology (Calico-style routed /32s, all inside network namespaces this instance creates):

* `<inst>-node` — the router netns, playing node + CNI. It holds the node IP (on `lo`),
  one veth per pod/external (`<inst>h<n>` / `<inst>x<n>`, each with the gateway address
  169.254.1.1/32 and a /32 route to its pod), `ip_forward=1`, the NetworkPolicy table
  `inet <inst>_netpol` (see policy.py) and no default route: a packet to any address the
  sandbox did not create is answered "unreachable" by the router and never leaves.
  hostNetwork pods live here (their IP is the node IP; their servers and probes run here).
* `<inst>-p<n>` — one netns per pod: eth0 with 10.244.x.y/32, default via 169.254.1.1,
  Service DNAT in `ip <inst>_svc` (nat output; see services.py), resolv.conf in
  /etc/netns/<netns>/, and one podserver process serving its declared TCP/UDP ports.
* `<inst>-dns` — the DNS pod (kube-system, k8s-app=kube-dns) running dnsmasq; reached via the
  kube-dns ClusterIP `dns_ip` (DNAT like any Service, so policy sees pod IP + port 53).
* `<inst>-x<n>` — one netns per external host, with its real address and servers.

Nothing is ever created in the root netns: veths are made inside the router netns with the
peer end placed directly into the pod netns. `down()` kills every process inside the
instance's netns, deletes them, their /etc/netns dirs, /run/netpoltest-sandbox/<inst> (tool
sets, owner record) and `state_dir/network`.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from . import dualstack, netns, nodelag, registry, toolsets
from .dns import Dnsmasq, resolv_conf
from .kube_system import DNS_KEY, system_objects
from .model import ContainerPort, ExternalHost
from .policy import DENY_MODES, PolicyError, compile_policies, render_ruleset
from .services import dns_records, render_nat, service_routes
from .tier_render import render_tiered
from .tiers import compile_admin

GATEWAY = "169.254.1.1"
NODE_IP = "10.89.0.1"
POD_NET = ipaddress.ip_network("10.244.0.0/16")
DNS_CLUSTER_IP = "10.96.0.10"
SERVICE_CIDR = "10.96.0.0/12"  # kube-apiserver's default --service-cluster-ip-range
EXTERNAL_KEY = "external:"  # spawn(EXTERNAL_KEY + name, ...) runs a client on an external host
SERVER = Path(__file__).with_name("podserver.py")
EXTERNAL_NET6 = ipaddress.ip_network("2001:db8::/32")  # RFC 3849 documentation range
EXTERNAL_NETS = tuple(
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
)


@dataclass(frozen=True)
class _Pod:
    key: str
    netns: str
    ip: str
    host_network: bool
    namespace: str | None
    server: subprocess.Popen[bytes] | None
    ip6: str | None = None
    """Dual stack (dualstack.py): the pod's IPv6 address."""


class Network:
    """One isolated sandbox network; see the module docstring for the topology."""

    def __init__(
        self,
        *,
        instance: str,
        state_dir: Path,
        deny_mode: str = "drop",
        externals: Sequence[ExternalHost] = (),
        dns_ip: str = DNS_CLUSTER_IP,
        dual_stack: bool = False,
    ) -> None:
        if not registry.INSTANCE_RE.fullmatch(instance):
            raise ValueError(f"instance must match [a-z0-9]{{3,8}}: {instance!r}")
        if deny_mode not in DENY_MODES:
            raise ValueError(f"deny_mode must be one of {DENY_MODES}: {deny_mode!r}")
        for ext in externals:
            addr = ipaddress.ip_address(ext.address)
            if not any(addr in net for net in EXTERNAL_NETS):
                raise ValueError(f"external {ext.name}: {addr} not in a documentation range")
            if ext.address6 and ipaddress.ip_address(ext.address6) not in EXTERNAL_NET6:
                raise ValueError(f"external {ext.name}: {ext.address6} not in 2001:db8::/32")
        self.instance = instance
        self.dual_stack = dual_stack
        self._policy6_text: str | None = None
        self.deny_mode = deny_mode
        self.externals = tuple(externals)
        self._dns_ip = dns_ip
        self._state_dir = Path(state_dir)
        self._created_state_dir = False
        self._dir = self._state_dir / "network"
        self._run = registry.RUN_ROOT / instance
        self.router_netns = f"{instance}-node"
        self._policy_table = f"{instance}_netpol"
        self._nat_table = f"{instance}_svc"
        self._lock = threading.RLock()
        self._netns: list[str] = []
        self._pods: dict[str, _Pod] = {}
        self._procs: list[subprocess.Popen[bytes]] = []
        self._tools: dict[str, Path] = {}
        self._next_index = 2
        self._policy_text: str | None = None
        self._nat_text = render_nat(table=self._nat_table, routes=())
        self._dns: Dnsmasq | None = None
        self._up = False
        self.warnings: list[str] = []

    # ------------------------------------------------------------------ properties

    @property
    def dns_ip(self) -> str:
        return self._dns_ip

    @property
    def node_ip(self) -> str:
        return NODE_IP

    def pod_netns(self, key: str) -> str:
        return self._pods[key].netns

    def system_objects(self) -> dict[str, list[dict[str, Any]]]:
        """The kube-system objects the data plane brings (namespace, DNS pod, kube-dns
        Service). `sync` adds them when the caller's lists lack them (matched by namespace
        name, pod uid, Service namespace/name); a control plane may store and return them."""
        dns = self._pods.get(DNS_KEY)
        return system_objects(dns_pod_ip=dns.ip if dns else None, dns_ip=self._dns_ip)

    # ------------------------------------------------------------------ lifecycle

    def up(self) -> None:
        with self._lock:
            if self._up:
                return
            try:
                self._up_unlocked()
            except BaseException:
                self.down()
                raise

    def __enter__(self) -> Network:
        self.up()
        return self

    def __exit__(self, *exc: object) -> None:
        self.down()

    def _record(self) -> None:
        registry.write(
            registry.OwnerRecord(
                instance=self.instance,
                pid=os.getpid(),
                start_time=registry.start_time(os.getpid()) or 0,
                netns=tuple(self._netns),
                state_dir=str(self._dir),
                run_dir=str(self._run),
            )
        )

    def _add_netns(self, name: str) -> None:
        self._netns.append(name)
        self._record()  # before creation: a crash right after must still be cleanable
        netns.add(name)

    def _up_unlocked(self) -> None:
        self._created_state_dir = not self._state_dir.exists()
        self._dir.mkdir(parents=True, exist_ok=True)
        self._record()
        self._tools = toolsets.build(self._run / "tools")
        for d in (registry.RUN_ROOT, self._run, self._run / "tools"):
            d.chmod(0o755)
        r = self.router_netns
        self._add_netns(r)
        # The service CIDR needs a route on the node so that a connect() from the node
        # (hostNetwork pods) passes the first route lookup and reaches the nat output hook,
        # whose DNAT (services.py) then re-routes it to the backend: on a real node the
        # default route plays this part for kube-proxy's OUTPUT rules.
        netns.ip_batch(r, ["link set lo up", f"addr add {NODE_IP}/32 dev lo",
                           f"route add {SERVICE_CIDR} dev lo"])
        netns.sysctls(r, {
            "net.ipv4.ip_forward": "1",
            "net.ipv4.conf.all.rp_filter": "0",
            "net.ipv4.conf.default.rp_filter": "0",
            "net.ipv6.conf.all.disable_ipv6": "1",
            "net.ipv6.conf.default.disable_ipv6": "1",
        })
        if self.dual_stack:
            dualstack.enable_router(r)
        netns.write_resolv_conf(r, resolv_conf(nameserver=self._dns_ip, namespace=None))
        netns.nft_apply(r, self._nat_text)
        # DNS pod
        dns_ns = f"{self.instance}-dns"
        dns_ip = self._allocate_ip()
        self._attach(name=dns_ns, ip=dns_ip, veth=f"{self.instance}h{self._next_index - 1}")
        netns.write_resolv_conf(dns_ns, "nameserver 127.0.0.1\n")
        self._dns = Dnsmasq(netns_name=dns_ns, ip=dns_ip, state_dir=self._dir / "dns",
                            query_from=r)
        self._procs.append(self._dns.start())
        self._pods[DNS_KEY] = _Pod(key=DNS_KEY, netns=dns_ns, ip=dns_ip, host_network=False,
                                   namespace="kube-system", server=None)
        for i, ext in enumerate(self.externals):
            name = f"{self.instance}-x{i}"
            self._attach(name=name, ip=ext.address, veth=f"{self.instance}x{i}")
            # No cluster DNS outside the cluster, and never the host's resolver.
            netns.write_resolv_conf(name, "nameserver 127.0.0.1\n")
            six = ext.address6 if self.dual_stack else None
            if six is not None:
                dualstack.wire(router=r, pod_netns=name, veth=f"{self.instance}x{i}", ip6=six)
            server = self._start_server(name, ext.ports, label=f"ext-{ext.name}",
                                        v6=six is not None)
            self._pods[EXTERNAL_KEY + ext.name] = _Pod(
                key=EXTERNAL_KEY + ext.name, netns=name, ip=ext.address, host_network=False,
                namespace=None, server=server)
        self._up = True
        self.sync(namespaces=(), pods=(), policies=(), services=())

    def down(self) -> None:
        """Remove everything this instance created. Idempotent; safe after a failed up()."""
        with self._lock:
            for p in self._procs:
                p.kill()
            registry.remove_instance(
                registry.OwnerRecord(
                    instance=self.instance, pid=0, start_time=0, netns=tuple(self._netns),
                    state_dir=str(self._dir), run_dir=str(self._run),
                )
            )
            for p in self._procs:
                p.wait()
            self._procs.clear()
            self._pods.clear()
            self._netns.clear()
            if self._created_state_dir:
                shutil.rmtree(self._state_dir, ignore_errors=True)
            self._up = False
            self._policy_text = None

    @staticmethod
    def cleanup_stale(*, state_root: Path) -> list[str]:
        """Remove leftovers of dead instances; returns the instance names cleaned."""
        return registry.cleanup_stale(state_root=Path(state_root))

    # ------------------------------------------------------------------ pods

    def _allocate_ip(self) -> str:
        while True:
            n = self._next_index
            self._next_index += 1
            if n % 256 not in (0, 255):
                return str(POD_NET.network_address + n)

    def _attach(self, *, name: str, ip: str, veth: str) -> None:
        """Create netns `name` and route `ip`/32 to it from the router (no root-ns links)."""
        self._add_netns(name)
        netns.ip_batch(self.router_netns, [
            f"link add {veth} type veth peer name eth0 netns {name}",
            f"link set {veth} up",
            f"addr add {GATEWAY}/32 dev {veth}",
            f"route add {ip}/32 dev {veth} src {NODE_IP}",
        ])
        netns.ip_batch(name, [
            "link set lo up",
            "link set eth0 up",
            f"addr add {ip}/32 dev eth0",
            f"route add {GATEWAY} dev eth0 scope link",
            f"route add default via {GATEWAY} dev eth0",
        ])

    def _start_server(
        self, name: str, ports: Sequence[ContainerPort], *, label: str, v6: bool = False
    ) -> subprocess.Popen[bytes] | None:
        args = [f"--tcp={p.port}" for p in ports if p.protocol.upper() == "TCP"]
        args += [f"--udp={p.port}" for p in ports if p.protocol.upper() == "UDP"]
        if not args:
            return None
        if v6:
            args.append("--v6")
        log = self._dir / "logs" / f"{label}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as err:
            proc = subprocess.Popen(
                ["ip", "netns", "exec", name, sys.executable, "-I", "-S", str(SERVER), *args],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                start_new_session=True,  # a Ctrl-C to the control plane must not kill pods
            )
        self._procs.append(proc)
        assert proc.stdout is not None
        line = proc.stdout.readline()
        proc.stdout.close()
        if line.strip() != b"ready":
            raise netns.CommandError(f"pod server in {name} did not start; see {log}")
        return proc

    def add_pod(
        self,
        *,
        key: str,
        ports: Sequence[ContainerPort],
        host_network: bool = False,
        namespace: str | None = None,
    ) -> str:
        """Create the pod's netns, wire it, start its servers; returns its IP.

        `namespace` (optional) sets the resolv.conf search path right away; otherwise the
        next `sync` that lists the pod does.
        """
        with self._lock:
            if not self._up:
                raise RuntimeError("Network.up() first")
            if key in self._pods:
                raise ValueError(f"pod {key!r} exists")
            if host_network:
                server = self._start_server(self.router_netns, ports, label=f"pod-{key}")
                pod = _Pod(key=key, netns=self.router_netns, ip=NODE_IP, host_network=True,
                           namespace=namespace, server=server)
            else:
                ip = self._allocate_ip()
                name = f"{self.instance}-p{self._next_index - 1}"
                self._attach(name=name, ip=ip, veth=f"{self.instance}h{self._next_index - 1}")
                netns.write_resolv_conf(
                    name, resolv_conf(nameserver=self._dns_ip, namespace=namespace))
                netns.nft_apply(name, self._nat_text)
                ip6 = dualstack.ipv6_of(ip) if self.dual_stack else None
                if ip6 is not None:
                    dualstack.wire(router=self.router_netns, pod_netns=name, ip6=ip6,
                                   veth=f"{self.instance}h{self._next_index - 1}")
                server = self._start_server(name, ports, label=f"pod-{key}", v6=ip6 is not None)
                pod = _Pod(key=key, netns=name, ip=ip, host_network=False,
                           namespace=namespace, server=server, ip6=ip6)
            self._pods[key] = pod
            return pod.ip

    def pod_ips(self, key: str) -> tuple[str, ...]:
        """The pod's IPs, IPv4 first (status.podIPs); one unless dual stack."""
        pod = self._pods[key]
        return (pod.ip, pod.ip6) if pod.ip6 else (pod.ip,)

    def remove_pod(self, key: str) -> None:
        """Kill the pod's processes and delete its netns (and so its veth and route)."""
        with self._lock:
            pod = self._pods.pop(key, None)
            if pod is None or key == DNS_KEY or key.startswith(EXTERNAL_KEY):
                return
            if pod.server is not None:
                pod.server.kill()
                pod.server.wait()
                self._procs.remove(pod.server)
            if not pod.host_network:
                netns.destroy(pod.netns)
                self._netns.remove(pod.netns)
                self._record()

    # ------------------------------------------------------------------ desired state

    def _with_system(
        self, namespaces: Sequence[dict[str, Any]], pods: Sequence[dict[str, Any]],
        services: Sequence[dict[str, Any]],
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        sys_objs = self.system_objects()
        ns_names = {(n.get("metadata") or {}).get("name") for n in namespaces}
        uids = {(p.get("metadata") or {}).get("uid") for p in pods}
        svc_ids = {((s.get("metadata") or {}).get("namespace"),
                    (s.get("metadata") or {}).get("name")) for s in services}
        return (
            list(namespaces) + [n for n in sys_objs["namespaces"]
                                if n["metadata"]["name"] not in ns_names],
            list(pods) + [p for p in sys_objs["pods"] if p["metadata"]["uid"] not in uids],
            list(services) + [s for s in sys_objs["services"]
                              if (s["metadata"]["namespace"], s["metadata"]["name"])
                              not in svc_ids],
        )

    def sync(
        self,
        *,
        namespaces: Sequence[dict[str, Any]],
        pods: Sequence[dict[str, Any]],
        policies: Sequence[dict[str, Any]],
        services: Sequence[dict[str, Any]],
        admin_policies: Sequence[dict[str, Any]] = (),
        nodes: Sequence[dict[str, Any]] = (),
        node_policies: Mapping[str, Sequence[dict[str, Any]]] | None = None,
    ) -> None:
        """Make policy, Service DNAT and DNS match the full desired state. Only what changed
        is re-applied; each nft ruleset is replaced atomically. Invalid policies (ones the API
        server should have rejected) are skipped and reported in `self.warnings`.
        `admin_policies`: ClusterNetworkPolicy / AdminNetworkPolicy /
        BaselineAdminNetworkPolicy objects (tiers.py); `nodes`: Node objects for their
        `nodes` peers."""
        with self._lock:
            if not self._up:
                raise RuntimeError("Network.up() first")
            namespaces, pods, services = self._with_system(namespaces, pods, services)
            good = []
            for pol in policies:
                try:
                    compile_policies(namespaces=namespaces, pods=pods, policies=[pol])
                    good.append(pol)
                except (PolicyError, ValueError, KeyError, TypeError) as exc:
                    meta = pol.get("metadata") or {}
                    self.warnings.append(
                        f"policy {meta.get('namespace')}/{meta.get('name')} skipped: {exc}")
            compiled = compile_policies(namespaces=namespaces, pods=pods, policies=good)
            # a node that lags enforces older policies for its own pods (nodelag.py)
            compiled = nodelag.per_node(
                compiled, pods=pods, node_policies=node_policies or {},
                compile_set=lambda pols: compile_policies(
                    namespaces=namespaces, pods=pods,
                    policies=[p for p in pols if _valid(namespaces, pods, p)]))
            tiered = compile_admin(np=compiled, namespaces=namespaces, pods=pods, nodes=nodes,
                                   admin_policies=admin_policies, externals=self.externals,
                                   warnings=self.warnings)
            if tiered is not None:
                text = render_tiered(table=self._policy_table, tiered=tiered,
                                     deny_mode=self.deny_mode)
            else:
                text = render_ruleset(table=self._policy_table, compiled=compiled,
                                      deny_mode=self.deny_mode)
            if text != self._policy_text:
                netns.nft_apply(self.router_netns, text)
                self._policy_text = text
                (self._dir / "netpol.nft").write_text(text)
            if self.dual_stack:
                text6 = dualstack.render6(table=f"{self.instance}_netpol6",
                                          compiled6=dualstack.mirror(compiled),
                                          deny_mode=self.deny_mode)
                if text6 != self._policy6_text:
                    netns.nft_apply(self.router_netns, text6)
                    self._policy6_text = text6
                    (self._dir / "netpol6.nft").write_text(text6)
            routes = service_routes(services=services, pods=pods)
            nat = render_nat(table=self._nat_table, routes=routes)
            if self.dual_stack:  # IPv6 ClusterIPs, in the same atomic script
                nat += dualstack.render_nat6(table=f"{self._nat_table}6", routes=routes,
                                             services=services)
            if nat != self._nat_text:
                targets = {self.router_netns} | {
                    p.netns for k, p in self._pods.items() if not k.startswith(EXTERNAL_KEY)}
                with ThreadPoolExecutor(max_workers=8) as pool:
                    list(pool.map(lambda name: netns.nft_apply(name, nat), sorted(targets)))
                self._nat_text = nat
                (self._dir / "services.nft").write_text(nat)
            assert self._dns is not None
            records = dns_records(services=services, pods=pods, externals=self.externals)
            if self.dual_stack:
                records += dualstack.dns_records6(services)
                records += [(n.rstrip("."), e.address6) for e in self.externals
                            if e.address6 for n in e.dns_names]
            self._dns.update(records)
            self._update_search_paths(pods)

    def _update_search_paths(self, pods: Sequence[Mapping[str, Any]]) -> None:
        for obj in pods:
            meta = obj.get("metadata") or {}
            pod = self._pods.get(str(meta.get("uid")))
            ns = meta.get("namespace") or "default"
            if pod is None or pod.host_network or pod.namespace == ns:
                continue
            netns.write_resolv_conf(pod.netns, resolv_conf(nameserver=self._dns_ip,
                                                           namespace=ns))
            self._pods[pod.key] = replace(pod, namespace=ns)

    # ------------------------------------------------------------------ processes

    def toolset(self, name: str) -> Path:
        try:
            return self._tools[name]
        except KeyError:
            raise ValueError(f"unknown toolset {name!r}; have {sorted(self._tools)}") from None

    def spawn(
        self,
        key: str,
        argv: Sequence[str],
        *,
        uid: int,
        gid: int,
        tools: Path,
        env: Mapping[str, str] | None = None,
        stdin: int | IO[Any] | None = None,
        stdout: int | IO[Any] | None = None,
        stderr: int | IO[Any] | None = None,
        tmp_dir: Path | None = None,
    ) -> subprocess.Popen[bytes]:
        """Run argv in the pod's netns as uid:gid, no capabilities, PATH=tools only, with
        the sandbox resolv.conf (bind-mounted by `ip netns exec`). Unknown key: KeyError.

        tmp_dir: bound over /tmp, so a container's files stay its own (a real container has
        its own root filesystem) and vanish with it. `ip netns exec` already runs the command
        in a private mount namespace (slave of the host's), so the bind never reaches the
        host; every process given the same tmp_dir sees the same /tmp."""
        pod = self._pods[key]
        environ = [f"PATH={tools}", "HOME=/tmp", *(f"{k}={v}" for k, v in (env or {}).items())]
        private_tmp = [] if tmp_dir is None else [
            "/bin/sh", "-c", 'mount --bind -- "$0" /tmp && exec "$@"', str(tmp_dir)]
        return subprocess.Popen(
            [
                "ip", "netns", "exec", pod.netns, *private_tmp,
                "setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--",
                "/usr/bin/env", "-i", *environ, *argv,
            ],
            stdin=stdin, stdout=stdout, stderr=stderr, cwd="/",
        )


def _valid(namespaces: Sequence[Mapping[str, Any]], pods: Sequence[Mapping[str, Any]],
           policy: Mapping[str, Any]) -> bool:
    """An older policy version the API accepted compiles; one that does not is skipped, as
    `sync` skips invalid current ones."""
    try:
        compile_policies(namespaces=namespaces, pods=pods, policies=[policy])
    except (PolicyError, ValueError, KeyError, TypeError):
        return False
    return True
