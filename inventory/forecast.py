"""Pooled demand forecast from community signals and sales history (contract forecast.md).

One gradient-boosted Poisson model learns, across all SKUs, how saves, searches, likes,
comments and notes turn into purchases over the following days; each SKU's own history gives
the level. Quantiles come from a negative binomial around the predicted mean whose dispersion
and tail level are calibrated on the last `horizon` days held out from a first fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import stats
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from inventory import features
from inventory.planning_errors import PlanningError
from inventory.signals import SaleRow, SignalRow

_MAX_TRAIN_ROWS = 60_000
_MIN_TRAIN_ROWS = 300
_MIN_ORIGIN = 14  # days of history an origin needs before it teaches the model
MODEL = {"learning_rate": 0.1, "max_iter": 150, "max_leaf_nodes": 31, "min_samples_leaf": 40,
         "l2_regularization": 1.0}
_BLEND = 0.5
_TAIL_GRID = (0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.12, 0.14, 0.16, 0.20)


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
    """Negative binomial spread (variance = mu + dispersion * mu^2) and its tail level."""

    dispersion: float = 0.3
    tail: float = 0.10


def forecast(signals: list[SignalRow], sales: list[SaleRow], *, start: date, horizon: int,
             seed: int = 0, max_train_rows: int = _MAX_TRAIN_ROWS,
             threads: int | None = None) -> list[ForecastRow]:
    """Each SKU of either input x each day from `start` for `horizon` days; rows >= start unused."""
    if horizon < 1:
        raise PlanningError("horizon must be at least one day",
                            [{"field": "horizon", "reason": "must be a positive integer"}],
                            code="invalid_horizon")
    panel = features.build_panel(signals, sales, start=start)
    with threadpool_limits(threads):  # a busy shared machine thrashes with many threads
        means = predict_means(panel, horizon=horizon, seed=seed, max_train_rows=max_train_rows)
        calibration = calibrate(panel, horizon=horizon, seed=seed, max_train_rows=max_train_rows)
    return to_rows(panel, means, calibration)


def predict_means(panel: features.Panel, *, horizon: int, seed: int = 0,
                  origin: int | None = None, max_train_rows: int = _MAX_TRAIN_ROWS
                  ) -> np.ndarray:
    """Expected units (sku x horizon step) at `origin` (default: the panel's end)."""
    origin = panel.days if origin is None else origin
    model = _fit(panel, last_target=origin, horizon=horizon, seed=seed,
                 max_rows=max_train_rows)
    rows = features.at_origin(panel, origin, range(horizon))
    level = rows[:, features.LEVEL_COLUMN].reshape(len(panel.skus), horizon)
    if model is None:  # too little history to learn from: the signal-implied level alone
        boosted = np.nan_to_num(level, nan=0.0)
    else:
        boosted = model.predict(rows).reshape(len(panel.skus), horizon) * level
    # Averaging with the signal-implied level cuts the model's variance where a SKU's own
    # conversion is known; before the first sale only the pooled model knows launch timing.
    selling = (panel.first_sale < origin)[:, None]
    # the model gives the shape over the horizon (weekdays, decay); the average sets the level
    shape = boosted / np.maximum(boosted.mean(axis=1, keepdims=True), 1e-9)
    blended = (_BLEND * boosted + (1 - _BLEND) * level).mean(axis=1, keepdims=True) * shape
    means = np.where(selling, blended, boosted).clip(0.0)
    unseen = panel.first_signal.clip(max=panel.first_sale) >= origin
    means[unseen] = 0.0  # nothing known about it before the origin: nothing to forecast
    return means


def calibrate(panel: features.Panel, *, horizon: int, seed: int = 0,
              max_train_rows: int = _MAX_TRAIN_ROWS) -> Calibration:
    """Fit on all but the last `horizon` days, then size the spread to cover ~80% of those days."""
    origin = panel.days - horizon
    if origin < _MIN_ORIGIN + 1:
        return Calibration()
    mu = predict_means(panel, horizon=horizon, seed=seed, origin=origin,
                       max_train_rows=max_train_rows)
    actual = panel.sales[:, origin:origin + horizon]
    live = panel.first_signal.clip(max=panel.first_sale) < origin  # SKUs known at that origin
    mu, actual = mu[live].ravel(), actual[live].ravel()
    if mu.sum() <= 0:
        return Calibration()
    excess = float(((actual - mu) ** 2 - mu).sum())
    dispersion = float(np.clip(excess / float((mu ** 2).sum()), 0.01, 3.0))
    best = min(_TAIL_GRID, key=lambda tail: abs(_coverage(mu, actual, dispersion, tail) - 0.80))
    return Calibration(dispersion=dispersion, tail=best)


def to_rows(panel: features.Panel, means: np.ndarray, calibration: Calibration
            ) -> list[ForecastRow]:
    """Turn expected units into contract rows with calibrated integer quantiles."""
    lo, mid, hi = quantiles(means, calibration)
    out = []
    for i, sku in enumerate(panel.skus):
        for h in range(means.shape[1]):
            day = features.day_of(panel, panel.days + h)
            out.append(ForecastRow(sku, day, int(lo[i, h]), int(mid[i, h]), int(hi[i, h])))
    return out


def quantiles(mu: np.ndarray, calibration: Calibration
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Low, median and high negative binomial quantiles around means `mu` (ordered, >= 0)."""
    mu = np.maximum(np.asarray(mu, dtype=float), 1e-9)
    size = 1.0 / calibration.dispersion
    p = size / (size + mu)
    lo = stats.nbinom.ppf(calibration.tail, size, p)
    mid = stats.nbinom.ppf(0.5, size, p)
    hi = stats.nbinom.ppf(1.0 - calibration.tail, size, p)
    lo, mid, hi = (np.nan_to_num(q, nan=0.0).clip(0.0) for q in (lo, mid, hi))
    mid = np.maximum(mid, lo)
    return lo, mid, np.maximum(hi, mid)


def _coverage(mu: np.ndarray, actual: np.ndarray, dispersion: float, tail: float) -> float:
    lo, _, hi = quantiles(mu, Calibration(dispersion, tail))
    return float(((actual >= lo) & (actual <= hi)).mean())


def _fit(panel: features.Panel, *, last_target: int, horizon: int, seed: int, max_rows: int
         ) -> HistGradientBoostingRegressor | None:
    """Train on past origins whose targets all fall before `last_target`."""
    origins = list(range(_MIN_ORIGIN, last_target - horizon + 1))
    if not origins:
        return None
    stride = max(1, int(np.ceil(len(origins) * len(panel.skus) * horizon / max_rows)))
    xs, ys = [], []
    for origin in origins[::-stride]:
        known = panel.first_signal.clip(max=panel.first_sale) < origin
        rows = features.at_origin(panel, origin, range(horizon)).reshape(
            len(panel.skus), horizon, -1)
        xs.append(rows[known].reshape(-1, rows.shape[2]))
        ys.append(panel.sales[known, origin:origin + horizon].ravel())
    x, y = np.concatenate(xs), np.concatenate(ys)
    if len(y) < _MIN_TRAIN_ROWS or y.sum() <= 0:
        return None
    # Poisson on y / level weighted by level is Poisson on y with the level as an offset
    level = x[:, features.LEVEL_COLUMN]
    model = HistGradientBoostingRegressor(
        loss="poisson", early_stopping=False, categorical_features=[features.WEEKDAY_COLUMN],
        random_state=seed, **MODEL)
    return model.fit(x, y / level, sample_weight=level)
