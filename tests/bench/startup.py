"""Start-up benchmark: `--help` of the frozen bundle vs the venv's console script.

    .venv/bin/python -m tests.bench.startup [--binary dist/kubectl-netpoltest/kubectl-netpoltest]
    .venv/bin/python -m tests.bench.startup --runs 5 -- plan -o json examples/original-groups.yaml

Prints medians and the ratio; it never asserts on time (machines differ, CI runners are noisy).
The target is a median of at most 0.5 s for `--help` through the binary. The one-folder bundle
(build/build.py) does not unpack itself on each run as the one-file binary did (0.63-0.78 s);
the benchmark also catches an eager import (such as the kubernetes client) that would make every
`--help` slower in both.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Timing:
    label: str
    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def time_command(*, label: str, argv: Sequence[str], runs: int) -> Timing:
    """Run `argv` once to warm the page cache, then `runs` times; wall-clock seconds each."""
    subprocess.run(argv, check=True, capture_output=True)
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        seconds.append(time.perf_counter() - started)
    return Timing(label=label, seconds=tuple(seconds))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="--help start-up: binary vs venv")
    parser.add_argument(
        "--binary", type=Path, default=ROOT / "dist" / "kubectl-netpoltest" / "kubectl-netpoltest"
    )
    parser.add_argument(
        "--script", type=Path, default=Path(sys.executable).parent / "kubectl-netpoltest"
    )
    parser.add_argument("--runs", type=int, default=7)
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--") if "--" in argv else len(argv)
    command = argv[split + 1 :] or ["--help"]  # the arguments to time, after "--"
    args = parser.parse_args(argv[:split])
    timings = []
    for label, program in (("binary", args.binary), ("venv", args.script)):
        if not program.exists():
            print(f"{label}: {program} not found, skipped", file=sys.stderr)
            continue
        timings.append(time_command(label=label, argv=[str(program), *command], runs=args.runs))
    for timing in timings:
        runs = " ".join(f"{s:.3f}" for s in timing.seconds)
        print(f"{timing.label:<7} median {timing.median:.3f} s   runs: {runs}")
    if len(timings) == 2:
        print(f"ratio   binary/venv {timings[0].median / timings[1].median:.2f}x")
    if args.binary.exists():
        folder = args.binary.parent
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        print(f"size    {size / 1e6:.1f} MB ({folder})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
