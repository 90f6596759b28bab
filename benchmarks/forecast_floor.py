"""How well could anyone forecast the generated worlds? Bounds for benchmarks/forecast.py.

For the same worlds, origins and groups as the forecast benchmark, prints the WAPE (as a
multiple of the 28-day-mean baseline's) of two forecasters that know the generator's secrets:

- oracle: the Poisson median of each day's true expected units (it knows the future creator bursts,
  the start day of every launch and every SKU's conversion);
- timing-blind: for SKUs not yet selling at the origin, the same true path after the start,
  but the start day only as the generator draws it (uniform over the shape's `launch_gap`, given
  the days already waited); the median of that mixture each day;
- rate-blind: timing-blind, and for SKUs not yet selling also blind to how many units a unit
  of the SKU's intent buys: it knows only how that rate is spread over the world's SKUs
  (`World.units_per_intent`), so each day it takes the median of the mixture over start days
  and rates; every other SKU as the oracle.

The pooled forecast cannot beat the oracle; the timing-blind figure bounds launches not yet
selling, since their start day is not in any signal the generator emits. The rate-blind one
is nearer what a forecaster can reach for them, but not a bound: it still knows their future
interest, while a forecaster can read part of the rate from how loud the launch is and from
how many posts its debut drew per unit of intent (`inventory.launches.signal_mix`), which it
does not.

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

_RATE_QUANTILES = np.linspace(0.05, 0.95, 10)


def mixture_median(means: list[float] | np.ndarray) -> int:
    """Median of an equal mixture of Poisson counts with these means."""
    means = np.asarray(means, dtype=float)
    grid = np.arange(0, int(means.max(initial=0.0) * 2 + 30))
    cdf = stats.poisson.cdf(grid[None, :], means[:, None]).mean(axis=0)
    return int(grid[np.argmax(cdf >= 0.5)])


def score(seed: int, sums: dict[tuple[str, str], float], *, skus: int, days: int,
          origins: int, horizon: int, shape: worlds.Shape) -> None:
    """Add one world's |error| sums per group and forecaster into `sums`."""
    world = worlds.generate(seed, skus=skus, days=days, shape=shape)
    units, first_sale = backtest.index_sales(world.sales)
    first_signal: dict[str, date] = {}
    for r in sorted(world.signals, key=lambda r: r.day):
        first_signal.setdefault(r.sku, r.day)
    lo_gap, hi_gap = shape.launch_gap
    rates = np.quantile(list(world.units_per_intent.values()), _RATE_QUANTILES)
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
                blind = rate_blind = oracle
                if waiting and true_start >= at:
                    paths = [after[h - s] if h >= s else 0.0 for s in shifts]
                    blind = mixture_median(paths)
                    scales = rates / world.units_per_intent[sku]
                    rate_blind = mixture_median(np.outer(paths, scales).ravel())
                for g in groups:
                    sums[(g, "units")] += actual
                    sums[(g, "mean28")] += abs(actual - base)
                    sums[(g, "oracle")] += abs(actual - oracle)
                    sums[(g, "timing-blind")] += abs(actual - blind)
                    sums[(g, "rate-blind")] += abs(actual - rate_blind)


def main() -> None:
    args = world_arguments(argparse.ArgumentParser()).parse_args()
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for seed in worlds.parse_seeds(args.seeds):
        score(seed, sums, skus=args.skus, days=args.days, origins=args.origins,
              horizon=args.horizon, shape=worlds.SHAPES[args.shape])
    print(f"seeds {args.seeds}: WAPE as a multiple of the 28-day mean's (goal for the model: "
          f"overall <= 0.85, launches <= 0.70)")
    print(f"{'group':<18}{'units':>9}{'mean28':>8}{'oracle':>8}{'timing-blind':>14}"
          f"{'rate-blind':>12}")
    for g in ("overall", "launches", "not yet selling"):
        base = sums[(g, "mean28")] or float("nan")
        print(f"{g:<18}{sums[(g, 'units')]:>9.0f}{sums[(g, 'mean28')] / sums[(g, 'units')]:>8.3f}"
              f"{sums[(g, 'oracle')] / base:>8.3f}{sums[(g, 'timing-blind')] / base:>14.3f}"
              f"{sums[(g, 'rate-blind')] / base:>12.3f}")


if __name__ == "__main__":
    main()
