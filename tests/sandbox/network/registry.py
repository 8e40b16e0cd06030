"""Who owns which sandbox: owner records, and removal of a dead owner's leftovers.

Each instance writes `owner.json` (owner pid + its start time, against pid reuse; the netns
it made; its directories) to its state dir and to /run/netpoltest-sandbox/<instance>/. A record
whose owner is gone marks leftovers that `cleanup_stale` may remove; a live owner's never are.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from . import netns

RUN_ROOT = Path("/run/netpoltest-sandbox")
INSTANCE_RE = re.compile(r"[a-z0-9]{3,8}")


@dataclass(frozen=True)
class OwnerRecord:
    instance: str
    pid: int
    start_time: int
    netns: tuple[str, ...]
    state_dir: str
    run_dir: str


def start_time(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rpartition(")")[2].split()[19])


def alive(record: OwnerRecord) -> bool:
    return start_time(record.pid) == record.start_time


def write(record: OwnerRecord) -> None:
    data = json.dumps(asdict(record), indent=1)
    for d in (Path(record.state_dir), Path(record.run_dir)):
        d.mkdir(parents=True, exist_ok=True)
        tmp = d / "owner.json.tmp"
        tmp.write_text(data)
        tmp.replace(d / "owner.json")


def read(path: Path) -> OwnerRecord | None:
    try:
        raw = json.loads(path.read_text())
        raw["netns"] = tuple(raw["netns"])
        rec = OwnerRecord(**raw)
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return rec if INSTANCE_RE.fullmatch(rec.instance) else None


def remove_instance(record: OwnerRecord) -> None:
    """Everything an instance may have left: its netns (recorded or by prefix), their
    processes and /etc/netns dirs, its run dir and its state dir."""
    names = set(record.netns) | {
        n for n in netns.list_all() if n.startswith(f"{record.instance}-")
    }
    for name in sorted(names):
        netns.destroy(name)
    for stale in netns.ETC_NETNS.glob(f"{record.instance}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    shutil.rmtree(record.run_dir, ignore_errors=True)
    shutil.rmtree(record.state_dir, ignore_errors=True)


def cleanup_stale(*, state_root: Path) -> list[str]:
    """Remove the leftovers of every dead instance found under state_root or /run."""
    paths = [*RUN_ROOT.glob("*/owner.json")]
    if state_root.exists():
        for depth in ("*/owner.json", "*/*/owner.json", "*/*/*/owner.json"):
            paths += state_root.glob(depth)
    cleaned: list[str] = []
    for path in paths:
        rec = read(path)
        if rec is None or rec.instance in cleaned or alive(rec):
            continue
        remove_instance(rec)
        cleaned.append(rec.instance)
        parent = Path(rec.state_dir).parent
        if parent != state_root and state_root in parent.parents:
            with contextlib.suppress(OSError):
                parent.rmdir()  # the control plane's per-instance dir, if now empty
    return cleaned
