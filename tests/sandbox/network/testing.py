"""Test support for the data plane: the root/tool gate and a concurrent prober.

Imported only by tests (it imports pytest). Sandbox tests need root and Linux: without them
they skip loudly, except under CI=true, where a skip would hide a broken runner, so they fail.
A missing tool always fails (when root): the sandbox cannot be faithful without it.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest

from .network import Network
from .toolsets import missing_tools


def require_sandbox() -> None:
    why = None
    if not sys.platform.startswith("linux"):
        why = "the sandbox data plane needs Linux (network namespaces, nftables)"
    elif os.geteuid() != 0:
        why = "the sandbox data plane needs root (ip netns, nft); run the tests as root"
    if why is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {why}")
        pytest.skip(f"SANDBOX TESTS SKIPPED: {why}")
    missing = missing_tools()
    if missing:
        pytest.fail(f"sandbox tools missing: {', '.join(missing)} (apt: nftables iproute2 "
                    "dnsmasq-base netcat-openbsd dnsutils busybox util-linux)")


def instance_name(prefix: str = "t") -> str:
    return f"{prefix}{secrets.token_hex(3)}"[:8]


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    elapsed: float
    output: str


def probe(
    net: Network, key: str, *, ip: str, port: int, protocol: str, uid: int = 1000,
    timeout: int = 1,
) -> ProbeResult:
    """TCP: nc -z connect. UDP: a payload that must come back (the servers echo)."""
    token = f"probe-{secrets.token_hex(4)}"
    if protocol == "TCP":
        argv = ["nc", "-z", "-v", "-w", str(timeout), ip, str(port)]
    elif protocol == "UDP":
        argv = ["sh", "-c", f"printf {token} | nc -u -w {timeout} {ip} {port}"]
    else:
        raise ValueError(f"cannot probe {protocol}")
    return _run(net, key, argv, uid=uid, check=(lambda out: token in out)
                if protocol == "UDP" else None)


def dig(net: Network, key: str, name: str, *, expect: str, uid: int = 1000) -> ProbeResult:
    argv = ["dig", "+short", "+time=1", "+tries=1", name]
    return _run(net, key, argv, uid=uid, check=lambda out: expect in out.split())


def _run(net: Network, key: str, argv: list[str], *, uid: int, check: object) -> ProbeResult:
    start = time.monotonic()
    proc = net.spawn(key, argv, uid=uid, gid=uid, tools=net.toolset("netshoot"),
                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    text = out.decode(errors="replace")
    ok = check(text) if callable(check) else proc.returncode == 0
    return ProbeResult(ok=bool(ok), elapsed=time.monotonic() - start,
                       output=(text + err.decode(errors="replace")).strip())
