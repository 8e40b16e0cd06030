"""Isolation, cleanup and process tests of the real data plane (root + Linux).

What must hold: nothing the sandbox does is visible in the root netns (no link, route or
nft change); down() leaves no netns, process, /etc/netns dir or file; two instances coexist;
cleanup_stale removes a SIGKILLed owner's leftovers but never a live instance's.
"""

from __future__ import annotations

import errno
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sandbox.network import ContainerPort, ExternalHost, Network
from tests.sandbox.network import netns as nsutil
from tests.sandbox.network.registry import RUN_ROOT
from tests.sandbox.network.testing import dig, instance_name, probe, require_sandbox

pytestmark = pytest.mark.sandbox
PORTS = (ContainerPort(80), ContainerPort(53, "UDP"))
EXT = ExternalHost(name="gh", address="203.0.113.7", dns_names=("github.com",),
                   ports=(ContainerPort(443),))
ROOT = Path(__file__).resolve().parents[2]


def root_snapshot() -> dict[str, str]:
    def out(*argv: str) -> str:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    return {
        "links": out("ip", "-o", "link", "show"),
        "addrs": out("ip", "-o", "addr", "show"),
        "routes": out("ip", "route", "show", "table", "all"),
        "routes6": out("ip", "-6", "route", "show", "table", "all"),
        "nft": out("nft", "list", "ruleset"),
        "ip_forward": Path("/proc/sys/net/ipv4/ip_forward").read_text(),
    }


def leftovers(instance: str) -> list[str]:
    found = [f"netns {n}" for n in nsutil.list_all() if n.startswith(f"{instance}-")]
    found += [f"/etc/netns/{p.name}" for p in nsutil.ETC_NETNS.glob(f"{instance}-*")]
    if (RUN_ROOT / instance).exists():
        found.append(str(RUN_ROOT / instance))
    return found


@pytest.fixture
def net(tmp_path: Path) -> Iterator[Network]:
    require_sandbox()
    n = Network(instance=instance_name("n"), state_dir=tmp_path / "state", externals=[EXT])
    n.up()
    try:
        yield n
    finally:
        n.down()


def sync_pods(net: Network, pods: dict[str, str], *, policies: list | None = None,
              services: list | None = None, labels: dict | None = None) -> None:
    net.sync(
        namespaces=[{"metadata": {"name": "x"}}],
        pods=[{"metadata": {"name": k, "namespace": "x", "uid": k,
                            "labels": (labels or {}).get(k, {"app": k})},
               "spec": {"containers": [{"ports": [{"containerPort": 80, "name": "http"},
                                                  {"containerPort": 53, "protocol": "UDP"}]}]},
               "status": {"podIP": ip, "phase": "Running"}} for k, ip in pods.items()],
        policies=policies or [], services=services or [],
    )


DENY_ALL = {"metadata": {"name": "deny", "namespace": "x"},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}


def test_up_down_leaves_nothing_and_root_netns_untouched(tmp_path: Path) -> None:
    require_sandbox()
    before = root_snapshot()
    state = tmp_path / "state"
    net = Network(instance=instance_name("n"), state_dir=state, externals=[EXT])
    start = time.monotonic()
    net.up()
    up = time.monotonic() - start
    try:
        start = time.monotonic()
        ips = {f"p{i}": net.add_pod(key=f"p{i}", ports=PORTS) for i in range(20)}
        pods_time = time.monotonic() - start
        start = time.monotonic()
        sync_pods(net, ips, policies=[DENY_ALL])
        sync_time = time.monotonic() - start
        print(f"\nup: {up:.2f}s, 20 pods: {pods_time:.2f}s, first sync of 20: {sync_time:.2f}s")
        assert root_snapshot() == before  # nothing in the root netns while up
        sleeper = net.spawn("p0", ["sleep", "300"], uid=1000, gid=1000,
                            tools=net.toolset("netshoot"))
        pids = [p for n in nsutil.list_all() if n.startswith(net.instance) for p in nsutil.pids(n)]
        assert len(pids) >= 22  # 20 pod servers, dnsmasq, external server, sleeper
    finally:
        start = time.monotonic()
        net.down()
        print(f"down: {time.monotonic() - start:.2f}s")
    assert sleeper.wait(timeout=5) == -signal.SIGKILL
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or Path(f"/proc/{pid}/stat").read_text(
        ).split(") ")[1].startswith("Z"), f"process {pid} survived down()"
    assert leftovers(net.instance) == []
    assert not state.exists()
    assert root_snapshot() == before


def test_router_is_a_dead_end_for_unknown_addresses(net: Network) -> None:
    """Nothing can leave: the router has no default route and only lo + sandbox veths."""
    routes = nsutil.run(["ip", "-n", net.router_netns, "route", "show", "table", "all"])
    assert "default" not in routes
    links = nsutil.run(["ip", "-n", net.router_netns, "-o", "link", "show"])
    for line in links.splitlines():
        name = line.split(": ")[1].split("@")[0]
        assert name == "lo" or name.startswith(net.instance), line
    ip = net.add_pod(key="a", ports=PORTS)
    sync_pods(net, {"a": ip})
    r = probe(net, "a", ip="192.168.255.254", port=80, protocol="TCP")
    assert not r.ok and "unreachable" in r.output and r.elapsed < 0.9, r


def test_spawn_identity_tools_and_dns(net: Network) -> None:
    ip = net.add_pod(key="a", ports=PORTS)
    svc = {"metadata": {"name": "web", "namespace": "x"}, "spec": {
        "clusterIP": "10.96.0.20", "selector": {"app": "a"}, "ports": [{"port": 80}]}}
    sync_pods(net, {"a": ip}, services=[svc])

    def sh(script: str, toolset: str = "netshoot") -> str:
        p = net.spawn("a", ["sh", "-c", script], uid=1234, gid=4321,
                      tools=net.toolset(toolset), stdout=subprocess.PIPE,
                      stderr=subprocess.STDOUT)
        return p.communicate(timeout=10)[0].decode().strip()

    assert sh("id -u; id -g; id -G") == "1234\n4321\n4321"
    assert sh("echo $PATH") == str(net.toolset("netshoot"))
    assert sh("command -v python3 || echo none") == "none"
    assert sh("cat /etc/resolv.conf").startswith(f"nameserver {net.dns_ip}\nsearch x.svc.")
    assert sh("getent hosts web").split() == ["10.96.0.20", "web.x.svc.cluster.local"]
    assert sh("getent hosts github.com").split()[0] == EXT.address
    assert "status: NXDOMAIN" in sh("dig +time=1 +tries=1 no-such.example.org")
    assert sh("readlink $(command -v nc)", "busybox").endswith("busybox")
    assert sh("echo hi | nc -w 1 web 80", "busybox") == "hi"  # busybox nc, via DNS
    assert dig(net, "a", "web.x.svc.cluster.local", expect="10.96.0.20").ok
    assert probe(net, "a", ip=EXT.address, port=443, protocol="TCP").ok


def test_udp_drop_is_silent_not_eperm(net: Network) -> None:
    """Egress is enforced where pod traffic is forwarded, not in the pod's own namespace: the
    sender's send() succeeds (no EPERM); only the reply never comes."""
    ips = {k: net.add_pod(key=k, ports=PORTS) for k in ("a", "b")}
    sync_pods(net, ips, policies=[DENY_ALL])
    code = textwrap.dedent(f"""
        import socket
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)
        s.connect(({ips['b']!r}, 53)); print(s.send(b"x"))
        try: s.recv(9); print("reply")
        except TimeoutError: print("timeout")
        except OSError as e: print(e.errno)
    """)
    out = subprocess.run(["ip", "netns", "exec", net.pod_netns("a"), sys.executable, "-I",
                          "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["1", "timeout"], f"{out} (errno {errno.EPERM} = EPERM: local drop)"


def test_remove_pod_and_label_change(net: Network) -> None:
    ips = {k: net.add_pod(key=k, ports=PORTS) for k in ("a", "b", "c")}
    allow_b = {"metadata": {"name": "p", "namespace": "x"}, "spec": {
        "podSelector": {"matchLabels": {"app": "a"}},
        "ingress": [{"from": [{"podSelector": {"matchLabels": {"role": "client"}}}]}]}}
    sync_pods(net, ips, policies=[allow_b], labels={"b": {"role": "client"}})
    assert probe(net, "b", ip=ips["a"], port=80, protocol="TCP").ok
    assert not probe(net, "c", ip=ips["a"], port=80, protocol="TCP").ok
    sync_pods(net, ips, policies=[allow_b], labels={"c": {"role": "client"}})
    assert probe(net, "c", ip=ips["a"], port=80, protocol="TCP").ok
    assert not probe(net, "b", ip=ips["a"], port=80, protocol="TCP").ok
    ns_name = net.pod_netns("b")
    net.remove_pod("b")
    assert not nsutil.exists(ns_name) and not (nsutil.ETC_NETNS / ns_name).exists()
    del ips["b"]
    sync_pods(net, ips, policies=[allow_b], labels={"c": {"role": "client"}})
    with pytest.raises(KeyError):
        net.spawn("b", ["true"], uid=0, gid=0, tools=net.toolset("busybox"))


def test_two_instances_do_not_interfere(tmp_path: Path) -> None:
    require_sandbox()
    one = Network(instance=instance_name("i"), state_dir=tmp_path / "one")
    two = Network(instance=instance_name("j"), state_dir=tmp_path / "two")
    one.up()
    try:
        two.up()
        try:
            ips1 = {k: one.add_pod(key=k, ports=PORTS) for k in ("a", "b")}
            ips2 = {k: two.add_pod(key=k, ports=PORTS) for k in ("a", "b")}
            assert ips1 == ips2  # same addresses, separate worlds
            sync_pods(one, ips1, policies=[DENY_ALL])
            sync_pods(two, ips2)
            assert not probe(one, "a", ip=ips1["b"], port=80, protocol="TCP").ok
            assert probe(two, "a", ip=ips2["b"], port=80, protocol="TCP").ok
            one.down()
            assert leftovers(one.instance) == []
            assert probe(two, "a", ip=ips2["b"], port=53, protocol="UDP").ok
        finally:
            two.down()
    finally:
        one.down()


OWNER = """
import sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from tests.sandbox.network import ContainerPort, Network
net = Network(instance={inst!r}, state_dir=Path({state!r}))
net.up()
net.add_pod(key="a", ports=[ContainerPort(80)])
net.add_pod(key="b", ports=[ContainerPort(80)])
net.spawn("a", ["sleep", "300"], uid=1000, gid=1000, tools=net.toolset("netshoot"))
print("ready", flush=True)
time.sleep(300)
"""


def test_cleanup_stale_removes_dead_owner_leftovers_only(tmp_path: Path) -> None:
    require_sandbox()
    root = tmp_path / "states"
    dead = instance_name("d")
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER.format(root=str(ROOT), inst=dead,
                                            state=str(root / dead))],
        stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None and owner.stdout.readline().strip() == "ready"
    finally:
        owner.kill()
        owner.wait()
    assert leftovers(dead), "the killed owner should have left netns behind"
    inside = [p for n in nsutil.list_all() if n.startswith(dead) for p in nsutil.pids(n)]
    assert inside  # dnsmasq, pod servers, the sleeper: orphans now
    live = Network(instance=instance_name("l"), state_dir=root / "live")
    live.up()
    try:
        assert Network.cleanup_stale(state_root=root) == [dead]
        assert leftovers(dead) == []
        assert not (root / dead).exists()
        time.sleep(0.1)
        assert not [p for p in inside if Path(f"/proc/{p}").exists()
                    and "Z" not in Path(f"/proc/{p}/stat").read_text().split(") ")[1][:1]]
        assert leftovers(live.instance)  # a live owner is never touched
        assert Network.cleanup_stale(state_root=root) == []
    finally:
        live.down()
    assert list(root.iterdir()) == []
