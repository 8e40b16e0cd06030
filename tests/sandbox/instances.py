"""Starting, finding and stopping sandbox server processes (shared by the CLI and fixture).

Each instance has a state dir holding `server.pid`, `server.log`, `state.json` (written once
it serves: url, kubeconfig, tokens) and the data plane's own records, so `down` can clean up
after a crash too.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STATE_ROOT = Path(os.environ.get("NETPOLTEST_SANDBOX_STATE", "/tmp/netpoltest-sandbox"))


def new_instance() -> str:
    return "s" + secrets.token_hex(3)  # 7 chars of [a-z0-9], as the data plane requires


def start(*, scenario: Path | None, state_dir: Path, instance: str, network: str = "real",
          tls: bool = True, users: tuple[dict, ...] = (), timing: dict | None = None,
          timeout: float = 90.0) -> dict:
    """Spawn `python -m tests.sandbox serve` detached; return its state.json once ready."""
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "instance").write_text(instance)
    args = [sys.executable, "-m", "tests.sandbox", "serve", "--state-dir", str(state_dir),
            "--instance", instance, "--network", network]
    if scenario is not None:
        args += ["--scenario", str(scenario)]
    if not tls:
        args.append("--http")
    if users:
        args += ["--users-json", json.dumps(list(users))]
    if timing:
        args += ["--timing-json", json.dumps(timing)]
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    with (state_dir / "server.log").open("ab") as logf:
        proc = subprocess.Popen(args, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                                stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)
    (state_dir / "server.pid").write_text(str(proc.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        st = state_dir / "state.json"
        if st.exists():
            return json.loads(st.read_text())
        if proc.poll() is not None:
            tail = (state_dir / "server.log").read_text()[-4000:]
            stop(state_dir)
            raise RuntimeError(f"sandbox server exited with {proc.returncode}:\n{tail}")
        time.sleep(0.05)
    stop(state_dir)
    raise TimeoutError(f"sandbox not ready after {timeout}s; see {state_dir / 'server.log'}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child of ours counts as dead
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


def stop(state_dir: Path, *, timeout: float = 20.0, remove: bool = True) -> list[str]:
    """SIGTERM the server (it tears its network down), SIGKILL if it hangs, then remove
    leftovers of dead instances and the state dir. Returns notes on what was done."""
    notes = []
    pidf = state_dir / "server.pid"
    if pidf.exists():
        pid = int(pidf.read_text())
        if _alive(pid):
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if _alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                notes.append(f"killed unresponsive server {pid}")
            else:
                notes.append(f"stopped server {pid}")
    network_kind = "real"
    with contextlib.suppress(OSError, ValueError):
        network_kind = json.loads((state_dir / "state.json").read_text()).get("network", "real")
    if network_kind == "real" and os.geteuid() == 0:
        try:
            from tests.sandbox.network import Network

            # dead instances' records also live in /run/netpoltest-sandbox, always scanned
            cleaned = Network.cleanup_stale(state_root=state_dir)
            notes += [f"removed leftovers of {c}" for c in cleaned]
        except Exception as exc:  # keep removing what we can
            notes.append(f"cleanup_stale failed: {exc}")
    if remove:
        shutil.rmtree(state_dir, ignore_errors=True)
    return notes


def list_instances(root: Path = STATE_ROOT) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.iterdir() if (p / "instance").exists())
