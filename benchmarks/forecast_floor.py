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
from datetime import date, timedelta

import numpy as np
from forecast import world_arguments  # the sibling benchmark: both score the same worlds
from scipy import stats

from inventory import backtest, worlds

_GRID = np.arange(0, 2000)


def mixture_median(means: list[float]) -> int:
    """Median of an equal mixture of Poisson counts with these means."""
    cdf = np.mean([stats.poisson.cdf(_GRID, m) if m > 0 else np.ones(len(_GRID))
                   for m in means], axis=0)
    return int(_GRID[np.argmax(cdf >= 0.5)])


def score(seed: int, sums: dict[tuple[str, str], float], *, skus: int, days: int,
          origins: int, horizon: int) -> None:
    """Add one world's |error| sums per group and forecaster into `sums`."""
    world = worlds.generate(seed, skus=skus, days=days)
    units, first_sale = backtest.index_sales(world.sales)
    first_signal: dict[str, date] = {}
    for r in sorted(world.signals, key=lambda r: r.day):
        first_signal.setdefault(r.sku, r.day)
    lo_gap, hi_gap = worlds.LAUNCH_GAP
    for origin in world.origins(origins, horizon):
        at = (origin - world.first_day).days
        for sku, mean in world.mean_units.items():
            sold = first_sale.get(sku)
            groups = ["overall"] + (["launches"] if backtest.is_launch(sold, origin) else [])
            seen = first_signal.get(sku, origin)
            waiting = (sold is None or sold >= origin) and seen < origin
            if waiting:
                groups.append("not yet selling")
            start = world.launch_day[sku]
            true_start = (start - world.first_day).days if start else days
            waited = (origin - seen).days
            shifts = range(max(lo_gap - waited, 0), max(hi_gap - waited, 0) + 1)
            after = np.array(mean[true_start:] + (mean[-1],) * (horizon + 1))
            base = backtest.mean28(units, sku, origin)
            for h in range(horizon):
                actual = units[(sku, origin + timedelta(days=h))]
                expected = mean[at + h]
                oracle = stats.poisson.ppf(0.5, expected) if expected > 0 else 0
                blind = oracle
                if waiting and true_start >= at:
                    blind = mixture_median([after[h - s] if h >= s else 0.0 for s in shifts])
                for g in groups:
                    sums[(g, "units")] += actual
                    sums[(g, "mean28")] += abs(actual - base)
                    sums[(g, "oracle")] += abs(actual - oracle)
                    sums[(g, "timing-blind")] += abs(actual - blind)


def main() -> None:
    args = world_arguments(argparse.ArgumentParser()).parse_args()
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for seed in worlds.parse_seeds(args.seeds):
        score(seed, sums, skus=args.skus, days=args.days, origins=args.origins,
              horizon=args.horizon)
    print(f"seeds {args.seeds}: WAPE as a multiple of the 28-day mean's (goal for the model: "
          f"overall <= 0.85, launches <= 0.70)")
    print(f"{'group':<18}{'units':>9}{'mean28':>8}{'oracle':>8}{'timing-blind':>14}")
    for g in ("overall", "launches", "not yet selling"):
        base = sums[(g, "mean28")] or float("nan")
        print(f"{g:<18}{sums[(g, 'units')]:>9.0f}{sums[(g, 'mean28')] / sums[(g, 'units')]:>8.3f}"
              f"{sums[(g, 'oracle')] / base:>8.3f}{sums[(g, 'timing-blind')] / base:>14.3f}")


if __name__ == "__main__":
    main()
