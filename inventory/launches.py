"""Launches: when a SKU with signals and no sales will start selling, and what it sells then.

The chance a waiting SKU has made its first sale by each day comes from how long other
launches waited between their first signal and their first sale (Kaplan-Meier), tilted by its
own intent; what it sells once started comes from what other launches sold on their first days
per unit of intent the day before their first sale (intent scaled by its elasticity, and by
how launches whose debut drew as many posts per unit of intent sold). In its first weeks of
sales a launch's own rate is measured net of the one-off release of the demand that built up
before it could be bought.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, special

from inventory import features
from inventory.signals import SIGNAL_FIELDS

_TILT_MIN_STARTS = 5  # first sales needed before intent may tilt the start odds
_TILT_L2 = 1.0
_KM_PRIOR = 2.0  # SKUs' worth of the neighbouring days' hazard added to each gap day's count
_KM_WIDTH = 3
_MIN_ELASTICITY_SKUS = 10
_MIX_MIN_DONORS = 5  # launches already selling needed to judge what a signal mix is worth
_NOTES = SIGNAL_FIELDS.index("notes")
# SKUs in their first weeks of sales
_EARLY_PRIOR = 20.0  # intent (saves + searches + comments) the pooled rate counts as
_EARLY_FADE = 0.96  # daily fade of today's intent over the horizon (the launch burst decays)
_RELEASE_DAYS = 4.0  # time constant of the release of pre-launch demand after the first sale
# with no launch seen yet: a first sale falls evenly on days 1-28 after the first signal, for
# all but a share of SKUs talked about and never sold here
_PRIOR_GAP_DAYS = 28
_PRIOR_NEVER = 0.2
_DEFAULT_SHARE = 0.5  # share of pre-launch intent released, until three launches can say


def panel_start_odds(panel: features.Panel, *, origin: int, horizon: int) -> np.ndarray:
    """`start_odds` of the panel's SKUs, tilted by their short-decay intent."""
    return start_odds(panel.first_signal, panel.first_sale, origin=origin, horizon=horizon,
                      intent=features.decayed_intent(panel, 0))


def start_odds(first_signal: np.ndarray, first_sale: np.ndarray, *, origin: int, horizon: int,
               intent: np.ndarray | None = None) -> np.ndarray:
    """Chance (sku x step) that a SKU has made its first sale by each day from `origin`.

    1 for SKUs already selling or unknown. For a SKU with signals and no sale yet: Kaplan-Meier
    over the days from first signal to first sale of every launch known before `origin` (those
    still waiting are censored), given the days it has already waited. With `intent` (sku x
    day, decayed through each day) the daily hazard is tilted by the SKU's own intent.

    A SKU first seen on the data's first day and selling by `origin` may have had signals
    before that day, so its wait is not known: 1. One that has not sold waited at least since
    that day: a product talked about for months and never sold is not about to start.
    """
    never_sold = (first_signal == 0) & (first_sale >= origin)
    first_signal = np.where(launch_like(first_signal, first_sale) | never_sold, first_signal,
                            features.NEVER)
    known = first_signal < origin
    sold = known & (first_sale < origin)
    waiting = known & ~sold
    gaps = np.clip(first_sale[sold] - first_signal[sold], 0, None).astype(int)
    waited = (origin - first_signal[waiting]).astype(int)  # its gap is at least this
    size = origin + horizon + 2
    events = np.bincount(gaps, minlength=size)[:size]
    # at risk on gap day g: observed gaps >= g and SKUs that had waited more than g days
    at_risk = (np.cumsum(events[::-1])[::-1]
               + np.cumsum(np.bincount(waited, minlength=size)[:size][::-1])[::-1]
               - np.bincount(waited, minlength=size)[:size])
    # no launch yet to learn from (a short or first export): creators seed a launch weeks,
    # not months, before it sells; the hazard of no data at all, 0, said it never would
    hazard = smoothed_hazard(events, at_risk) if len(gaps) else prior_hazard(size)
    odds = np.ones((len(first_signal), horizon))
    tilted = None
    if intent is not None and len(gaps) >= _TILT_MIN_STARTS and waiting.any():
        tilted = _tilted_odds(first_signal, first_sale, origin=origin, horizon=horizon,
                              intent=intent, hazard=hazard, events=events, at_risk=at_risk)
    if tilted is not None:
        odds[waiting] = tilted[waiting]
    else:
        survival = np.concatenate([[1.0], np.cumprod(1.0 - hazard)])  # P(gap >= g)
        ahead = survival[waited[:, None] + np.arange(1, horizon + 1)[None, :]]
        now = survival[waited][:, None]
        # nobody has waited this long before: no basis for a delay, so treat it as due now
        odds[waiting] = np.where(now > 0, 1.0 - ahead / np.maximum(now, 1e-12), 1.0)
    return odds


def prior_hazard(size: int) -> np.ndarray:
    """Daily hazard (by days waited) of a first sale equally likely on each of days 1 to
    `_PRIOR_GAP_DAYS` after the first signal for all but `_PRIOR_NEVER` of SKUs, which never
    sell: a SKU that has waited longer is not about to start."""
    gap = np.arange(size)
    chance = np.where((gap >= 1) & (gap <= _PRIOR_GAP_DAYS),
                      (1.0 - _PRIOR_NEVER) / _PRIOR_GAP_DAYS, 0.0)  # of a first sale on day g
    waiting = 1.0 - np.concatenate([[0.0], np.cumsum(chance)[:-1]])  # still waiting on day g
    return chance / waiting


def smoothed_hazard(events: np.ndarray, at_risk: np.ndarray) -> np.ndarray:
    """Kaplan-Meier daily hazard by days waited, each day's count shrunk towards the pooled
    hazard of the days around it (`_KM_WIDTH` either side) as if `_KM_PRIOR` more SKUs had been
    at risk. With a few dozen launches, a gap day on which none happened to start had a hazard
    of zero, and the odds were too sharp: where they said 0.9-1.0, 69% had started."""
    def near(counts: np.ndarray) -> np.ndarray:  # sums over the days around each day
        return np.convolve(counts, np.ones(2 * _KM_WIDTH + 1))[_KM_WIDTH:_KM_WIDTH + len(counts)]

    near_events, near_risk = near(events), near(at_risk)
    local = np.divide(near_events, near_risk, out=np.zeros(len(events)), where=near_risk > 0)
    return (events + _KM_PRIOR * local) / (at_risk + _KM_PRIOR)


def launch_like(first_signal: np.ndarray, first_sale: np.ndarray) -> np.ndarray:
    """SKUs whose wait from first signal to first sale can be measured: first seen after the
    data's first day and not selling before any signal. A SKU seen on day 0 may have had signals
    before it; counted, long-selling SKUs looked like launches that sold at once."""
    return (first_signal > 0) & (first_sale >= first_signal)


def _tilted_odds(first_signal: np.ndarray, first_sale: np.ndarray, *, origin: int, horizon: int,
                 intent: np.ndarray, hazard: np.ndarray, events: np.ndarray,
                 at_risk: np.ndarray) -> np.ndarray | None:
    """Discrete-time hazard: logit(Kaplan-Meier hazard by days waited) + beta * log intent.

    Fitted on every past day d a SKU was still waiting, seen from landmarks every other day
    with intent as known at the landmark (as it will be at the origin), outcome first sale on
    d. Quieter SKUs make their first recorded sale later after a launch (a day of demand below
    one unit often sells nothing), which the waiting time alone cannot tell.
    """
    pooled = (events.sum() + 0.5) / (at_risk.sum() + 1.0)
    # clipped so the offset stays finite; where nobody was at risk, the pooled daily rate
    base = special.logit(np.where(at_risk > 0, hazard.clip(0.002, 0.998), pooled))
    size = len(base)
    log_intent = np.log1p(intent)
    xs, ys, offsets = [], [], []
    for t in range(1, origin, 2):
        at = np.flatnonzero((first_signal < t) & (first_sale >= t))
        for h in range(min(horizon, origin - t)):
            still = at[first_sale[at] >= t + h]
            xs.append(log_intent[still, t - 1])
            ys.append(first_sale[still] == t + h)
            offsets.append(base[np.minimum(t + h - first_signal[still], size - 1)])
    if not xs:
        return None
    x, y, off = np.concatenate(xs), np.concatenate(ys).astype(float), np.concatenate(offsets)
    if y.sum() < _TILT_MIN_STARTS:
        return None
    centre, scale = x.mean(), x.std() + 1e-9
    z = (x - centre) / scale

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        p = special.expit(off + z * beta[0])
        nll = -(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)).sum()
        grad = -(z * (y - p)).sum() + 2 * _TILT_L2 * beta[0]
        return nll + _TILT_L2 * beta[0] ** 2, np.array([grad])

    beta = optimize.minimize(loss, np.zeros(1), jac=True, method="L-BFGS-B").x[0]
    now = (log_intent[:, origin - 1] - centre) / scale
    waited = np.clip(origin - first_signal, 0, None)
    steps = np.minimum(waited[:, None] + np.arange(horizon)[None, :], size - 1)
    daily = special.expit(base[steps] + beta * now[:, None])
    return 1.0 - np.cumprod(1.0 - daily, axis=1)


def launch_means(panel: features.Panel, *, origin: int, horizon: int) -> np.ndarray | None:
    """Expected units (sku x step) of SKUs not yet selling from other launches' first days.

    Units on the k-th day of sales per unit of effective intent the day before the first sale,
    pooled over real launches, times this SKU's effective intent now, averaged over the chance
    of starting on each day of the horizon. Effective intent is `intent ** intent_elasticity`
    (a launch with ten times the intent of another sold about 5-7 times as much in the worlds)
    times `mix_multiplier`. None without such launches.
    """
    first_sale, n = panel.first_sale, len(panel.skus)
    donors = np.flatnonzero((first_sale < origin)
                            & launch_like(panel.first_signal, first_sale))
    if not len(donors):
        return None
    power = intent_elasticity(panel, origin)
    intent = features.decayed_intent(panel, 1) ** power
    before = intent[donors, first_sale[donors] - 1]
    if not before.sum() > 0:
        return None
    per_intent = _first_days_curve(panel, donors, before, origin=origin, horizon=horizon)
    mix = mix_multiplier(panel, donors, before, per_intent, origin=origin)
    now = intent[:, origin - 1]
    if mix is not None:  # the curve per unit of effective intent, with the donors' own mix
        per_intent = _first_days_curve(panel, donors, before * mix[donors], origin=origin,
                                       horizon=horizon)
        now = now * mix
    started = panel_start_odds(panel, origin=origin, horizon=horizon)
    starts = np.diff(started, axis=1, prepend=0.0)  # chance the first sale is on each day
    means = np.zeros((n, horizon))
    for h in range(horizon):
        means[:, h] = starts[:, :h + 1] @ per_intent[h::-1]
    return means * now[:, None]


def _first_days_curve(panel: features.Panel, donors: np.ndarray, before: np.ndarray, *,
                      origin: int, horizon: int) -> np.ndarray:
    """Units the donors sold on their k-th day of sales per unit of `before` (each donor's
    effective intent the day before its first sale), for k < `horizon`."""
    first_sale = panel.first_sale[donors]
    per_intent = np.zeros(horizon)
    for k in range(horizon):
        seen = first_sale + k < origin
        sold = panel.sales[donors[seen], first_sale[seen] + k].sum()
        # no launch that far in yet: keep the last day's ratio
        per_intent[k] = sold / before[seen].sum() if before[seen].sum() > 0 else per_intent[k - 1]
    return per_intent


def mix_multiplier(panel: features.Panel, donors: np.ndarray, before: np.ndarray,
                   per_intent: np.ndarray, *, origin: int) -> np.ndarray | None:
    """How many times what its intent says each SKU sells, judged by its `signal_mix`.

    exp(slope x (mix - the donors' mean mix)), the slope fitted over the donors (launches
    already selling) from log(units sold so far / what `per_intent` x `before` expected), shrunk
    by its own noise: to nothing when it is within one standard error. None with fewer than
    `_MIX_MIN_DONORS` donors or when their mixes are all the same.
    """
    if len(donors) < _MIX_MIN_DONORS:
        return None
    first = panel.first_sale[donors]
    days = np.minimum(origin - first, len(per_intent))  # >= 1: every donor has sold
    sold = panel.sales_cum[donors, first + days] - panel.sales_cum[donors, first]
    expected = np.cumsum(per_intent)[days - 1] * before
    y = np.log((sold + 0.5) / (expected + 0.5))
    mix = signal_mix(panel, origin)
    fit = _slope(mix[donors], y)
    if fit is None:
        return None
    slope, noise = fit
    slope *= max(0.0, 1.0 - noise / slope ** 2) if slope else 0.0
    # centred on the donors' mean mix; a debut not seen gets no multiplier
    return np.exp(slope * np.nan_to_num(mix - mix[donors].mean()))


def _slope(x: np.ndarray, y: np.ndarray) -> tuple[float, float] | None:
    """Least-squares slope of y on x (both centred) and its variance; None if x is constant."""
    x, y = x - x.mean(), y - y.mean()
    spread = (x * x).sum()
    if not spread > 0:
        return None
    slope = (x * y).sum() / spread
    return slope, ((y - slope * x) ** 2).sum() / max(len(x) - 2, 1) / spread


def signal_mix(panel: features.Panel, origin: int) -> np.ndarray:
    """log((notes + 1/2) / (intent + 1)) on each SKU's first day of signals before `origin`:
    how many posts a debut drew per unit of the audience's intent. NaN where the debut is not
    seen: no signal before `origin`, or signals from the data's first day (it may have begun
    before).

    Products differ in how visible they are: how much intent a unit of demand shows as. Posts
    follow the rise in demand more than the product's visibility, so a debut with many posts
    per unit of intent is a less visible product that sells more per unit of intent (in the
    worlds, r = 0.57 between this and a launch's true log units per unit of intent).
    """
    rows = np.arange(len(panel.skus))
    first = np.clip(panel.first_signal, 0, max(origin - 1, 0)).astype(int)
    shown = features.cumulative_intent(panel)
    notes = panel.signals[rows, first, _NOTES]
    mix = np.log((notes + 0.5) / (shown[rows, first + 1] - shown[rows, first] + 1.0))
    return np.where((panel.first_signal > 0) & (panel.first_signal < origin), mix, np.nan)


def intent_elasticity(panel: features.Panel, origin: int) -> float:
    """Slope of log units on log intent over the last 28 days across SKUs selling 4 weeks or
    more, within [0.5, 1]; 1 with fewer than `_MIN_ELASTICITY_SKUS` of them, or when their
    intent hardly differs (no slope to see).

    Below 1 because products differ in how visible they are: more intent per unit of demand
    means fewer units per unit of intent, so intent alone over-rates the loudest products.
    """
    sold, shown = features.recent_totals(panel, origin)
    fit = (panel.first_sale <= origin - 28) & (sold > 0) & (shown > 0)
    x, y = np.log(shown[fit]), np.log(sold[fit])
    line = _slope(x, y) if fit.sum() >= _MIN_ELASTICITY_SKUS and np.ptp(x) >= 0.5 else None
    return 1.0 if line is None else float(np.clip(line[0], 0.5, 1.0))


def early_means(panel: features.Panel, *, origin: int, horizon: int) -> np.ndarray:
    """Expected units (sku x step) of SKUs in their first 14 days of sales; NaN for others.

    A launch's first days of sales hold a one-off release of the demand that built up before
    it could be bought, on top of the steady conversion of today's intent. Its own units per
    unit of intent are measured net of that release (shrunk towards the pooled conversion), and
    the horizon gets today's intent fading by `_EARLY_FADE` a day plus what is left of the
    release: units(k days after the first sale) = rate x (intent + share x pre-launch intent x
    release(k)), release(k) a geometric decay over `_RELEASE_DAYS` days that sums to one.
    """
    n = len(panel.skus)
    out = np.full((n, horizon), np.nan)
    age = origin - panel.first_sale
    young = np.flatnonzero((age >= 1) & (age < 14) & (panel.first_sale > 0))
    if not len(young):
        return out
    intent = features.decayed_intent(panel, 0)
    shown = features.cumulative_intent(panel)
    sold28, shown28 = features.recent_totals(panel, origin)
    pooled = features.pooled_conversion(sold28, shown28, np.clip(age, 0, None))
    share = pent_share(panel, origin)
    ahead = np.arange(horizon)
    for i in young:
        start, days = panel.first_sale[i], age[i]
        waiting = share * shown[i, start]  # pre-launch intent still to convert
        lagged = intent[i, start - 1:origin - 1]  # intent through the day before each sale day
        exposure = lagged + release(waiting, np.arange(days))
        if not exposure.sum() > 0:  # selling without any intent shown: nothing to scale by
            continue
        sold = panel.sales[i, start:origin].sum()
        rate = (sold + _EARLY_PRIOR * pooled) / (exposure.sum() + _EARLY_PRIOR)
        by_intent = rate * (intent[i, origin - 1] * _EARLY_FADE ** (ahead + 1)
                            + release(waiting, days + ahead))
        # with a stray save or two, its own sales are all there is (rush and all); with the
        # hundreds a seeded launch shows, its rate net of the release
        out[i] = features.trusted_rate(by_intent, sold, shown[i, origin], days)
    return out


def release(amount: float, days: np.ndarray) -> np.ndarray:
    """What of `amount` is released on each of `days` (days after the first sale): a geometric
    decay with time constant `_RELEASE_DAYS` that sums to `amount` over all days."""
    return amount * (1.0 - np.exp(-1.0 / _RELEASE_DAYS)) * np.exp(-days / _RELEASE_DAYS)


def pent_share(panel: features.Panel, origin: int) -> float:
    """Share of pre-launch intent that turned into sales in a launch's first 14 days, beyond
    the steady conversion of its intent then; from launches selling 4 weeks or more (their
    steady rate from days 14-27), `_DEFAULT_SHARE` with fewer than three such launches."""
    first_sale = panel.first_sale
    donors = np.flatnonzero((first_sale <= origin - 28)
                            & launch_like(panel.first_signal, first_sale))
    if len(donors) < 3:
        return _DEFAULT_SHARE
    intent = features.decayed_intent(panel, 0)
    shown = features.cumulative_intent(panel)
    extra, base = 0.0, 0.0
    for j in donors:
        s = first_sale[j]
        later = intent[j, s + 13:s + 27].sum()
        if not later > 0:  # no intent to measure its steady rate by
            continue
        steady = panel.sales[j, s + 14:s + 28].sum() / later
        extra += panel.sales[j, s:s + 14].sum() - steady * intent[j, s - 1:s + 13].sum()
        base += steady * shown[j, s]
    return float(np.clip(extra / base, 0.0, 1.0)) if base > 0 else _DEFAULT_SHARE
