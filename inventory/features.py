"""Feature rows for the pooled forecast: what is known about a SKU at an origin day.

A `Panel` holds dense day-by-SKU arrays of sales and signals. `at_origin` turns the history
strictly before an origin into one row per SKU and horizon step, so training (many past
origins) and forecasting (the real origin) use exactly the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from itertools import islice
from operator import attrgetter

import numpy as np

from inventory.signals import SIGNAL_FIELDS, SaleRow, SignalRow, collector_paused

_HALF_LIVES = (2.0, 7.0)
_SAVES, _LIKES, _COMMENTS, _SEARCHES = (SIGNAL_FIELDS.index(f)
                                        for f in ("saves", "likes", "comments", "searches"))
_INTENT = [_SAVES, _SEARCHES, _COMMENTS]  # the signals that convert into purchases
# target weekday is the first column so the model can treat it as categorical
WEEKDAY_COLUMN = 0
_ORIGIN_FEATURES = 32
NEVER = 10**6  # the day index of a first signal or sale that has not happened
RateWindow = tuple[int, float | None]  # days of a sales rate, and the half-life its days decay by
LEVEL_COLUMN = -1  # a prior level (units/day) the model corrects multiplicatively
# the SKU's own units per unit of intent over 28 days x today's decayed intent (units/day):
# after the weekday, horizon step and three same-weekday columns
CONVERSION_COLUMN = 5
_SKU_SILENCE = 0.001  # one SKU's silence must be this unlikely: at 1% thin-signal SKUs were caught
MAX_HISTORY_DAYS = 365  # days before the start a panel holds
INTENT_PRIOR = 10.0  # intent (saves + searches + comments) at which its ratio counts half


@dataclass(frozen=True)
class Panel:
    """Sales (sku x day) and signals (sku x day x field) from `day0` for `days` days."""

    skus: tuple[str, ...]
    day0: date
    days: int
    sales: np.ndarray
    signals: np.ndarray
    first_signal: np.ndarray  # day index of a SKU's first signal, or a big number
    first_sale: np.ndarray
    sales_cum: np.ndarray  # cumulative sums with a leading zero column, for window sums
    ewm: np.ndarray  # (sku, day, field, half-life): decayed signal levels through each day
    sales_ewm: np.ndarray  # (sku, day, 2): decayed sales through each day
    # trailing days of signals the export lacked, filled by `_carried_forward`: per SKU, and
    # for the whole catalogue (an export that ends before the sales)
    filled: np.ndarray
    unexported: int = 0


def build_panel(signals: list[SignalRow], sales: list[SaleRow], *, start: date) -> Panel:
    """Arrange the rows of the `MAX_HISTORY_DAYS` before `start` into dense arrays, keeping the
    SKUs of all rows. Trailing days whose signals the export evidently lacks are filled
    (`_carried_forward`)."""
    skus = tuple(sorted({r.sku for r in signals} | {r.sku for r in sales}))
    index = {s: i for i, s in enumerate(skus)}
    # a year at most: nothing reads further back (16 weeks of conversion, 8 fortnights of
    # skill), and one mistyped year (1026 for 2026) laid out a thousand years of columns
    oldest = start - timedelta(days=MAX_HISTORY_DAYS)
    day0 = min((r.day for r in (*signals, *sales) if oldest <= r.day < start), default=start)
    days = (start - day0).days
    n = len(skus)
    sale = np.zeros((n, days))
    sig = np.zeros((n, days, len(SIGNAL_FIELDS)))
    first, counts = day0.toordinal(), attrgetter(*SIGNAL_FIELDS)
    with collector_paused():
        _add_cells(sale, ((index[r.sku], r.day.toordinal() - first, r.units)
                          for r in sales if day0 <= r.day < start))
        _add_cells(sig, ((index[r.sku], r.day.toordinal() - first, *counts(r))
                         for r in signals if day0 <= r.day < start))
    sig, filled, unexported = _carried_forward(sig, sale)
    first_signal, first_sale = np.full(n, NEVER), np.full(n, NEVER)
    if days:
        active = sig.any(axis=2)
        first_signal = np.where(active.any(axis=1), active.argmax(axis=1), NEVER)
        first_sale = np.where((sale > 0).any(axis=1), (sale > 0).argmax(axis=1), NEVER)
    cum = np.concatenate([np.zeros((n, 1)), np.cumsum(sale, axis=1)], axis=1)
    ewm = np.stack([_ewm(sig, hl) for hl in _HALF_LIVES], axis=3)
    sales_ewm = np.stack([_ewm(sale[:, :, None], hl)[:, :, 0] for hl in (3.0, 14.0)], axis=2)
    return Panel(skus, day0, days, sale, sig, first_signal, first_sale, cum, ewm, sales_ewm,
                 filled, unexported)


def _add_cells(target: np.ndarray, cells: Iterator[tuple[int, ...]], block: int = 65_536
               ) -> None:
    """Add each (sku, day, *values) of `cells` into `target[sku, day]`, a block at a time: a
    Python loop writing one row at a time was 3 s of a 5,000-SKU forecast, and one array of
    every row would add its own copy of the export to the peak memory."""
    width = 2 + int(np.prod(target.shape[2:]))
    while len(part := np.fromiter(islice(cells, block), dtype=np.dtype((np.int64, width)))):
        np.add.at(target, (part[:, 0], part[:, 1]),
                  part[:, 2:].reshape(len(part), *target.shape[2:]))


def unexported_days(active: np.ndarray, sold: np.ndarray, chance: float = 0.01) -> np.ndarray:
    """Per row of `active` and `sold` (row x day: any intent shown, anything sold), the
    trailing days with no intent though sales go on, where the 56 days before make so long a
    silence less likely than `chance`: an export that stopped carrying the row's signals, not
    a community that fell silent. 0 for every other row."""
    days = active.shape[1]
    tail = np.where(active.any(axis=1), np.argmax(active[:, ::-1], axis=1), 0)
    end = days - tail
    lo = np.maximum(end - 56, 0)
    rows = np.arange(len(active))
    seen = np.concatenate([np.zeros((len(active), 1)), np.cumsum(active, axis=1)], axis=1)
    selling = np.concatenate([np.zeros((len(sold), 1)), np.cumsum(sold, axis=1)], axis=1)
    quiet = 1.0 - (seen[rows, end] - seen[rows, lo] + 0.5) / (end - lo + 1.0)
    unlikely = quiet ** tail < chance
    return np.where((tail > 0) & unlikely & (selling[:, -1] > selling[rows, end]), tail, 0)


def _carried_forward(sig: np.ndarray, sale: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Signals with `unexported_days` of intent (saves, searches, comments) filled by the mean
    of the week before them: first where the whole catalogue went silent (a signals export
    that ends before the sales export), then where one SKU did (its feed broke). Left as
    zeros, intent fell: a signals export one day short cut the forecast by a fifth, two days
    by a third; a SKU selling 36 a day whose signals stopped a week before was forecast at 8.
    Also the days filled per SKU, and the catalogue's."""
    if not sig.shape[1]:
        return sig, np.zeros(len(sig), dtype=int), 0
    # intent, not any signal: a day of bought likes alone is no sign of interest
    intent = sig[:, :, _INTENT].sum(axis=2) > 0
    whole = int(unexported_days(intent.any(axis=0)[None], (sale > 0).any(axis=0)[None])[0])
    filled = _week_before(sig, np.full(len(sig), whole))
    intent = filled[:, :, _INTENT].sum(axis=2) > 0
    own = unexported_days(intent, sale > 0, chance=_SKU_SILENCE)
    return _week_before(filled, own), np.maximum(own, whole), whole


def _week_before(sig: np.ndarray, tails: np.ndarray) -> np.ndarray:
    """`sig` with each SKU's last `tails` days replaced by its mean of the 7 days before them."""
    filled = sig.copy()
    for i in np.flatnonzero(tails):
        filled[i, -tails[i]:] = sig[i, -tails[i] - 7:-tails[i]].mean(axis=0)
    return filled


def _ewm(x: np.ndarray, half_life: float) -> np.ndarray:
    """Exponentially decayed level along the day axis (axis 1), updated through each day."""
    alpha = 1.0 - 0.5 ** (1.0 / half_life)
    out = np.zeros_like(x)
    level = np.zeros((x.shape[0], *x.shape[2:]))
    for t in range(x.shape[1]):
        level = alpha * x[:, t] + (1.0 - alpha) * level
        out[:, t] = level
    return out


def decayed_intent(panel: Panel, half_life_index: int) -> np.ndarray:
    """Decayed saves + searches + comments (sku x day) through each day, decayed with
    `_HALF_LIVES[half_life_index]` (0: 2 days, 1: 7 days)."""
    return panel.ewm[:, :, _INTENT, half_life_index].sum(axis=2)


def cumulative_intent(panel: Panel) -> np.ndarray:
    """Saves + searches + comments (the signals that convert into purchases) summed up to each
    day, with a leading zero column: column b minus column a is the intent on days a..b-1."""
    daily = panel.signals[:, :, _INTENT].sum(axis=2)
    return np.concatenate([np.zeros((len(daily), 1)), np.cumsum(daily, axis=1)], axis=1)


def pooled_conversion(sales: np.ndarray, intent: np.ndarray, age: np.ndarray) -> float:
    """Units per unit of intent over SKUs selling 28 days or more (every selling SKU while the
    history is short) that showed any intent: what a SKU with no conversion of its own
    borrows. A product nobody talks about owes its sales to no intent; counted, one selling
    in bulk orders raised every launch's level fourfold."""
    seasoned = age >= 28
    donors = (seasoned if seasoned.any() else age > 0) & (intent > 0)
    return float(sales[donors].sum() / (intent[donors].sum() + 1.0)) if donors.any() else 0.0


def trusted_rate(by_intent: np.ndarray, units: np.ndarray, intent: np.ndarray,
                 days: np.ndarray | float) -> np.ndarray:
    """Units a day from a SKU's units per unit of intent (`by_intent`), leaning on its plain
    sales rate (`units` over `days`) as far as it showed little intent (`intent` over those
    days): a SKU nobody saves, searches or comments on still sells, and a ratio over a handful
    of saves is noise."""
    trust = intent / (intent + INTENT_PRIOR)
    return trust * by_intent + (1.0 - trust) * units / np.maximum(days, 1)


def own_dispersion(panel: Panel, origin: int, width: int = 56, prior_days: float = 28.0
                   ) -> np.ndarray:
    """Each SKU's day-to-day lumpiness: the negative binomial dispersion of its daily sales
    around their centred 7-day mean over the `width` days before `origin` (since its first
    sale), by moments, shrunk towards the middle SKU's by `prior_days` days. Some products
    sell in ones and twos every day, others in occasional bulk orders; one spread for all
    set the median of the second too high. The middle SKU's, not the units-weighted pool:
    one product sold in bulk orders of thousands set that pool, and so every SKU's spread."""
    n = len(panel.skus)
    lo = np.clip(np.maximum(panel.first_sale, origin - width), 0, origin).astype(int)
    num, den, days = np.zeros(n), np.zeros(n), np.zeros(n)
    for t in range(max(origin - width, 0), origin):
        a, b = max(t - 3, 0), min(t + 4, origin)
        inside = lo <= t
        left = np.maximum(a, lo)  # the mean's window starts no earlier than the first sale
        span = b - left
        mean = (panel.sales_cum[:, b] - panel.sales_cum[np.arange(n), left]) / np.maximum(span, 1)
        # the mean holds the day itself: the squared gap understates the variance by 1 - 1/span
        gap = (panel.sales[:, t] - mean) ** 2 / np.maximum(1.0 - 1.0 / np.maximum(span, 2), 0.5)
        num += np.where(inside, gap - mean, 0.0)
        den += np.where(inside, mean**2, 0.0)
        days += inside
    return _shrunk_ratios(num, den, days, prior_days, none=0.0)


def level_dispersion(panel: Panel, origin: int, checks: int = 8, prior: float = 4.0
                     ) -> np.ndarray:
    """How far each SKU's next fortnight strayed from its 28-day rate at the `checks`
    fortnights before `origin`: the mean squared miss over the rate's square, net of the
    counts' own noise, shrunk towards the middle SKU's by `prior` fortnights."""
    n = len(panel.skus)
    miss, scale, seen = np.zeros(n), np.zeros(n), np.zeros(n)
    for t, selling, actual in _fortnights(panel, origin, checks, 28):
        rate = (panel.sales_cum[selling, t] - panel.sales_cum[selling, t - 28]) / 28
        miss[selling] += (actual - rate) ** 2 - rate / 14
        scale[selling] += rate ** 2
        seen[selling] += 1
    return _shrunk_ratios(miss, scale, seen, prior, none=1.0)


def _shrunk_ratios(num: np.ndarray, den: np.ndarray, count: np.ndarray, prior: float, *,
                   none: float) -> np.ndarray:
    """Each SKU's num / den (within [0, 5]), shrunk towards the middle SKU's as if `prior` of
    its `count` observations were that SKU's; `none` stands in where no SKU has a den."""
    has = den > 0
    own = np.clip(num / np.where(has, den, 1.0), 0.0, 5.0)
    middle = float(np.median(own[has])) if has.any() else none
    return (count * np.where(has, own, middle) + prior * middle) / (count + prior)


def signal_skill(panel: Panel, origin: int, checks: int = 8) -> float | None:
    """How much better than its plain 28-day sales rate a SKU's units per unit of intent times
    its intent forecast the next 14 days, at the `checks` fortnights before `origin`: 1 minus
    the ratio of their absolute errors summed over SKUs selling 28 days or more at each.

    0.03-0.4 on the generated worlds of every shape but the thinnest (a hundredth of the
    signals: -0.15-0.06); below -0.15 where the signals belong to other products (a mis-keyed
    export), and -0.6 to -0.9 where most demand owes nothing to intent (the outside worlds of
    `benchmarks/foreign_worlds.py`). None with too little history to tell.
    """
    shown, intent = cumulative_intent(panel), decayed_intent(panel, 0)

    def by_intent(t: int, seasoned: np.ndarray, sold: np.ndarray) -> np.ndarray:
        seen = shown[seasoned, t] - shown[seasoned, t - 28]
        return trusted_rate(sold / (seen + 1.0) * intent[seasoned, t - 1], sold, seen, 28)
    return _skill_over_rate(panel, origin, checks, by_intent)


def swing_skill(panel: Panel, origin: int, checks: int = 8, shift: int = 0) -> float | None:
    """`signal_skill` of the 28-day sales rate plus `intent_swing`, not of units per unit of
    intent: whether the swings of intent moved the SKUs' sales where intent is not what most
    of them owe to. With a `shift`, each SKU's intent is that of the SKU `shift` places on:
    intent that belongs to no SKU's sales, to measure the skill found by chance."""
    intent = np.roll(decayed_intent(panel, 0), shift, axis=0)
    shown = np.roll(cumulative_intent(panel), shift, axis=0)

    def swung(t: int, seasoned: np.ndarray, sold: np.ndarray) -> np.ndarray:
        swing = intent_swing(panel, t, 14, intent=intent, shown=shown)
        return sold / 28 + swing[seasoned].mean(axis=1)
    return _skill_over_rate(panel, origin, checks, swung)


def _skill_over_rate(panel: Panel, origin: int, checks: int,
                     predict: Callable[[int, np.ndarray, np.ndarray], np.ndarray]
                     ) -> float | None:
    """1 minus the absolute error of `predict(t, seasoned, units sold in the 28 days before
    t)` (units a day over the next 14 days of the `seasoned` SKUs) over that of the 28-day
    rate, summed at the `checks` fortnights t before `origin`; None without one. SKUs on
    which the two agree (no intent to read) are left out: they cannot tell which is better,
    and a best seller without signals drowned a catalogue's skill (0.14 -> 0.01)."""
    by_signals, by_sales = 0.0, 0.0
    for t, seasoned, actual in _fortnights(panel, origin, checks, 28):
        sold = panel.sales_cum[seasoned, t] - panel.sales_cum[seasoned, t - 28]
        guess, rate = predict(t, seasoned, sold), sold / 28
        differ = guess != rate
        by_signals += float(np.abs(actual - guess)[differ].sum())
        by_sales += float(np.abs(actual - rate)[differ].sum())
    return 1.0 - by_signals / by_sales if by_sales > 0 else None


def _fortnights(panel: Panel, origin: int, checks: int, age: int
                ) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """At each of the `checks` fortnights t before `origin` with `age` days before it: t, the
    SKUs selling `age` days or more at t, and their units a day over the 14 days from t (what
    the checks of a forecast's parts score against)."""
    for k in range(1, checks + 1):
        t = origin - 14 * k
        if t < age:
            break
        selling = t - panel.first_sale >= age
        yield t, selling, (panel.sales_cum[selling, t + 14] - panel.sales_cum[selling, t]) / 14


def steadiest_window(panel: Panel, origin: int, windows: tuple[RateWindow, ...], skip: int,
                     old: int, beside: float = 0.0, checks: int = 8) -> RateWindow:
    """Of `windows` ((days, half-life) pairs for `rate_since`), the one whose rate forecast the
    next 14 days best, summed over SKUs selling `old` days or more at the `checks` fortnights
    before `origin`; the first of the widest without a fortnight to judge by. A steady
    seller's rate is steadier over months; a fading or trending one's has left a long window
    behind, and a wandering one's is read best with the recent weeks weighing most. Each rate
    is judged averaged with weight `beside` on the 28-day rate, as the forecast averages it with
    a model that reads the recent weeks: judged alone, 4 weeks won on our sales-alone worlds
    and lost there.
    """
    errors = np.zeros(len(windows))
    for t, mature, actual in _fortnights(panel, origin, checks, old):
        recent = rate_since(panel, t, 28, skip)[mature]
        for i, (width, half_life) in enumerate(windows):
            rate = rate_since(panel, t, width, skip, half_life)[mature]
            errors[i] += float(np.abs(actual - (beside * recent + (1 - beside) * rate)).sum())
    if not errors.any():
        return max(windows, key=lambda window: window[0])
    return windows[int(np.argmin(errors))]


def rate_since(panel: Panel, origin: int, width: int, skip: int,
               half_life: float | None = None) -> np.ndarray:
    """Units a day over the `width` days before `origin`, starting no earlier than `skip` days
    after each SKU's first sale (its launch rush); with a `half_life`, a day weighs half as
    much every `half_life` days further back (0 where no day is left)."""
    lo = window_start(panel, origin, width, skip)
    if half_life is None:
        return (panel.sales_cum[:, origin] - panel.sales_cum[np.arange(len(lo)), lo]
                ) / np.maximum(origin - lo, 1)
    first = int(lo.min(initial=origin))
    days = np.arange(first, origin)
    weights = 0.5 ** ((origin - 1 - days) / half_life) * (days[None, :] >= lo[:, None])
    total = weights.sum(axis=1)
    sold = (panel.sales[:, first:origin] * weights).sum(axis=1)
    return np.where(total > 0, sold / np.maximum(total, 1e-12), 0.0)


def window_start(panel: Panel, origin: int, width: int, skip: int) -> np.ndarray:
    """Per SKU, the first day of `rate_since`'s window."""
    return np.clip(np.maximum(origin - width, panel.first_sale + skip), 0, origin).astype(int)


def intent_swing(panel: Panel, origin: int, horizon: int, width: int = 28, ridge: float = 1.0,
                 intent: np.ndarray | None = None, shown: np.ndarray | None = None
                 ) -> np.ndarray:
    """Units a day (sku x horizon step) to add to the sales rate of the `width` days before
    `origin` for intent departing from its mean over those days; 0 for SKUs not selling
    through them.

    Where most of what a SKU sells owes nothing to intent (an organic level with seasons and
    trends), its units per unit of intent are no level, but the extra units a unit more intent
    brings still are: the slope of each day's sales on the day before's decayed intent, within
    the SKU over the window, shrunk towards the slope pooled over SKUs (`ridge` times a
    typical SKU's variance of intent counts as the pooled slope's weight). Intent over the
    horizon: the window's daily mean plus today's excess over it, decaying as the 2-day
    decayed intent does with no new intent. `intent` and `shown`: the panel's `decayed_intent`
    (2 days) and `cumulative_intent`, when already at hand.
    """
    n, lo = len(panel.skus), max(origin - width, 0)
    selling = panel.first_sale <= lo
    if origin - lo < 3 or not selling.any():
        return np.zeros((n, horizon))
    intent = decayed_intent(panel, 0) if intent is None else intent
    shown = cumulative_intent(panel) if shown is None else shown
    sold, before = panel.sales[:, lo + 1:origin], intent[:, lo:origin - 1]
    sold_gap = sold - sold.mean(axis=1, keepdims=True)
    intent_mean = before.mean(axis=1)
    intent_gap = before - intent_mean[:, None]
    cov, var = (sold_gap * intent_gap).mean(axis=1), (intent_gap**2).mean(axis=1)
    pooled = max(cov[selling].sum() / max(var[selling].sum(), 1e-9), 0.0)
    prior = ridge * float(np.median(var[selling])) + 1e-9
    slope = ((cov + prior * pooled) / (var + prior)).clip(0.0)
    usual = (shown[:, origin] - shown[:, lo]) / (origin - lo)
    fade = 0.5 ** (np.arange(1, horizon + 1) / _HALF_LIVES[0])
    path = usual[:, None] + (intent[:, origin - 1] - usual)[:, None] * fade
    return np.where(selling[:, None], slope[:, None] * (path - intent_mean[:, None]), 0.0)


def without_signals(panel: Panel) -> Panel:
    """The same sales with every signal gone, as if none had been exported."""
    return replace(panel, signals=np.zeros_like(panel.signals), ewm=np.zeros_like(panel.ewm),
                   first_signal=np.full(len(panel.skus), NEVER))


def take(panel: Panel, index: np.ndarray) -> Panel:
    """The panel of the SKUs at `index` alone. Each SKU's features are its own but for the
    conversion borrowed from the pooled SKUs (`pooled_conversion`), which only multiplies
    intent: without signals the rows are the whole panel's."""
    # every array a panel holds is per SKU along its first axis
    arrays = {f.name: getattr(panel, f.name)[index] for f in fields(panel)
              if isinstance(getattr(panel, f.name), np.ndarray)}
    return replace(panel, skus=tuple(panel.skus[i] for i in index), **arrays)


def recent_totals(panel: Panel, origin: int, width: int = 28) -> tuple[np.ndarray, np.ndarray]:
    """Units sold and intent (saves + searches + comments) per SKU over the `width` days
    before `origin`."""
    lo = max(origin - width, 0)
    shown = cumulative_intent(panel)
    return (panel.sales_cum[:, origin] - panel.sales_cum[:, lo], shown[:, origin] - shown[:, lo])


def day_of(panel: Panel, index: int) -> date:
    """The calendar date of a day index (may lie after the panel, in the horizon)."""
    return panel.day0 + timedelta(days=index)


def at_origin(panel: Panel, origin: int, horizons: range) -> np.ndarray:
    """Feature rows (sku-major, then horizon step) from the history strictly before `origin`."""
    n = len(panel.skus)
    base = _origin_block(panel, origin)
    rows = []
    for h in horizons:
        target = origin + h
        weekday = np.full(n, float(day_of(panel, target).weekday()))
        same_weekday = _same_weekday(panel, origin, target)
        rows.append(np.column_stack([weekday, np.full(n, float(h)), same_weekday, base]))
    stacked = np.stack(rows, axis=1)  # (sku, horizon, feature)
    return stacked.reshape(n * len(horizons), -1)


def _window(panel: Panel, origin: int, width: int) -> np.ndarray:
    """Mean daily sales over the `width` days before `origin` (fewer at the start of data)."""
    lo = max(origin - width, 0)
    span = max(origin - lo, 1)
    return (panel.sales_cum[:, origin] - panel.sales_cum[:, lo]) / span


def _same_weekday(panel: Panel, origin: int, target: int) -> np.ndarray:
    """Last week's sales on the target's weekday, mean of two weeks, and the weekday index."""
    back = target - 7 * ((target - origin) // 7 + 1)
    last = panel.sales[:, back] if back >= 0 else np.full(len(panel.skus), np.nan)
    two = [panel.sales[:, d] for d in (back, back - 7) if d >= 0]
    mean_two = np.mean(two, axis=0) if two else np.full(len(panel.skus), np.nan)
    # the SKU's own weekday profile over eight weeks, shrunk towards flat
    same = [panel.sales[:, d] for d in range(back, max(origin - 56, 0) - 1, -7) if d >= 0]
    same_sum = np.sum(same, axis=0) if same else np.zeros(len(panel.skus))
    mean_day = _window(panel, origin, 56)
    ratio = (same_sum + 2.0 * mean_day) / (mean_day * len(same) + 2.0 * mean_day + 1e-9)
    return np.column_stack([last, mean_two, np.where(mean_day > 0, ratio, np.nan)])


def _origin_block(panel: Panel, origin: int) -> np.ndarray:
    """Features that do not depend on the horizon step: levels, signals, launch age."""
    n = len(panel.skus)
    last = origin - 1
    if last < 0:
        return np.full((n, _ORIGIN_FEATURES), np.nan)
    sig_ewm = panel.ewm[:, last].reshape(n, -1)  # field x half-life
    short, long_ = panel.ewm[:, last, :, 0], panel.ewm[:, last, :, 1]
    recent = panel.signals[:, last]
    mean7, mean28 = _window(panel, origin, 7), _window(panel, origin, 28)
    saves28 = panel.signals[:, max(origin - 28, 0):origin, _SAVES].sum(axis=1)
    searches28 = panel.signals[:, max(origin - 28, 0):origin, _SEARCHES].sum(axis=1)
    sales28 = mean28 * min(origin, 28)
    intent28 = recent_totals(panel, origin)[1]
    age_signal = np.where(panel.first_signal < origin, origin - panel.first_signal, np.nan)
    age_sale = np.where(panel.first_sale < origin, origin - panel.first_sale, np.nan)
    # units per unit of intent (saves, searches, comments) times today's decayed intent: the
    # product a tree cannot form on its own
    per_intent = sales28 / (intent28 + 1.0)
    intent = [short[:, _SAVES] + short[:, _SEARCHES] + short[:, _COMMENTS],
              long_[:, _SAVES] + long_[:, _SEARCHES] + long_[:, _COMMENTS]]
    # launches have no conversion of their own yet: borrow the pooled one of seasoned SKUs
    # (of every selling SKU while the whole history is short)
    age = np.nan_to_num(age_sale, nan=0.0)
    pooled = pooled_conversion(sales28, intent28, age)
    own = np.where(age >= 14, per_intent, pooled)
    # what it sold since its first sale, over at most the last week
    since = np.clip(age, 1, 7)
    back = panel.sales_cum[np.arange(n), (origin - since).astype(int)]
    lately = (panel.sales_cum[:, origin] - back) / since
    by_signals = trusted_rate(own * intent[0], sales28, intent28, np.clip(age, 1, 28))
    level = np.maximum(0.5 * by_signals + 0.5 * np.where(age > 0, lately, by_signals), 0.3)
    return np.column_stack([
        per_intent * intent[0], per_intent * intent[1], intent[0],
        mean7, mean28, _window(panel, origin, 3), panel.sales[:, last],
        panel.sales_ewm[:, last, 0], panel.sales_ewm[:, last, 1],
        sig_ewm,
        recent[:, _SAVES], recent[:, _LIKES], recent[:, _SEARCHES],
        age_signal, age_sale, np.log1p(panel.sales_cum[:, origin]),
        sales28 / (saves28 + 1.0), sales28 / (searches28 + 1.0),
        short[:, _SAVES] / (long_[:, _SAVES] + 0.1),
        short[:, _LIKES] / (short[:, _SAVES] + short[:, _COMMENTS] + 1.0),
        level,
    ])
