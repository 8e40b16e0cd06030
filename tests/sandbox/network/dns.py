"""Cluster DNS: a real dnsmasq in the DNS pod's netns (the sandbox's kube-system/coredns).

Records come from one hosts file that `update` rewrites and reloads with SIGHUP. Unknown
names get NXDOMAIN (`--local=/#/`: nothing is forwarded anywhere — there is no upstream).
`update` returns only once dnsmasq answers a per-generation marker name, so a `sync` that
changes records is visible to the very next probe.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from . import netns

MARKER_DOMAIN = "sandbox-generation.invalid"


def resolv_conf(*, nameserver: str, namespace: str | None) -> str:
    search = ["svc.cluster.local", "cluster.local"]
    if namespace:
        search.insert(0, f"{namespace}.svc.cluster.local")
    return f"nameserver {nameserver}\nsearch {' '.join(search)}\noptions ndots:5\n"


class Dnsmasq:
    """One dnsmasq process; `ip` is its pod IP, `query_from` a netns that can reach it."""

    def __init__(self, *, netns_name: str, ip: str, state_dir: Path, query_from: str) -> None:
        self._netns = netns_name
        self._ip = ip
        self._dir = state_dir
        self._query_from = query_from
        self._hosts = state_dir / "dns-hosts"
        self._generation = 0
        self._records: list[tuple[str, str]] | None = None
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> subprocess.Popen[bytes]:
        self._dir.mkdir(parents=True, exist_ok=True)
        self._write([])
        self.process = subprocess.Popen(
            [
                "ip", "netns", "exec", self._netns,
                "dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts",
                "--no-poll", "--local=/#/", "--user=root", "--group=root",
                "--port=53", "--cache-size=0", f"--addn-hosts={self._hosts}",
                f"--pid-file={self._dir / 'dnsmasq.pid'}",
                f"--log-facility={self._dir / 'dnsmasq.log'}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C to the control plane must not kill DNS
        )
        self._await_generation()
        return self.process

    def _write(self, records: Sequence[tuple[str, str]]) -> None:
        lines = [f"127.0.0.{self._generation % 250 + 1} gen{self._generation}.{MARKER_DOMAIN}"]
        lines += [f"{ip} {name}" for name, ip in records]
        tmp = self._hosts.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n")
        tmp.replace(self._hosts)

    def update(self, records: Sequence[tuple[str, str]]) -> None:
        records = sorted(set(records))
        if records == self._records:
            return
        self._generation += 1
        self._write(records)
        assert self.process is not None
        self.process.send_signal(signal.SIGHUP)
        self._await_generation()
        self._records = records

    def _await_generation(self, timeout: float = 5.0) -> None:
        name = f"gen{self._generation}.{MARKER_DOMAIN}"
        deadline = time.monotonic() + timeout
        while True:
            out = subprocess.run(
                ["ip", "netns", "exec", self._query_from, "dig", "+short", "+time=1",
                 "+tries=1", f"@{self._ip}", name, "A"],
                capture_output=True, text=True, check=False,
            ).stdout.strip()
            if out.startswith("127."):
                return
            if self.process is not None and self.process.poll() is not None:
                raise netns.CommandError(f"dnsmasq exited: see {self._dir / 'dnsmasq.log'}")
            if time.monotonic() > deadline:
                raise netns.CommandError(f"dnsmasq does not answer {name}")
            time.sleep(0.02)
