"""How well could anyone forecast the generated worlds? Bounds for benchmarks/forecast.py.

For the same worlds, origins and groups as the forecast benchmark, prints the WAPE (as a
multiple of the 28-day-mean baseline's) of two forecasters that know the generator's secrets:

- oracle: the Poisson median of each day's true expected units (it knows the future creator bursts,
  the start day of every launch and every SKU's conversion);
- timing-blind: for SKUs not yet selling at the origin, the same true path after the start,
  but the start day only as the generator draws it (uniform over `worlds.LAUNCH_GAP`, given
  the days already waited); the median of that mixture each day.

The pooled forecast cannot beat the oracle; the timing-blind figure is the floor for launches
not yet selling, since their start day is not in any signal the generator emits.

Usage: .venv/bin/python benchmarks/forecast_floor.py [--seeds 40001-40012]
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import numpy as np
from scipy import stats

from inventory import worlds

_GRID = np.arange(0, 2000)


def mixture_median(means: list[float]) -> int:
    """Median of an equal mixture of Poisson counts with these means."""
    cdf = np.mean([stats.poisson.cdf(_GRID, m) if m > 0 else np.ones(len(_GRID))
                   for m in means], axis=0)
    return int(_GRID[np.argmax(cdf >= 0.5)])


def score(seed: int, sums: dict[tuple[str, str], float], *, days: int, origins: int,
          horizon: int, launch_days: int = 14) -> None:
    """Add one world's |error| sums per group and forecaster into `sums`."""
    world = worlds.generate(seed, days=days)
    units: dict[tuple[str, int], int] = defaultdict(int)
    first_sale: dict[str, int] = {}
    for r in world.sales:
        t = (r.day - world.first_day).days
        units[(r.sku, t)] += r.units
        first_sale[r.sku] = min(first_sale.get(r.sku, t), t)
    first_signal: dict[str, int] = {}
    for r in world.signals:
        t = (r.day - world.first_day).days
        first_signal[r.sku] = min(first_signal.get(r.sku, t), t)
    lo_gap, hi_gap = worlds.LAUNCH_GAP
    for k in range(origins):
        origin = days - horizon - 14 * k
        for sku, mean in world.mean_units.items():
            sold = first_sale.get(sku, days)
            start = world.launch_day[sku]
            true_start = (start - world.first_day).days if start else days
            groups = ["overall"]
            if sold >= origin - launch_days + 1:
                groups.append("launches")
            waiting = sold >= origin and sku in first_signal and first_signal[sku] < origin
            if waiting:
                groups.append("not yet selling")
            waited = origin - first_signal.get(sku, origin)
            shifts = range(max(lo_gap - waited, 0), max(hi_gap - waited, 0) + 1)
            after = np.array(mean[true_start:] + (mean[-1],) * (horizon + 1))
            base = sum(units[(sku, origin - j)] for j in range(1, 29)) / 28
            for h in range(horizon):
                actual = units[(sku, origin + h)]
                oracle = stats.poisson.ppf(0.5, mean[origin + h]) if mean[origin + h] > 0 else 0
                blind = oracle
                if waiting and true_start >= origin:
                    blind = mixture_median([after[h - s] if h >= s else 0.0 for s in shifts])
                for g in groups:
                    sums[(g, "units")] += actual
                    sums[(g, "mean28")] += abs(actual - base)
                    sums[(g, "oracle")] += abs(actual - oracle)
                    sums[(g, "timing-blind")] += abs(actual - blind)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="7001,7002,7003")
    parser.add_argument("--days", type=int, default=200)
    parser.add_argument("--origins", type=int, default=4)
    parser.add_argument("--horizon", type=int, default=14)
    args = parser.parse_args()
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for seed in worlds.parse_seeds(args.seeds):
        score(seed, sums, days=args.days, origins=args.origins, horizon=args.horizon)
    print(f"seeds {args.seeds}: WAPE as a multiple of the 28-day mean's (goal for the model: "
          f"overall <= 0.85, launches <= 0.70)")
    print(f"{'group':<18}{'units':>9}{'mean28':>8}{'oracle':>8}{'timing-blind':>14}")
    for g in ("overall", "launches", "not yet selling"):
        base = sums[(g, "mean28")] or float("nan")
        print(f"{g:<18}{sums[(g, 'units')]:>9.0f}{sums[(g, 'mean28')] / sums[(g, 'units')]:>8.3f}"
              f"{sums[(g, 'oracle')] / base:>8.3f}{sums[(g, 'timing-blind')] / base:>14.3f}")


if __name__ == "__main__":
    main()
