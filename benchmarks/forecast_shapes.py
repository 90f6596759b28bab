"""Backtest the forecast on markets unlike the default worlds, one trait moved at a time.

Usage: .venv/bin/python benchmarks/forecast_shapes.py [--seeds 100001-100006]
                                                      [--shapes quick-launch,lumpy] [--jobs 2]

Each shape (`inventory/worlds.py` SHAPES) changes one thing about the market: how long launches
are seeded before sale, volumes, trends, how much conversion differs between SKUs, how slowly
people buy after showing intent, how loud the platform is, bots, the weekly rhythm, lumpy
sales, pent-up launch demand. The model was built on the default shape only, so a shape where
it falls behind the 28-day mean, or where p10-p90 stops covering about 80%, is a market an
outside scorer could bring and we would fail on. One line per shape; WAPE as a multiple of the
28-day mean's, pooled over the worlds and origins (as benchmarks/forecast.py).
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor

from forecast import (  # the sibling benchmark
    fault_arguments,
    merge,
    score_world,
    spread,
    world_arguments,
)

from inventory import backtest, worlds


def main() -> None:
    parser = fault_arguments(world_arguments(argparse.ArgumentParser()))
    parser.set_defaults(seeds="100001-100006")
    parser.add_argument("--shapes", default=",".join(worlds.SHAPES))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    shapes = args.shapes.split(",")
    unknown = [name for name in shapes if name not in worlds.SHAPES]
    if unknown:
        parser.error(f"unknown shape {', '.join(unknown)}; one of: {', '.join(worlds.SHAPES)}")
    seeds = worlds.parse_seeds(args.seeds)
    print(f"seeds {args.seeds} ({args.skus} SKUs x {args.days} days), {args.origins} origins, "
          f"horizon {args.horizon}; model WAPE as a multiple of the 28-day mean's "
          f"(goals: overall <= 0.85, launches <= 0.70)")
    print(f"{'shape':<18}{'units':>8}{'overall':>9}{'+-':>7}{'x lastwk':>10}{'launches':>10}"
          f"{'+-':>7}{'not sell':>10}{'new sell':>10}{'p10-p90':>9}{'seconds':>9}")
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for name in shapes:
            began = time.perf_counter()
            parts = list(pool.map(score_world, seeds, [name] * len(seeds),
                                  [args] * len(seeds)))
            total = backtest.Report(origins=[], horizon=args.horizon)
            for part in parts:
                merge(total, part)
            o, la = total.overall, total.launches
            print(f"{name:<18}{o.units:>8.0f}{o.ratio():>9.3f}"
                  f"{spread([p.overall for p in parts]):>7.3f}{o.ratio('last_week'):>10.3f}"
                  f"{la.ratio():>10.3f}{spread([p.launches for p in parts]):>7.3f}"
                  f"{total.not_selling.ratio():>10.3f}{total.new_sellers.ratio():>10.3f}"
                  f"{o.coverage:>9.1%}{time.perf_counter() - began:>9.0f}", flush=True)


if __name__ == "__main__":
    main()
