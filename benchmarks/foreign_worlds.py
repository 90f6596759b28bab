"""An outside check on the forecast: worlds from a generator written apart from ours.

Usage: OMP_NUM_THREADS=1 .venv/bin/python benchmarks/foreign_worlds.py [--seeds 1-6]
                                                                      [--write DIR]

`inventory/worlds.py` is the generator the forecast was built and tuned on. This one was
written (2026-12-03, by a helper given only the issue and the forecast contract, without
reading `inventory/`) to ask what an outside scorer with its own idea of the market would
see. Its mechanics differ on purpose: demand is an organic level (category seasonality with
Chinese New Year, 3.8, 520 and 618, a weekly rhythm, a slow random-walk trend or a fade) plus
a smaller social part, intent from creator notes (a Hawkes process; reach fading over 1-4
days) converting at 2-10% after a 3-8 day lag; launches seeded 1-4 weeks before an on-sale
day whose sales then ramp to an organic level over 5-20 days, after a release of pent-up
intent; bought likes; steady sellers with no signals; stockouts.

For each world it prints the backtest's WAPE as a multiple of the 28-day mean's (4 origins
14 days apart, horizon 14), p10-p90 coverage, and the signals' skill over the sales rate
(`features.signal_skill`, below 0 means the forecast sets the signals aside); then the same
WAPE for three oracles (`oracle`): one that knows each day's true mean, one that knows its
organic part alone, and one ("past") that knows each SKU's true mean over the 28 days before
the origin and nothing after it. `--write DIR`
also writes each world's signals.csv, sales.csv and categories.csv for the command line.
Once tuned against, it stops being an outside check: judge a change here only once.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
from forecast import merge  # the sibling benchmark's pooling of worlds
from scipy import stats

from inventory import backtest, features
from inventory.forecast import ForecastRow
from inventory.signals import SaleRow, SignalRow

START = dt.date(2026, 1, 1)

CATS = {
    # name: (annual amplitude, annual peak day-of-year, weekly multipliers Mon..Sun, conv scale)
    "skincare": (0.12, 330, [1.10, 1.00, 0.97, 0.95, 0.93, 0.92, 1.13], 1.0),
    "makeup": (0.10, 60, [1.08, 1.02, 0.98, 0.96, 0.95, 0.93, 1.08], 1.1),
    "suncare": (0.55, 195, [1.00, 0.97, 0.97, 0.98, 1.02, 1.04, 1.02], 0.9),
    "snacks": (0.20, 25, [0.90, 0.92, 0.95, 1.00, 1.12, 1.13, 0.98], 1.3),
    "supplements": (0.25, 10, [1.15, 1.05, 1.00, 0.97, 0.93, 0.92, 0.98], 0.7),
    "baby": (0.05, 120, [1.05, 1.02, 1.00, 1.00, 0.98, 0.95, 1.00], 0.6),
    "home": (0.15, 150, [0.95, 0.95, 0.96, 0.98, 1.02, 1.08, 1.06], 0.8),
}


def doy(t: int) -> int:
    return (START + dt.timedelta(days=t)).timetuple().tm_yday


def event_mult(cat: str, t: int) -> float:
    d = START + dt.timedelta(days=t)
    m = 1.0
    # Chinese New Year 2026-02-17: cross-border logistics shutdown ~Feb 10-24
    cny = dt.date(2026, 2, 17)
    off = (d - cny).days
    if -7 <= off <= 7:
        m *= 0.55 + 0.03 * abs(off)
    if cat == "snacks" and -25 <= off <= -8:
        m *= 1.45
    if cat in ("makeup", "skincare"):
        val = (d - dt.date(2026, 2, 14)).days
        if -6 <= val <= 0 and cat == "makeup":
            m *= 1.4
        wd = (d - dt.date(2026, 3, 8)).days
        if -7 <= wd <= 0:
            m *= 1.5 if wd > -3 else 1.2
    # 618: presale from May 25, peak Jun 16-18, hangover week after
    s = (d - dt.date(2026, 6, 18)).days
    if -24 <= s <= -3:
        m *= 1.12
    elif -2 <= s <= 0:
        m *= 1.9
    elif 1 <= s <= 7:
        m *= 0.82
    # 5.20 (520) gifting bump for makeup/home
    if cat in ("makeup", "home") and -3 <= (d - dt.date(2026, 5, 20)).days <= 0:
        m *= 1.3
    return m


def season(cat: str, t: int) -> float:
    amp, peak, _, _ = CATS[cat]
    return (1 + amp * math.cos(2 * math.pi * (doy(t) - peak) / 365.0)) * event_mult(cat, t)


def gamma_pmf(shape: float, scale: float, n: int) -> np.ndarray:
    x = np.arange(n) + 0.5
    w = x ** (shape - 1) * np.exp(-x / scale)
    return w / w.sum()


def nb(rng: np.random.Generator, mean: float, k: float) -> int:
    mean = max(mean, 0.0)
    if mean <= 0:
        return 0
    lam = rng.gamma(k, mean / k)
    return int(rng.poisson(lam))


def simulate(seed: int, n_skus: int, T: int) -> tuple:  # noqa: N803, C901, PLR0912, PLR0915
    rng = np.random.default_rng(seed)
    cats = list(CATS)
    cat_w = rng.dirichlet(np.ones(len(cats)) * 4)
    arche_names = ["steady", "social", "launch", "fading", "longtail", "quiet"]
    arche_p = np.array([0.22, 0.30, 0.22, 0.08, 0.12, 0.06])
    H = 40  # max reach/lag horizon in days
    tiers = [  # name, prob, log-mean reach, log-sd, half-life days
        ("koc", 0.84, math.log(250), 1.0, 1.2),
        ("mid", 0.14, math.log(3000), 0.8, 2.0),
        ("kol", 0.02, math.log(40000), 0.7, 3.5),
    ]
    skus, truth = [], {}
    sig = {}  # sku -> array T x 6 (notes, likes, saves, comments, shares, searches)
    sig_nobot = {}
    sales = {}
    used = set()
    for _ in range(n_skus):
        cat = cats[rng.choice(len(cats), p=cat_w)]
        arche = arche_names[rng.choice(len(arche_names), p=arche_p)]
        prefix = {"skincare": "SK", "makeup": "MU", "suncare": "SC", "snacks": "SN",
                  "supplements": "SP", "baby": "BB", "home": "HM"}[cat]
        while True:
            sku = f"{prefix}-{rng.integers(1000, 9999)}"
            if sku not in used:
                used.add(sku)
                break
        weekly = np.array(CATS[cat][2]) ** rng.uniform(0.5, 2.0)
        weekly = weekly / weekly.mean()
        conv_scale = CATS[cat][3]
        # --- organic demand level / note baseline per archetype
        onsale = None
        if arche == "steady":
            b = rng.lognormal(math.log(6), 0.8)
            mu_notes = rng.uniform(0.01, 0.15)
            desire = rng.lognormal(math.log(0.6), 0.4)
        elif arche == "social":
            b = rng.lognormal(math.log(1.5), 0.9)
            mu_notes = rng.lognormal(math.log(0.6), 0.7)
            desire = rng.lognormal(math.log(1.2), 0.5)
        elif arche == "launch":
            b = rng.lognormal(math.log(2.5), 0.9)  # post-launch organic level
            mu_notes = rng.lognormal(math.log(0.4), 0.7)
            desire = rng.lognormal(math.log(1.2), 0.7)  # hit or flop
            onsale = int(rng.integers(40, T + 12))
        elif arche == "fading":
            b = rng.lognormal(math.log(12), 0.6)
            mu_notes = rng.lognormal(math.log(0.8), 0.5)
            desire = rng.lognormal(math.log(1.0), 0.4)
        elif arche == "longtail":
            b = rng.uniform(0.05, 0.6)
            mu_notes = rng.uniform(0.0, 0.08)
            desire = rng.lognormal(math.log(0.8), 0.5)
        else:  # quiet: steady seller with essentially no community presence
            b = rng.lognormal(math.log(4), 0.7)
            mu_notes = 0.0
            desire = 0.5
        conv = rng.uniform(0.02, 0.1) * conv_scale
        k_disp = rng.uniform(1.5, 12.0)
        lag = gamma_pmf(rng.uniform(1.5, 3.0), rng.uniform(1.0, 3.0), H)
        brand_search = 0.0 if arche == "quiet" else rng.uniform(0.05, 0.5)
        # slow trend
        trend = np.ones(T)
        if arche == "fading":
            tau = rng.uniform(40, 140)
            t0 = rng.integers(-60, 40)
            trend = np.exp(-np.maximum(np.arange(T) - t0, 0) / tau)
            mu_decay = trend
        else:
            x = 0.0
            theta, sd = 0.03, rng.uniform(0.01, 0.04)
            for t in range(T):
                x += -theta * x + rng.normal(0, sd)
                trend[t] = math.exp(x)
            mu_decay = np.ones(T)
        ramp = np.ones(T)
        seed_start = None
        seed_rate = 0.0
        if onsale is not None:
            seed_start = onsale - int(rng.integers(7, 29))
            seed_rate = rng.lognormal(math.log(1.2), 0.6)
            tr = rng.uniform(5, 20)
            tt = np.arange(T) - onsale
            ramp = np.where(tt < 0, 0.0, 1 - np.exp(-(tt + 1) / tr))
        # stockouts
        stock_out = np.zeros(T, bool)
        if arche in ("steady", "social", "fading") and rng.random() < 0.07:
            s0 = int(rng.integers(20, T - 5))
            stock_out[s0:s0 + int(rng.integers(3, 13))] = True
        # bot episodes
        bots = []
        if rng.random() < 0.2:
            for _ in range(int(rng.integers(1, 4))):
                d0 = int(rng.integers(60, T)) if rng.random() < 0.8 else int(rng.integers(0, T))
                dur = int(rng.integers(1, 4))
                total = rng.lognormal(math.log(3000), 1.1)
                ghost = int(rng.integers(1, 4)) if rng.random() < 0.25 else 0
                bots.append((d0, dur, float(total), ghost))

        reach = np.zeros(T + H)
        qreach = np.zeros(T + H)
        exc = np.zeros(T + H)
        social_dem = np.zeros(T + H)
        S = np.zeros((T, 6), dtype=np.int64)
        units = np.zeros(T, dtype=np.int64)
        expected = np.zeros((T, 2))  # true mean units: all of it, the organic part alone
        pool = 0.0
        pool_rel = rng.uniform(0.3, 0.6)  # share of waiting-list pool released per day
        pool_conv = conv * rng.uniform(1.5, 3.0)
        feedback = rng.uniform(0.005, 0.03)
        notes_wk = np.array([0.95, 0.9, 0.9, 0.95, 1.05, 1.15, 1.1])
        for t in range(T):
            dow = (START + dt.timedelta(days=t)).weekday()
            seas = season(cat, t)
            # --- notes
            lam = mu_notes * mu_decay[t] * seas ** 0.5 * notes_wk[dow] + exc[t]
            if onsale is not None:
                if t < seed_start:
                    lam = 0.02 * mu_notes
                elif t < onsale:
                    frac = (t - seed_start) / max(1, onsale - seed_start)
                    lam += seed_rate * (0.6 + 1.4 * frac)
                else:
                    lam *= 0.5 + ramp[t]
            if t >= 7:
                lam += feedback * units[max(0, t - 10):t - 4].mean()
            n_notes = int(rng.poisson(lam))
            for _ in range(n_notes):
                u = rng.random()  # the first tier whose cumulative share reaches u
                at = int(np.searchsorted(np.cumsum([tier[1] for tier in tiers]), u))
                name, _, lm, ls, hl = tiers[min(at, len(tiers) - 1)]
                seeding = onsale is not None and seed_start <= t < onsale
                if seeding and name == "koc" and rng.random() < 0.3:
                    name, _, lm, ls, hl = tiers[1]  # brands pay mid-tier creators to seed
                R = rng.lognormal(lm, ls)
                q = rng.beta(2, 5) * 2
                d = 0.5 ** (1 / (hl * rng.uniform(0.7, 1.4)))
                prof = (1 - d) * d ** np.arange(H)
                reach[t:t + H] += R * prof
                qreach[t:t + H] += R * q * prof
                m = min(0.8, 0.12 * (R / 300) ** 0.3)
                exc[t + 1:t + 1 + H] += m * (1 - 0.6) * 0.6 ** np.arange(H)
            r, qr = reach[t], qreach[t]
            intent = qr * 0.02 * desire * rng.lognormal(0, 0.3)
            likes = nb(rng, r * 0.05, 3)
            saves = int(rng.poisson(0.7 * intent))
            comments = int(rng.poisson(0.002 * r + 0.08 * intent))
            shares = int(rng.poisson(0.001 * r + 0.05 * intent))
            organic = b * seas * weekly[dow] * trend[t] * ramp[t]
            searches = int(rng.poisson(0.4 * intent + brand_search * organic))
            S[t] = [n_notes, likes, saves, comments, shares, searches]
            # --- conversion of intent into purchases
            if onsale is not None and t < onsale:
                pool = pool * 0.97 + intent
            else:
                social_dem[t:t + H] += intent * conv * lag
                if onsale is not None and pool > 0:
                    rel = pool * pool_rel
                    social_dem[t] += rel * pool_conv
                    pool -= rel
            mean = organic + social_dem[t] * seas ** 0.3
            if onsale is not None and t < onsale:
                mean = 0.0
            u_t = nb(rng, mean, k_disp)
            if stock_out[t]:
                u_t = 0
            expected[t] = (0.0, 0.0) if stock_out[t] else (mean, organic)
            units[t] = u_t
        Snb = S.copy()
        for d0, dur, total, ghost in bots:
            shape = np.array([1.0, 0.6, 0.25][:dur])
            shape = shape / shape.sum()
            for j in range(dur):
                if d0 + j < T:
                    S[d0 + j, 1] += int(total * shape[j] * rng.uniform(0.8, 1.2))
                    if j == 0:
                        S[d0 + j, 0] += ghost
        skus.append((sku, cat))
        sig[sku], sig_nobot[sku], sales[sku] = S, Snb, units
        truth[sku] = dict(category=cat, archetype=arche, onsale=onsale, seed_start=seed_start,
                          bots=[dict(day=d0, dur=dur, likes=round(tot), ghost=g)
                                for d0, dur, tot, g in bots],
                          stockout=[int(x) for x in np.flatnonzero(stock_out)],
                          base=round(float(b), 3), expected=expected, k=k_disp)
    return skus, sig, sig_nobot, sales, truth


def rows(seed: int, n_skus: int = 0, days: int = 200
         ) -> tuple[list[SignalRow], list[SaleRow], dict[str, str], dict[str, dict]]:
    """One world as the forecast reads it: signal rows, sale rows and each SKU's category;
    and the generator's truth per SKU (for the oracles)."""
    n = n_skus or int(np.random.default_rng(seed + 7919).integers(200, 401))
    skus, sig, _, sales, truth = simulate(seed, n, days)
    signals = [SignalRow(START + dt.timedelta(days=t), sku, *(int(v) for v in sig[sku][t]))
               for t in range(days) for sku, _ in skus if sig[sku][t].any()]
    sold = [SaleRow(START + dt.timedelta(days=t), sku, int(sales[sku][t]))
            for t in range(days) for sku, _ in skus if sales[sku][t] > 0]
    return signals, sold, dict(skus), truth


def oracle(truth: dict[str, dict], part: int, *, ahead: bool = True
           ) -> Callable[..., list[ForecastRow]]:
    """A stand-in for `forecast.forecast` that knows each day's true mean (`part` 0: all of
    it; 1: the organic part alone, as if no signal moved a sale) and gives that negative
    binomial's quantiles: what no forecast from the rows can beat. Not `ahead`: every day
    of the horizon gets the true mean of the 28 days before the origin, a perfect reading of
    the past that knows nothing after it (a SKU not yet selling gets 0)."""
    def predict(signals: list[SignalRow], sales: list[SaleRow], *, start: dt.date,
                horizon: int, **_: int) -> list[ForecastRow]:
        out = []
        now = (start - START).days
        for sku in sorted({r.sku for r in signals} | {r.sku for r in sales}):
            k, expected = truth[sku]["k"], truth[sku]["expected"][:, part]
            past = float(expected[max(now - 28, 0):now].mean()) if now > 0 else 0.0
            for h in range(horizon):
                t = now + h
                if ahead:
                    mean = expected[t] if t < len(expected) else 0.0
                else:
                    mean = past
                lo, mid, hi = stats.nbinom.ppf([0.1, 0.5, 0.9], k, k / (k + mean))
                out.append(ForecastRow(sku, start + dt.timedelta(days=h), int(lo), int(mid),
                                       int(hi)))
        return out
    return predict


def write(folder: Path, signals: list[SignalRow], sales: list[SaleRow],
          categories: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "signals.csv", "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["date", "sku", "notes", "likes", "saves", "comments", "shares", "searches"])
        out.writerows([r.day.isoformat(), r.sku, r.notes, r.likes, r.saves, r.comments,
                       r.shares, r.searches] for r in signals)
    with open(folder / "sales.csv", "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["date", "sku", "units"])
        out.writerows([r.day.isoformat(), r.sku, r.units] for r in sales)
    with open(folder / "categories.csv", "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["sku", "category"])
        out.writerows(sorted(categories.items()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="1-6", help="first-last")
    parser.add_argument("--write", type=Path, help="also write each world's CSVs under DIR")
    args = parser.parse_args()
    lo, _, hi = args.seeds.partition("-")
    print(f"{'world':>6}{'SKUs':>6}{'skill':>7}{'overall':>9}{'launches':>10}"
          f"{'not selling':>13}{'new sellers':>13}{'p10-p90':>9}{'oracle':>8}{'launches':>10}"
          f"{'organic':>9}{'past':>7}")
    pooled = [backtest.Report(origins=[], horizon=14) for _ in range(4)]
    for seed in range(int(lo), int(hi or lo) + 1):
        signals, sales, categories, truth = rows(seed)
        if args.write:
            write(args.write / f"w{seed}", signals, sales, categories)
        end = max(r.day for r in sales) - dt.timedelta(days=13)
        origins = [end - dt.timedelta(days=14 * k) for k in range(4)]
        reports = [backtest.backtest(signals, sales, origins=origins, horizon=14, predict=predict)
                   for predict in (None, oracle(truth, 0), oracle(truth, 1),
                                   oracle(truth, 0, ahead=False))]
        panel = features.build_panel(signals, sales, start=end)
        skill = features.signal_skill(panel, panel.days)
        _line(str(seed), len(categories), skill, *reports)
        for total, report in zip(pooled, reports, strict=True):
            merge(total, report)
    _line("all", 0, None, *pooled)


def _line(name: str, skus: int, skill: float | None, report: backtest.Report,
          oracle: backtest.Report, organic: backtest.Report, past: backtest.Report) -> None:
    shown = "" if skill is None else f"{skill:+.2f}"
    print(f"{name:>6}{skus or '':>6}{shown:>7}{report.overall.ratio():>9.3f}"
          f"{report.launches.ratio():>10.3f}{report.not_selling.ratio():>13.3f}"
          f"{report.new_sellers.ratio():>13.3f}{report.overall.coverage:>9.3f}"
          f"{oracle.overall.ratio():>8.3f}{oracle.launches.ratio():>10.3f}"
          f"{organic.overall.ratio():>9.3f}{past.overall.ratio():>7.3f}")


if __name__ == "__main__":
    main()
