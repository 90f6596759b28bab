"""Seeded synthetic worlds of community signals and sales, for tests and backtests.

Each SKU has a latent interest that drives both what the community does and what sells:
creator bursts that decay over days, launches seeded by creators before the first sale, bot
spikes of likes that never convert, and a weekly shopping rhythm per category. Conversion from
interest to purchases varies per SKU, so signals tell the shape and sales history the level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from inventory.signals import SaleRow, SignalRow

CATEGORIES = ("skincare", "makeup", "haircare", "wellness")
# Weekly rhythm (Mon..Sun) per category before per-world jitter: evenings and weekends differ.
_RHYTHM = {
    "skincare": (1.00, 0.95, 0.95, 1.00, 1.05, 1.15, 1.10),
    "makeup": (0.85, 0.85, 0.90, 1.00, 1.20, 1.30, 1.05),
    "haircare": (1.10, 1.00, 1.00, 0.95, 0.95, 1.00, 1.10),
    "wellness": (1.25, 1.10, 1.00, 0.95, 0.90, 0.85, 0.95),
}


@dataclass(frozen=True)
class Shape:
    """How a world's market behaves. The defaults are the worlds the model was built on; the
    named variants in `SHAPES` move one trait each, to check the model on markets it was not
    tuned for (an outside scorer's data will differ from ours in ways we cannot know)."""

    launch_gap: tuple[int, int] = (5, 21)  # days from a launch's first post to its first sale
    base_units: float = 4.0  # median interest of a SKU, in units of demand a day
    drift_sd: float = 0.02  # daily log random walk of interest: trends up and down
    bursts_per_day: float = 1 / 28  # creator posts after launch
    conversion_sd: float = 0.25  # log spread of units per unit of interest between SKUs
    delay: tuple[float, float] = (2.0, 6.0)  # mean days from intent to purchase
    signal_scale: float = 1.0  # signals per unit of interest (audience size of the platform)
    bots_per_day: float = 1 / 45
    rhythm_amplitude: float = 1.0  # 0: no weekly rhythm
    size: tuple[float, float] = (6.0, 20.0)  # negative binomial size: smaller is lumpier
    pent_share: float = 0.5  # share of pre-launch intent that buys in the first days of sale


SHAPES: dict[str, Shape] = {
    "default": Shape(),
    "quick-launch": Shape(launch_gap=(0, 4)),
    "slow-launch": Shape(launch_gap=(14, 45)),
    "low-volume": Shape(base_units=0.5),
    "high-volume": Shape(base_units=40.0),
    "trending": Shape(drift_sd=0.06),
    "bursty": Shape(bursts_per_day=1 / 7),
    "varied-conversion": Shape(conversion_sd=0.7),
    "slow-buyers": Shape(delay=(6.0, 14.0)),
    "loud": Shape(signal_scale=20.0),
    "quiet": Shape(signal_scale=0.1),
    "whisper": Shape(signal_scale=0.01),
    "bots": Shape(bots_per_day=1 / 8),
    "flat-week": Shape(rhythm_amplitude=0.0),
    "lumpy": Shape(size=(0.8, 3.0)),
    "no-pent-demand": Shape(pent_share=0.0),
}


@dataclass(frozen=True)
class World:
    """One generated world: its rows, the category of each SKU and each SKU's first sale day."""

    signals: list[SignalRow]
    sales: list[SaleRow]
    categories: dict[str, str]
    first_day: date
    days: int
    launch_day: dict[str, date | None]
    mean_units: dict[str, tuple[float, ...]]  # the true expected units per day, for oracles
    # expected units per unit of intent (saves + searches + comments) at the same interest,
    # before the weekly rhythm: before a SKU sells, its signals tell only part of it
    units_per_intent: dict[str, float]

    def until(self, day: date) -> tuple[list[SignalRow], list[SaleRow]]:
        """Rows dated strictly before `day` (what a forecaster standing on `day` may see)."""
        return ([r for r in self.signals if r.day < day], [r for r in self.sales if r.day < day])

    def origins(self, count: int, horizon: int, every: int = 14) -> list[date]:
        """The last `count` forecast origins, `every` days apart, each with `horizon` days left."""
        last = self.days - horizon
        return [self.first_day + timedelta(days=last - every * k) for k in range(count)]


def parse_seeds(text: str) -> list[int]:
    """World seeds from '7001,7002' or a range '40001-40012' (both ends included)."""
    if "-" in text:
        lo, hi = text.split("-")
        return list(range(int(lo), int(hi) + 1))
    return [int(s) for s in text.split(",")]


def generate(seed: int, *, skus: int = 60, days: int = 180, launch_share: float = 0.3,
             first_day: date = date(2026, 1, 5), shape: Shape = Shape()) -> World:
    """Generate a world of `skus` products over `days` days, reproducible from `seed`."""
    rng = np.random.default_rng(seed)
    rhythm = {c: _amplified(np.array(r), shape.rhythm_amplitude) * rng.lognormal(0.0, 0.05, 7)
              for c, r in _RHYTHM.items()}
    signals: list[SignalRow] = []
    sales: list[SaleRow] = []
    categories: dict[str, str] = {}
    launch_day: dict[str, date | None] = {}
    mean_units: dict[str, tuple[float, ...]] = {}
    units_per_intent: dict[str, float] = {}
    for i in range(skus):
        sku = f"W{seed % 1000:03d}-{i:04d}"
        category = CATEGORIES[int(rng.integers(len(CATEGORIES)))]
        categories[sku] = category
        is_launch = rng.random() < launch_share
        interest, sale_start, seeded_from = _interest(rng, days, is_launch, shape)
        launch_day[sku] = first_day + timedelta(days=sale_start) if sale_start < days else None
        counts, intent_rate = _signals(rng, interest, seeded_from, shape)
        mean, conversion = _mean_units(rng, interest, sale_start, rhythm[category], first_day,
                                       shape)
        mean_units[sku] = tuple(float(m) for m in mean)
        units_per_intent[sku] = conversion / intent_rate
        size = rng.uniform(*shape.size)  # negative binomial: variance = mean + mean^2 / size
        units = rng.negative_binomial(size, size / (size + mean))
        for t in range(days):
            day = first_day + timedelta(days=t)
            if counts[t].any():
                signals.append(SignalRow(day, sku, *(int(v) for v in counts[t])))
            if units[t] > 0:
                sales.append(SaleRow(day, sku, int(units[t])))
    return World(signals, sales, categories, first_day, days, launch_day, mean_units,
                 units_per_intent)


def _amplified(rhythm: np.ndarray, amplitude: float) -> np.ndarray:
    """The weekly rhythm with its swing around 1 scaled (1 leaves it exactly as it is)."""
    return rhythm if amplitude == 1.0 else 1.0 + amplitude * (rhythm - 1.0)


def _interest(rng: np.random.Generator, days: int, is_launch: bool, shape: Shape
              ) -> tuple[np.ndarray, int, int]:
    """Latent interest per day (in units of demand), the first sale day and first signal day."""
    t = np.arange(days)
    base = rng.lognormal(np.log(shape.base_units), 0.9)
    drift = np.exp(np.cumsum(rng.normal(0.0, shape.drift_sd, days)))
    interest = base * drift
    seeded_from, sale_start = 0, 0
    if is_launch:
        seeded_from = int(rng.integers(10, days - 10))
        sale_start = seeded_from + int(rng.integers(shape.launch_gap[0],
                                                    shape.launch_gap[1] + 1))
        # before launch only the creators' seeding exists; the level ramps up after the launch
        ramp = np.clip((t - seeded_from) / max(sale_start - seeded_from + 10, 1), 0.0, 1.0)
        interest = interest * ramp
        interest += _burst(t, seeded_from, base * rng.uniform(1.5, 5.0), rng.uniform(5, 14))
        interest += _burst(t, sale_start, base * rng.uniform(1.0, 4.0), rng.uniform(4, 10))
    for start in np.flatnonzero(rng.random(days) < shape.bursts_per_day):
        if start >= seeded_from:
            interest += _burst(t, int(start), base * rng.lognormal(0.3, 0.7), rng.uniform(2, 10))
    return interest, sale_start, seeded_from


def _burst(t: np.ndarray, start: int, height: float, tau: float) -> np.ndarray:
    """A creator's post: interest jumps on `start` then decays with time constant `tau` days."""
    return np.where(t >= start, height * np.exp(-(t - start) / tau), 0.0)


def _signals(rng: np.random.Generator, interest: np.ndarray, seeded_from: int, shape: Shape
             ) -> tuple[np.ndarray, float]:
    """Daily notes, likes, saves, comments, shares, searches driven by interest, plus bots;
    and the expected saves + comments + searches per unit of interest."""
    days = len(interest)
    reach = rng.lognormal(0.0, 0.5) * shape.signal_scale  # visibility per unit of demand
    rates = np.array([0.08, 12.0, 2.5, 0.8, 0.4, 1.5]) * rng.lognormal(0.0, 0.3, 6) * reach
    lam = interest[:, None] * rates[None, :]
    counts = rng.poisson(lam)
    counts[:, 0] += rng.poisson(np.diff(interest, prepend=interest[0]).clip(0) * 0.3)
    # bought engagement: a burst of likes (and a few shares) with no saves or comments
    for day in np.flatnonzero(rng.random(days) < shape.bots_per_day):
        if day >= seeded_from:
            width = int(rng.integers(1, 3))
            bought = rates[1] * interest.max() * rng.uniform(3, 12)
            counts[day:day + width, 1] += rng.poisson(bought)
    counts[:seeded_from] = 0
    return counts, float(rates[2] + rates[3] + rates[5])


def _mean_units(rng: np.random.Generator, interest: np.ndarray, sale_start: int,
                rhythm: np.ndarray, first_day: date, shape: Shape) -> tuple[np.ndarray, float]:
    """Expected daily units and units per unit of interest: intent converts over the following
    days (people save, then buy).

    Intent shown before a launch waits: part of it converts in the first days of sale.
    """
    days = len(interest)
    conversion = rng.lognormal(0.0, shape.conversion_sd)
    delay = rng.uniform(*shape.delay)  # mean days from intent to purchase
    lags = np.arange(21)
    kernel = (lags + 1.0) * np.exp(-(lags + 1.0) / (delay / 2.0))
    kernel /= kernel.sum()
    converted = np.convolve(interest, kernel)[:days]
    if 0 < sale_start < days:
        waiting = shape.pent_share * converted[:sale_start].sum()
        after = np.arange(days - sale_start)
        pent = np.exp(-after / rng.uniform(2.0, 6.0))
        converted[sale_start:] += waiting * pent / pent.sum()
    weekday = np.array([rhythm[(first_day.weekday() + t) % 7] for t in range(days)])
    mean = conversion * converted * weekday
    mean[:sale_start] = 0.0
    return mean, float(conversion)
