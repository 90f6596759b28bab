"""Pooled demand forecast from community signals and sales history (contract forecast.md).

One gradient-boosted Poisson model learns, across all SKUs, how saves, searches, likes,
comments and notes turn into purchases over the following days; each SKU's own history gives
the level (for a SKU selling two months or more: its units per unit of intent over up to 16
weeks times its intent, with less weight on the model). Quantiles come from a negative
binomial around the predicted mean whose dispersion (by maximum likelihood, plus as much of
each SKU's own day-to-day lumpiness as makes those days likelier; for SKUs selling two months
or more one of their own, scaled by how far each one's level has strayed) and tail level (to
cover 80%) are calibrated on the last `horizon` days held out from a first fit. A SKU that
has signals but no sales yet is a mixture: nothing until it starts selling, then a negative
binomial; the chance it has started by each day comes from how long other SKUs waited between
their first signal and their first sale, tilted by its own intent, and its mean averages the
model with what other launches sold in their first days per unit of pre-launch intent
(`inventory.launches`). In its first 14 days of sales the model is averaged with the SKU's own
rate measured net of the release of its pre-launch demand; from the sales alone the model
learns how a launch's rush fades from every day of past launches' first weeks. Where units
per unit of intent have not forecast the SKUs' own past sales better than their plain sales
rate (signals exported under the wrong codes, or demand that mostly owes nothing to intent),
the forecast leans on, or becomes, the one from the sales alone, plus the extra units
intent's swings bring where those forecast better than chance (`swing_means`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from scipy import optimize, stats
from threadpoolctl import threadpool_limits

from inventory import boosting, features, launches
from inventory.planning_errors import PlanningError
from inventory.signals import SaleRow, SignalRow

_MAX_TRAIN_ROWS = 60_000
_MIN_TRAIN_ROWS = 300
_MIN_ORIGIN = 14  # days of history an origin needs before it teaches the model
MODEL = {"learning_rate": 0.1, "max_iter": 150, "max_leaf_nodes": 31, "min_samples_leaf": 40,
         "l2_regularization": 1.0}
_BLEND = 0.5
_LAUNCH_BLEND = 0.3  # weight of the model against the launch curve before a first sale
_SEASONED = 14  # days of sales before the blend with the SKU's own conversion starts
_EARLY_BLEND = 0.5  # weight of a young SKU's own launch path against the model
# The model's multiplier on the level is shrunk (power) and capped: its large corrections were
# mostly noise (over-forecast launches with a lot of pre-launch intent) on the tuning worlds.
# From the sales alone the level is a new seller's first days' sales, and a multiplier below 1
# is mostly its launch rush fading: kept whole there (new sellers 0.678 -> 0.657 on our worlds
# without signals, 1.043 -> 0.948 on the outside worlds 1-6).
_SHRINK = 0.8
_MAX_CORRECTION = 2.0
_FIRST_WEEK = 7  # days of sales in which a new seller's level is its rush (`_fit`)
_YOUNG_SHARE = 0.25  # at most this share of the training rows more for those first weeks
_OLD = 56  # days of sales after which a SKU's long-run conversion replaces the 28-day one
_OLD_BLEND = 0.3  # weight of the model against that long-run conversion level
_CONV_DAYS = 112  # at most this many days (after the launch rush) measure the conversion
# sales rates a SKU with little intent may lean on: 4, 8 or 16 weeks, or 16 weeks with the
# recent ones weighing most (a level that wanders is read best that way)
_RATE_WINDOWS: tuple[features.RateWindow, ...] = (
    (28, None), (56, None), (_CONV_DAYS, None), (_CONV_DAYS, 14.0), (_CONV_DAYS, 28.0))
_DAMP = 0.93  # daily decay of today's intent excess over its 4-week mean, in the horizon
_SKILL_FULL = 0.05  # signals' skill over the sales rate at which they are trusted in full
_CHANCE_SHIFTS = (1, 2, 3)  # SKUs the signals move to when measuring skill found by chance
_NOISE_WEIGHTS = (0.0, 0.5, 1.0)  # how much of each SKU's own lumpiness the spread may add
MAX_HORIZON = 365  # a year ahead; beyond that no signal says anything, and rows pile up
_MAX_DAILY = 10**9  # quantiles are capped here: only a broken export reaches it
_TAIL_GRID = (0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.12, 0.14, 0.16, 0.20)
_SHAPE_WEIGHTS = (0.0, 0.5, 1.0)  # how much of the model's day-to-day shape a seller keeps
_MIN_SETTLED = 5  # SKUs selling `_OLD` days or more needed to fit their spread apart


@dataclass(frozen=True)
class ForecastRow:
    """The 10th, 50th and 90th percentiles of units of one SKU sold on one day."""

    sku: str
    day: date
    p10: int
    p50: int
    p90: int


@dataclass(frozen=True)
class Calibration:
    """Negative binomial spread and its tail level: a SKU's variance is mu + d * mu^2 with
    d = dispersion + noise_weight x its own lumpiness (`features.own_dispersion`), or for
    SKUs selling `_OLD` days or more the `settled` pair (dispersion, noise_weight) where one
    was fitted; and how much of the model's day-to-day shape those SKUs keep (`flattened`)."""

    dispersion: float = 0.3
    tail: float = 0.10
    noise_weight: float = 0.0
    shape_weight: float = 1.0
    settled: tuple[float, float] | None = None

    def spread(self, noise: np.ndarray | None, settled: np.ndarray | None = None
               ) -> np.ndarray | float:
        """d per SKU (a column, to broadcast over the horizon), or one d without `noise`;
        `settled` (`settled_scale`) marks the SKUs selling `_OLD` days or more and scales
        their dispersion by how far their level has strayed."""
        if noise is None:
            return self.dispersion
        noise = np.asarray(noise)
        if self.settled is None or settled is None:
            return (self.dispersion + self.noise_weight * noise)[:, None]
        young = np.isnan(settled)
        dispersion = np.where(young, self.dispersion, self.settled[0] * np.nan_to_num(settled))
        weight = np.where(young, self.noise_weight, self.settled[1])
        return (dispersion + weight * noise)[:, None]


@dataclass(frozen=True)
class Forecast:
    """Forecast rows, and what the forecast did about faults it found in its inputs, in words
    for the people who buy against it (empty when it found none)."""

    rows: list[ForecastRow]
    notes: tuple[str, ...] = ()


def forecast(signals: list[SignalRow], sales: list[SaleRow], *, start: date, horizon: int,
             seed: int = 0, max_train_rows: int = _MAX_TRAIN_ROWS,
             threads: int | None = None) -> list[ForecastRow]:
    """Each SKU of either input x each day from `start` for `horizon` days; rows >= start unused."""
    return forecast_noted(signals, sales, start=start, horizon=horizon, seed=seed,
                          max_train_rows=max_train_rows, threads=threads).rows


def forecast_noted(signals: list[SignalRow], sales: list[SaleRow], *, start: date, horizon: int,
                   seed: int = 0, max_train_rows: int = _MAX_TRAIN_ROWS,
                   threads: int | None = None) -> Forecast:
    """`forecast`, with notes on the export faults it worked around (`export_notes`)."""
    if not 1 <= horizon <= MAX_HORIZON:
        raise PlanningError(f"horizon must be 1 to {MAX_HORIZON} days",
                            [{"field": "horizon", "reason": f"must be an integer from 1 to "
                              f"{MAX_HORIZON}"}], code="invalid_horizon")
    if start > date.max - timedelta(days=horizon):
        raise PlanningError("the horizon runs past the calendar",
                            [{"field": "start", "reason": "start plus horizon must end by "
                              "9999-12-31"}], code="invalid_horizon")
    if start < date.min + timedelta(days=features.MAX_HISTORY_DAYS):  # the panel reaches back
        raise PlanningError("the history runs before the calendar",
                            [{"field": "start", "reason": "must be on or after "
                              f"{date.min + timedelta(days=features.MAX_HISTORY_DAYS)}"}],
                            code="invalid_horizon")
    panel = features.build_panel(signals, sales, start=start)
    if not panel.skus:  # no SKU in either input: no rows to forecast
        return Forecast([])
    skill = features.signal_skill(panel, panel.days)
    trust = trust_of(skill)
    notes = export_notes(panel, skill, trust)
    with threadpool_limits(threads):  # a busy shared machine thrashes with many threads
        calibration = calibrate(panel, horizon=horizon, seed=seed, trust=trust,
                                max_train_rows=max_train_rows)
        means = predict_means(panel, horizon=horizon, seed=seed, trust=trust,
                              max_train_rows=max_train_rows,
                              shape_weight=calibration.shape_weight)
    panel = _as_read(panel, trust)
    started = launches.panel_start_odds(panel, origin=panel.days, horizon=horizon)
    noise = features.own_dispersion(panel, panel.days)
    return Forecast(to_rows(panel, means, calibration, started, noise,
                            settled_scale(panel, panel.days)), notes)


def predict_means(panel: features.Panel, *, horizon: int, seed: int = 0,
                  origin: int | None = None, trust: float = 1.0,
                  max_train_rows: int = _MAX_TRAIN_ROWS, shape_weight: float = 1.0
                  ) -> np.ndarray:
    """Expected units (sku x horizon step) at `origin` (default: the panel's end); with a
    `trust` in the signals below 1 (`signal_trust`), averaged with the forecast from the
    sales alone plus the swing of intent (`swing_means`), which is all of it at trust 0.
    SKUs selling `_OLD` days or more keep `shape_weight` of the model's day-to-day shape
    (`flattened`; `calibrate` chooses it)."""
    origin = panel.days if origin is None else origin
    pooled, swing = _mean_parts(panel, horizon=horizon, seed=seed, origin=origin, trust=trust,
                                max_train_rows=max_train_rows)
    return _shaped(pooled, swing, _selling_long(panel, origin), shape_weight)


def _mean_parts(panel: features.Panel, *, horizon: int, seed: int, origin: int, trust: float,
                max_train_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """`predict_means` in two parts: the pooled model's means (read with the signals and from
    the sales alone, mixed by `trust`), and the swing of intent to add to them."""
    fit = {"horizon": horizon, "seed": seed, "origin": origin, "max_train_rows": max_train_rows}
    # signals that tell nothing about sales (trust 0) are not fitted: as if none were exported
    means = _pooled_means(panel, **fit) if trust else 0.0
    if trust >= 1:
        return means, np.zeros_like(means)
    alone = _pooled_means(features.without_signals(panel), **fit)
    return (trust * means + (1 - trust) * alone,
            (1 - trust) * swing_means(panel, origin, horizon))


def _as_read(panel: features.Panel, trust: float) -> features.Panel:
    """The panel whose SKUs the forecast knows and whose start odds it reads: without its
    signals where they are set aside (trust 0), so a SKU known by them alone is not known."""
    return panel if trust else features.without_signals(panel)


def swing_means(panel: features.Panel, origin: int, horizon: int) -> np.ndarray:
    """`features.intent_swing` at `origin`, weighted as `trust_of` its skill at the fortnights
    before minus the skill it finds by chance: units a day to add to a forecast from the sales
    alone. Where the signals are set aside because most demand owes nothing to intent, its
    swings still move sales; the outside worlds' forecast gained by them.

    By chance: the mean skill with each SKU's intent moved 1, 2 and 3 SKUs on. It is
    0.001-0.025, as high as that of an export filed under the wrong codes (0.01-0.025, against
    0.05-0.07 on the outside worlds): that much is not the SKUs' own intent.
    """
    skill = features.swing_skill(panel, origin)
    if skill is None:
        return np.zeros((len(panel.skus), horizon))
    chance = np.mean([features.swing_skill(panel, origin, shift=shift) or 0.0
                      for shift in _CHANCE_SHIFTS])
    weight = trust_of(skill - float(chance))
    return weight * features.intent_swing(panel, origin, horizon)


def signal_trust(panel: features.Panel, origin: int) -> float:
    """1 where units per unit of intent have forecast the SKUs' sales at least `_SKILL_FULL`
    better than their sales rate alone, 0 where no better, in between pro rata; 1 with too
    little history to tell. Every level is built on intent: signals exported under the wrong
    SKUs made the forecast a third worse than the 28-day mean. Signals too thin to help (a
    hundredth of the worlds' volume) are better set aside too, launches' forecasts included."""
    return trust_of(features.signal_skill(panel, origin))


def trust_of(skill: float | None) -> float:
    """The trust `signal_trust` gives signals of this skill (None: too little history)."""
    return 1.0 if skill is None else float(np.clip(skill / _SKILL_FULL, 0.0, 1.0))


def export_notes(panel: features.Panel, skill: float | None, trust: float) -> tuple[str, ...]:
    """What the forecast will do about faults in the exports behind `panel`, one sentence
    each: a buyer should know that a signals file was short, a SKU's feed broke, or the
    signals were set aside, and check the export."""
    notes = []
    if panel.unexported:
        last = features.day_of(panel, panel.days - panel.unexported - 1)
        notes.append(f"the signals end {panel.unexported} day(s) before the sales (last day "
                     f"with intent {last}): each SKU's signals for the days after were taken "
                     f"as its mean of the week before")
    broken = np.flatnonzero(panel.filled > panel.unexported)
    if len(broken):
        named = ", ".join(f"{panel.skus[i]} ({panel.filled[i]} days)"
                          for i in broken[np.argsort(-panel.filled[broken], kind="stable")][:5])
        notes.append(f"{len(broken)} SKU(s) kept selling after their signals stopped: {named}"
                     f"{', ...' if len(broken) > 5 else ''}; their missing days were taken as "
                     f"the mean of the week before")
    if not panel.signals.any() and panel.sales.any():
        notes.append("the signals hold no activity before the start: every SKU is forecast "
                     "from its sales alone")
    elif trust < 1:
        share = "rests on" if not trust else f"leans {1 - trust:.0%} on"
        notes.append(f"the signals did not forecast the SKUs' past sales better than their "
                     f"sales rate did (skill {skill:+.2f} at past fortnights): too thin, or "
                     f"filed under the wrong SKUs? The forecast {share} the sales alone, "
                     f"adding what swings of intent brought where they beat chance")
    return tuple(notes)


def _pooled_means(panel: features.Panel, *, horizon: int, seed: int, origin: int,
                  max_train_rows: int) -> np.ndarray:
    """Expected units (sku x horizon step) at `origin` from the pooled model and the levels."""
    model = _fit(panel, last_target=origin, horizon=horizon, seed=seed,
                 max_rows=max_train_rows)
    rows = features.at_origin(panel, origin, range(horizon))
    level = rows[:, features.LEVEL_COLUMN].reshape(len(panel.skus), horizon)
    conversion = rows[:, features.CONVERSION_COLUMN].reshape(len(panel.skus), horizon)
    sold28, shown28 = features.recent_totals(panel, origin)
    days28 = np.clip(origin - panel.first_sale, 1, 28)
    conversion = features.trusted_rate(conversion, sold28[:, None], shown28[:, None],
                                       days28[:, None])
    # a SKU selling for two months: its conversion over up to 16 weeks is steadier than the
    # 28-day one, and less of the model is better there
    old = _selling_long(panel, origin)[:, None]
    if old.any():
        conversion = np.where(old, _long_run_level(panel, origin, horizon)[:, None], conversion)
    weight = np.where(old, _OLD_BLEND, _BLEND)
    if model is None:  # too little history to learn from: the signal-implied level alone
        boosted = np.nan_to_num(level, nan=0.0)
    else:
        correction = model.predict(rows).reshape(len(panel.skus), horizon)
        shrunk = correction ** _SHRINK
        if not panel.signals.any():  # a level from the sales alone: a fading rush kept whole
            shrunk = np.where(correction < 1, correction, shrunk)
        boosted = shrunk.clip(max=_MAX_CORRECTION) * level
    # Averaging with the SKU's own conversion times today's intent cuts the model's variance
    # once that conversion is known (the offset level's 7-day sales mean only added noise
    # there); before the first sale only the pooled model knows launch timing. In the first
    # two weeks of sales recent sales are mostly the launch-day rush of pent-up intent, which
    # fades: that conversion over-rates them, so they get a launch path of their own below.
    selling = (panel.first_sale <= origin - _SEASONED)[:, None]
    # the model gives the shape over the horizon (weekdays, decay); the average sets the level
    shape = boosted / np.maximum(boosted.mean(axis=1, keepdims=True), 1e-9)
    blended = (weight * boosted + (1 - weight) * conversion).mean(axis=1, keepdims=True) * shape
    means = np.where(selling, blended, boosted).clip(0.0)
    # first 14 days of sales: the model, averaged with the SKU's own rate net of the release
    early = launches.early_means(panel, origin=origin, horizon=horizon)
    young = ~np.isnan(early[:, 0])
    means[young] = (_EARLY_BLEND * early[young] * shape[young]
                    + (1 - _EARLY_BLEND) * means[young])
    waiting = (panel.first_signal < origin) & (panel.first_sale >= origin)
    if waiting.any():
        # two estimates of a launch not yet selling, each with its own error: averaging helped
        curve = launches.launch_means(panel, origin=origin, horizon=horizon)
        if curve is not None:
            means[waiting] = (_LAUNCH_BLEND * means[waiting]
                              + (1 - _LAUNCH_BLEND) * curve[waiting])
        else:  # no launch has sold yet to learn from: its rate once started, at the odds
            odds = launches.panel_start_odds(panel, origin=origin, horizon=horizon)
            means[waiting] *= odds[waiting]
    unseen = panel.first_signal.clip(max=panel.first_sale) >= origin
    means[unseen] = 0.0  # nothing known about it before the origin: nothing to forecast
    return means


def _long_run_level(panel: features.Panel, origin: int, horizon: int) -> np.ndarray:
    """Units per day over the horizon from the SKU's long-run units per unit of intent.

    Conversion: units / (saves + searches + comments) over up to `_CONV_DAYS` days before
    `origin`, skipping the first `_SEASONED` days of sales (the launch rush). Intent: half
    today's decayed intent, half a path on which its excess over the 4-week mean fades (bursts
    decay; the 4-week mean holds the usual rate of new ones). A SKU showing little intent leans
    on its sales rate over whichever of 4, 8 or 16 weeks (evenly weighted, or halving every 2
    or 4 weeks back) forecast the catalogue's past fortnights best (`features.steadiest_window`).
    """
    rows = np.arange(len(panel.skus))
    start = features.window_start(panel, origin, _CONV_DAYS, _SEASONED)
    sold = panel.sales_cum[:, origin] - panel.sales_cum[rows, start]
    shown = features.cumulative_intent(panel)
    ratio = sold / (shown[:, origin] - shown[rows, start] + 1.0)
    today = features.decayed_intent(panel, 0)[:, origin - 1]
    month = (shown[:, origin] - shown[:, max(origin - 28, 0)]) / max(min(origin, 28), 1)
    fading = month[:, None] + (today - month)[:, None] * _DAMP ** np.arange(1, horizon + 1)
    width, half_life = features.steadiest_window(panel, origin, _RATE_WINDOWS, _SEASONED, _OLD,
                                                 beside=_OLD_BLEND)
    rate = features.rate_since(panel, origin, width, _SEASONED, half_life)  # units a day
    return features.trusted_rate(ratio * 0.5 * (today + fading.mean(axis=1)), rate,
                                 shown[:, origin] - shown[rows, start], 1.0)


def calibrate(panel: features.Panel, *, horizon: int, seed: int = 0, trust: float = 1.0,
              max_train_rows: int = _MAX_TRAIN_ROWS) -> Calibration:
    """Fit on all but the last `horizon` days, then size the spread to cover ~80% of those days."""
    origin = panel.days - horizon
    if origin < _MIN_ORIGIN + 1:
        return Calibration()
    pooled, swing = _mean_parts(panel, horizon=horizon, seed=seed, origin=origin, trust=trust,
                                max_train_rows=max_train_rows)
    panel = _as_read(panel, trust)
    actual = panel.sales[:, origin:origin + horizon]
    old = _selling_long(panel, origin)
    # A seller's days ahead differ by weekday and by how its recent bursts fade. Where the
    # model's reading of that missed the held-out days (sales that owe little to signals,
    # weekdays drowned in lumpy orders), a flatter path forecast them better.
    paths = {weight: _shaped(pooled, swing, old, weight) for weight in _SHAPE_WEIGHTS}
    misses = [float(np.abs(actual[old] - paths[weight][old]).sum()) for weight in _SHAPE_WEIGHTS]
    shape_weight = _SHAPE_WEIGHTS[int(np.argmin(misses))] if old.any() else 1.0
    mu = paths[shape_weight]
    live = panel.first_signal.clip(max=panel.first_sale) < origin  # SKUs known at that origin
    started = launches.panel_start_odds(panel, origin=origin, horizon=horizon)
    noise = features.own_dispersion(panel, origin)[live]
    mu, actual, started = mu[live], actual[live], started[live]
    settled = settled_scale(panel, origin)[live]
    old = ~np.isnan(settled)
    if mu.sum() <= 0:
        return Calibration()
    # One dispersion over every known SKU, plus as much of each SKU's own lumpiness as makes the
    # held-out days likelier: sizing launches' apart (the mixture carries the start's own
    # uncertainty) made their medians lower and worse on the tuning worlds. SKUs selling
    # `_OLD` days or more get one of their own: the launches' uncertainty (a dispersion of
    # 2.7 against their 0.2 in a small catalogue) set a steady best seller's median at 314 a
    # day where it sold 500, and one bulk-order product every seller's.
    dispersion, weight = _dispersion_fit(mu, actual, started, noise)
    fitted = Calibration(dispersion=dispersion, noise_weight=weight, shape_weight=shape_weight)
    if old.sum() >= _MIN_SETTLED:
        fitted = dataclasses.replace(fitted, settled=_dispersion_fit(
            mu[old], actual[old], started[old], noise[old], settled[old][:, None]))
    shares = coverages(mu, actual, started, fitted.spread(noise, settled), _TAIL_GRID)
    best = min(zip(_TAIL_GRID, shares, strict=True), key=lambda pair: abs(pair[1] - 0.80))[0]
    return dataclasses.replace(fitted, tail=best)


def _dispersion_fit(mu: np.ndarray, actual: np.ndarray, started: np.ndarray,
                    noise: np.ndarray, scale: np.ndarray | float = 1.0) -> tuple[float, float]:
    """(dispersion, noise weight) under which `actual` is likeliest, the weight one of
    `_NOISE_WEIGHTS` (`max_likelihood_dispersion`, the dispersion times `scale`)."""
    fits = [(*max_likelihood_dispersion(mu, actual, started, weight * noise[:, None], scale),
             weight) for weight in _NOISE_WEIGHTS]
    dispersion, _, weight = min(fits, key=lambda fit: fit[1])
    return dispersion, weight


def settled_scale(panel: features.Panel, origin: int) -> np.ndarray:
    """For SKUs selling `_OLD` days or more, how far their level has strayed from its 28-day
    rate (`features.level_dispersion`), the multiplier of their dispersion; NaN for the rest.
    A steady best seller's level strays little, and one dispersion for all its seasoned peers
    gave it a p10-p90 of 238-816 where it sold 460-540 a day."""
    return np.where(_selling_long(panel, origin), features.level_dispersion(panel, origin),
                    np.nan)


def _selling_long(panel: features.Panel, origin: int) -> np.ndarray:
    """SKUs selling `_OLD` days or more at `origin`: past their launch's path."""
    return panel.first_sale <= origin - _OLD


def _shaped(pooled: np.ndarray, swing: np.ndarray, chosen: np.ndarray, weight: float
            ) -> np.ndarray:
    """Expected units from `_mean_parts`: the pooled path, the `chosen` SKUs keeping `weight`
    of its shape (`flattened`), plus the swing of intent, whole."""
    return (flattened(pooled, chosen, weight) + swing).clip(0.0)


def flattened(means: np.ndarray, chosen: np.ndarray, weight: float) -> np.ndarray:
    """`means` (sku x horizon step) with the `chosen` SKUs' day-to-day shape around their mean
    over the horizon raised to `weight` (0: flat, 1: as it is), their totals kept."""
    if weight == 1:
        return means
    mean = means.mean(axis=1, keepdims=True)
    shaped = mean * (means / np.maximum(mean, 1e-9)) ** weight
    shaped *= mean / np.maximum(shaped.mean(axis=1, keepdims=True), 1e-9)
    return np.where(chosen[:, None], shaped, means)


def max_likelihood_dispersion(mu: np.ndarray, actual: np.ndarray, started: np.ndarray,
                              extra: np.ndarray | float = 0.0, scale: np.ndarray | float = 1.0
                              ) -> tuple[float, float]:
    """The dispersion (within [0.01, 3]) under which `actual` is most likely, each day's units
    being 0 with chance 1 - `started` and otherwise negative binomial with mean mu / started
    and dispersion it + `extra` (the distribution `quantiles` reads); and that minimum's
    negative log-likelihood. By moments instead, one launch missed by hundreds of units set it
    for the whole forecast, up to 3, where every median is a fraction of its mean.
    """
    odds, mean = _once_started(mu, started)
    with np.errstate(divide="ignore"):  # log(0) of waiting for a SKU sure to be selling
        waiting, starting = np.log1p(-odds), np.log(odds)

    def loss(log_dispersion: float) -> float:
        size = 1.0 / (np.exp(log_dispersion) * scale + extra)
        selling = starting + stats.nbinom.logpmf(actual, size, size / (size + mean))
        # in logs throughout: a zero day's chance underflows where a large mean is sure to sell
        return -float(np.where(actual > 0, selling, np.logaddexp(waiting, selling)).sum())

    fit = optimize.minimize_scalar(loss, bounds=(np.log(0.01), np.log(3.0)), method="bounded")
    return float(np.exp(fit.x)), float(fit.fun)


def to_rows(panel: features.Panel, means: np.ndarray, calibration: Calibration,
            started: np.ndarray | None = None, noise: np.ndarray | None = None,
            settled: np.ndarray | None = None) -> list[ForecastRow]:
    """Turn expected units into contract rows with calibrated integer quantiles."""
    lo, mid, hi = quantiles(means, calibration, started, noise, settled)
    out = []
    for i, sku in enumerate(panel.skus):
        for h in range(means.shape[1]):
            day = features.day_of(panel, panel.days + h)
            out.append(ForecastRow(sku, day, int(lo[i, h]), int(mid[i, h]), int(hi[i, h])))
    return out


def quantiles(mu: np.ndarray, calibration: Calibration, started: np.ndarray | None = None,
              noise: np.ndarray | None = None, settled: np.ndarray | None = None
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Low, median and high quantiles (ordered, >= 0) of units with means `mu` (each SKU's
    lumpiness `noise` widening its spread, `settled` SKUs spread as seasoned sellers, as the
    calibration says).

    With chance `started` (default 1) of selling at all that day: zero otherwise, else a negative
    binomial with mean mu / started. Its median (the WAPE-optimal point) is 0 while a start is
    less likely than not, and above the plain median once a start is likely.
    """
    odds, mean = _once_started(mu, started)
    size = 1.0 / calibration.spread(noise, settled)
    p = size / (size + mean)

    def ppf(q: float) -> np.ndarray:
        inner = 1.0 - (1.0 - q) / odds  # <= 0: the zero of not selling yet covers q
        return np.where(inner > 0, stats.nbinom.ppf(inner.clip(0.0, 1.0), size, p), 0.0)

    lo, mid, hi = (np.nan_to_num(ppf(q), nan=0.0).clip(0.0, _MAX_DAILY)
                   for q in (calibration.tail, 0.5, 1.0 - calibration.tail))
    mid = np.maximum(mid, lo)
    return lo, mid, np.maximum(hi, mid)


def _once_started(mu: np.ndarray, started: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The chance of selling at all each day (default 1) and the mean units once selling."""
    mu = np.maximum(np.asarray(mu, dtype=float), 1e-9)
    odds = np.ones_like(mu) if started is None else np.clip(started, 1e-6, 1.0)
    return odds, mu / odds


def coverages(mu: np.ndarray, actual: np.ndarray, started: np.ndarray,
              dispersion: np.ndarray | float, tails: tuple[float, ...]) -> list[float]:
    """For each tail, the share of `actual` inside the [tail, 1 - tail] quantiles `quantiles`
    gives. From two CDFs per day (lo <= a iff cdf(a) >= q; hi >= a iff cdf(a - 1) < q), not a
    quantile search per tail: the search was a sixth of a 2,000-SKU forecast."""
    odds, mean = _once_started(mu, started)
    size = 1.0 / dispersion
    p = size / (size + mean)
    at = stats.nbinom.cdf(actual, size, p)
    below = np.where(actual > 0, stats.nbinom.cdf(actual - 1, size, p), 0.0)
    shares = []
    for tail in tails:  # levels of the negative binomial once started, as `quantiles` reads
        low, high = 1.0 - (1.0 - tail) / odds, 1.0 - tail / odds
        inside = (at >= low) & ((actual == 0) | (below < high))
        shares.append(float(inside.mean()))
    return shares


def _origin_rows(panel: features.Panel, origin: int, horizon: int,
                 chosen: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and targets of the `chosen` SKUs (default: all) at `origin`, each
    horizon step a row."""
    rows = features.at_origin(panel, origin, range(horizon)).reshape(
        len(panel.skus), horizon, -1)
    targets = panel.sales[:, origin:origin + horizon]
    if chosen is not None:
        rows, targets = rows[chosen], targets[chosen]
    return rows.reshape(-1, rows.shape[2]), targets.ravel()


def _fit(panel: features.Panel, *, last_target: int, horizon: int, seed: int, max_rows: int
         ) -> boosting.PoissonBooster | None:
    """Train on past origins whose targets all fall before `last_target`: one in `stride`
    where all would pass `max_rows` (and, from the sales alone, a new seller's first week at
    every one)."""
    origins = list(range(_MIN_ORIGIN, last_target - horizon + 1))
    if not origins:
        return None
    # count only SKUs seen before the targets end: one first seen later (a row on or after the
    # start) must not change which origins are sampled, or future rows would move the forecast
    seen = int((panel.first_signal.clip(max=panel.first_sale) < last_target).sum())
    stride = max(1, int(np.ceil(len(origins) * seen * horizon / max_rows)))
    sampled = set(origins[::-stride])
    # From the sales alone the model is all a new seller's path is learnt from, and a world
    # has a dozen or so launches: one origin in `stride` caught a launch in its first days of
    # sales about once, so the rush was rarely seen fading. A seller in its first week (its
    # level is then its sales since the first, rush and all) is taken at every origin, each
    # row weighing 1 / stride as a sampled row stands for stride. Its whole first fortnight
    # so taken made our 300-SKU worlds' new sellers worse (0.571 -> 0.605).
    # Where launches are many (hundreds in a 2,000-SKU catalogue) their rows are thinned too,
    # to a quarter of `max_rows` (every origin tripled that forecast's fit), each row then
    # weighing young_stride / stride; their features come from a panel of them alone.
    ages = np.asarray(origins)[:, None] - panel.first_sale  # (origin, SKU): days of sales
    young = (ages >= 1) & (ages < _FIRST_WEEK) & (not panel.signals.any())
    young_stride = min(stride, max(1, int(np.ceil(young.sum() * horizon
                                                  / (max_rows * _YOUNG_SHARE)))))
    taken = set(origins[::-young_stride])
    lumpiness = features.own_dispersion(panel, last_target)
    parts = []  # (feature rows, targets, each row's SKU's lumpiness, row weight)
    for k, origin in reversed(list(enumerate(origins))):
        known = (panel.first_signal.clip(max=panel.first_sale) < origin) & ~young[k]
        if origin in sampled and known.any():
            parts.append((*_origin_rows(panel, origin, horizon, known),
                          np.repeat(lumpiness[known], horizon), 1.0))
        if origin in taken and young[k].any():
            chosen = np.flatnonzero(young[k])
            parts.append((*_origin_rows(features.take(panel, chosen), origin, horizon),
                          np.zeros(len(chosen) * horizon), young_stride / stride))
    if not parts:  # no SKU known at any origin taken
        return None
    xs, ys, lumps, shares = zip(*parts, strict=True)
    x, y = np.concatenate(xs), np.concatenate(ys)
    if len(y) < _MIN_TRAIN_ROWS or y.sum() <= 0:
        return None
    weight = np.concatenate([np.full(len(t), share) for t, share in zip(ys, shares, strict=True)])
    # Poisson on y / level weighted by level is Poisson on y with the level as an offset. A
    # row's weight is its level over 1 + lumpiness x level, the weight a negative binomial's
    # variance gives it: by the level alone, a product sold in bulk orders of thousands on one
    # day in four taught the model that large levels mean few sales, and a steady best seller
    # was forecast at a fifth to four fifths of its rate. (By the SKU's rate instead of the
    # row's level, our 300-SKU worlds' launches went 0.660 -> 0.674.) A launch's first week is
    # its rush whatever its lumpiness, and the fade is learnt from those rows alone: weighed
    # down too, the outside worlds' new sellers went 0.794 -> 0.879.
    level = x[:, features.LEVEL_COLUMN]
    weight *= level / (1.0 + np.concatenate(lumps) * level)
    model = boosting.PoissonBooster(categorical=[features.WEEKDAY_COLUMN], seed=seed, **MODEL)
    return model.fit(x, y / level, weight)
