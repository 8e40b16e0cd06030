"""CLI: `python -m tests.sandbox up|down|status|serve`.

up      start a sandbox in the background; prints `export KUBECONFIG=...`
down    stop it and remove every namespace, process, rule and file it created
status  show what runs
serve   (internal) the server process itself, in the foreground
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tests.sandbox import instances


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.sandbox")
    sub = ap.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="start a sandbox in the background")
    up.add_argument("--scenario", type=Path, required=True)
    up.add_argument("--state-dir", type=Path)
    up.add_argument("--fake-network", action="store_true",
                    help="control plane only (no root; pods get IPs but no network)")
    up.add_argument("--http", action="store_true", help="plain HTTP instead of HTTPS")
    down = sub.add_parser("down", help="stop and remove sandboxes")
    down.add_argument("--state-dir", type=Path,
                      help=f"one instance (default: all under {instances.STATE_ROOT})")
    sub.add_parser("status", help="show running sandboxes")
    srv = sub.add_parser("serve", help=argparse.SUPPRESS)
    srv.add_argument("--scenario", type=Path)
    srv.add_argument("--state-dir", type=Path, required=True)
    srv.add_argument("--instance", required=True)
    srv.add_argument("--network", choices=("real", "fake"), default="real")
    srv.add_argument("--http", action="store_true")
    srv.add_argument("--users-json", default="[]")
    srv.add_argument("--timing-json", default="{}")
    a = ap.parse_args(argv)

    if a.cmd == "serve":
        from tests.sandbox.server import ServerOptions, run

        run(ServerOptions(scenario=a.scenario, state_dir=a.state_dir, instance=a.instance,
                          network=a.network, tls=not a.http,
                          users=tuple(json.loads(a.users_json)),
                          timing=json.loads(a.timing_json)))
        return 0
    if a.cmd == "up":
        inst = instances.new_instance()
        state = a.state_dir or instances.STATE_ROOT / inst
        info = instances.start(scenario=a.scenario, state_dir=state.resolve(), instance=inst,
                               network="fake" if a.fake_network else "real",
                               tls=not a.http)
        print(f"# sandbox {inst}: {info['url']}, {info['pods']} pods ready in "
              f"{info['startup_seconds']}s; state in {state}", file=sys.stderr)
        print(f"export KUBECONFIG={info['kubeconfig']}")
        return 0
    if a.cmd == "down":
        targets = [a.state_dir] if a.state_dir else instances.list_instances()
        for t in targets:
            for note in instances.stop(t.resolve()):
                print(f"{t}: {note}")
            print(f"{t}: removed")
        if not targets:
            print("no sandbox found")
        return 0
    if a.cmd == "status":
        found = instances.list_instances()
        for t in found:
            st = t / "state.json"
            info = json.loads(st.read_text()) if st.exists() else {}
            pid = (t / "server.pid").read_text().strip() if (t / "server.pid").exists() else "?"
            alive = pid != "?" and instances._alive(int(pid))
            print(f"{t.name}: pid {pid} {'running' if alive else 'DEAD'} "
                  f"{info.get('url', '(not serving)')} kubeconfig={info.get('kubeconfig', '-')}")
        if not found:
            print("no sandbox running")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
