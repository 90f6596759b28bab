"""How long `fulfilment forecast` takes, and how much memory, as the catalogue grows.

Usage: .venv/bin/python benchmarks/forecast_scale.py [--skus 60,500,2000] [--days 365]

Each size is a generated world (`inventory.worlds`) written to the contract's CSV files; the
real command runs on them in its own process, start-up and file parsing included, forecasting
14 days from the day after the data ends. Peak memory is that process's maximum resident set.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from inventory import signals, worlds

COMMAND = Path(sys.executable).parent / "fulfilment"


def run_once(folder: Path, start: str) -> tuple[float, float]:
    """Seconds and peak MB of one `fulfilment forecast` on the files in `folder`."""
    began = time.perf_counter()
    subprocess.run([str(COMMAND), "forecast", "--signals", str(folder / "signals.csv"),
                    "--sales", str(folder / "sales.csv"), "--start", start, "--horizon", "14",
                    "--out", str(folder / "forecast.csv")], check=True, capture_output=True)
    seconds = time.perf_counter() - began
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skus", default="60,500,2000")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # folder start: one child
    args = parser.parse_args()
    if args.one:  # a fresh process per size, so the peak is that run's alone
        seconds, peak = run_once(Path(args.one[0]), args.one[1])
        print(f"{seconds:.1f} {peak:.0f}")
        return
    print(f"{'SKUs':>6} {'days':>5} {'signal rows':>12} {'sales rows':>11} {'seconds':>8} "
          f"{'peak MB':>8}")
    for skus in (int(s) for s in args.skus.split(",")):
        world = worlds.generate(args.seed, skus=skus, days=args.days)
        start = (world.first_day + timedelta(days=args.days)).isoformat()
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "signals.csv").write_text(signals.signals_to_csv(world.signals))
            (folder / "sales.csv").write_text(signals.sales_to_csv(world.sales))
            child = subprocess.run([sys.executable, __file__, "--one", tmp, start], check=True,
                                   capture_output=True, text=True)
        seconds, peak = child.stdout.split()
        print(f"{skus:>6} {args.days:>5} {len(world.signals):>12,} {len(world.sales):>11,} "
              f"{seconds:>8} {peak:>8}", flush=True)


if __name__ == "__main__":
    main()
