"""Backtest the pooled forecast on seeded worlds it was never tuned on; print WAPE and coverage.

Usage: .venv/bin/python benchmarks/forecast.py [--seeds 7001,7002,7003 | 40001-40012] [--write]
                                               [--silent-share 0.25] [--shape slow-launch]
                                               [--mis-keyed-share 1.0] [--never-sold-share 0.1]
                                               [--signal-lag 2] [--outliers 2]
With --write the figures replace the "## Forecasts (benchmarks/forecast.py)" section of
docs/performance.md. Features were tuned on seeds 1, 2, 7, 101 and 102; seeds 9001-9003 then
chose between model variants, so the default seeds 7001-7003 were never looked at before.
With --silent-share a share of each world's SKUs (drawn from its seed) loses every signal row,
as products nobody posts about still sell; they are scored as the group "no signals".
With --mis-keyed-share a share of SKUs has its signals filed under each other's codes, as a
broken export would; they are scored as the group "mis-keyed". With --never-sold-share a share
of SKUs' signals is copied onto products that never sell (talked about, not carried), scored as
"never sold": no units of their own, so their misses show in the overall figure. With
--signal-lag D the signals export at each origin ends D days before the sales export. With
--outliers N each world gains N products sold in bulk orders (thousands of units on about one
day in four) and N steady best sellers (hundreds a day), none with signals, scored as the
groups "wholesale" and "best seller": the other groups should not move for them.
With --shape the worlds come from a market that differs from the default in one trait
(`inventory/worlds.py` SHAPES): how the model holds up on data it was not built for.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from dataclasses import fields
from datetime import timedelta
from pathlib import Path

import numpy as np

from inventory import backtest, worlds
from inventory.signals import SaleRow, SignalRow

HEADING = "## Forecasts (benchmarks/forecast.py)"
DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
MARKER = "<!-- end of benchmarks/forecast.py output; what follows is kept by --write -->\n"


def world_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The worlds and origins scored; forecast_floor.py takes the same so both see one set."""
    parser.add_argument("--seeds", default="7001,7002,7003")
    parser.add_argument("--skus", type=int, default=60)
    parser.add_argument("--days", type=int, default=200)
    parser.add_argument("--origins", type=int, default=4)
    parser.add_argument("--horizon", type=int, default=14)
    parser.add_argument("--shape", default="default", choices=list(worlds.SHAPES),
                        help="a market unlike the default worlds (inventory/worlds.py SHAPES)")
    return parser


def fault_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """What goes wrong in the exports scored (`score_world`); forecast_shapes.py takes them too."""
    parser.add_argument("--silent-share", type=float, default=0.0)
    parser.add_argument("--mis-keyed-share", type=float, default=0.0)
    parser.add_argument("--never-sold-share", type=float, default=0.0)
    parser.add_argument("--signal-lag", type=int, default=0,
                        help="days by which the signals export ends before the sales export")
    parser.add_argument("--outliers", type=int, default=0,
                        help="bulk-order products and steady best sellers added to each world")
    return parser


def merge(total: backtest.Report, part: backtest.Report) -> None:
    """Add one world's sums into the running total (WAPE pools units over all worlds)."""
    groups = [(into, add) for (_, into), (_, add) in zip(total.fixed(), part.fixed(), strict=True)]
    groups += [(total.categories[c], s) for c, s in part.categories.items()]
    for into, add in groups:
        for f in fields(backtest.Scores):
            setattr(into, f.name, getattr(into, f.name) + getattr(add, f.name))
    total.origins.extend(part.origins)


def spread(parts: list[backtest.Scores], resamples: int = 2000) -> float:
    """Standard deviation of the pooled model / 28-day-mean WAPE ratio when the worlds are
    drawn again with replacement: how much the figure owes to which worlds were drawn."""
    sums = np.array([[s.model, s.mean28] for s in parts])
    rng = np.random.default_rng(0)
    picks = rng.integers(0, len(parts), (resamples, len(parts)))
    drawn = sums[picks].sum(axis=1)
    return float(np.std(drawn[:, 0] / np.where(drawn[:, 1] > 0, drawn[:, 1], np.nan)))


def drawn(skus: dict[str, str], share: float, seed: int | list[int]) -> list[str]:
    """A `share` of the SKUs (keys of `skus`, in order), drawn reproducibly from `seed`."""
    draws = np.random.default_rng(seed).random(len(skus))
    return [s for s, d in zip(sorted(skus), draws, strict=True) if d < share]


def silenced(world: worlds.World, seed: int, share: float
             ) -> tuple[list[SignalRow], dict[str, str]]:
    """The world's signals without those of a `share` of its SKUs (drawn from `seed`), and the
    group each SKU is scored in: "no signals" for those, else its category."""
    silent = set(drawn(world.categories, share, seed))
    groups = {s: "no signals" if s in silent else c for s, c in world.categories.items()}
    return [r for r in world.signals if r.sku not in silent], groups


def mis_keyed(signals: list[SignalRow], groups: dict[str, str], seed: int, share: float
              ) -> list[SignalRow]:
    """The signals with those of a `share` of SKUs (drawn from `seed`) filed under each other's
    codes, as a broken export would: each drawn SKU's rows go to the next drawn SKU, which is
    scored in the group "mis-keyed" (changed in place in `groups`)."""
    chosen = drawn(groups, share, [seed, 1])
    moved = dict(zip(chosen, chosen[1:] + chosen[:1], strict=True))
    groups.update({s: "mis-keyed" for s in chosen if moved[s] != s})
    return [dataclasses.replace(r, sku=moved.get(r.sku, r.sku)) for r in signals]


def never_sold(signals: list[SignalRow], groups: dict[str, str], seed: int, share: float
               ) -> list[SignalRow]:
    """The signals plus, for a `share` of SKUs (drawn from `seed`), a product with the same
    signals that never sells (talked about, not carried), scored in the group "never sold"
    (added to `groups`)."""
    twins = {s: f"{s}-X" for s in drawn(groups, share, [seed, 2])}
    groups.update({twin: "never sold" for twin in twins.values()})
    return signals + [dataclasses.replace(r, sku=twins[r.sku]) for r in signals if r.sku in twins]


def outliers(world: worlds.World, groups: dict[str, str], seed: int, count: int
             ) -> list[SaleRow]:
    """The world's sales plus `count` products sold in bulk orders (1,000-5,000 units on about
    one day in four) and `count` steady best sellers (Poisson at 200-800 a day, a weekend lift),
    all from the world's first day and without signals, scored in the groups "wholesale" and
    "best seller" (added to `groups`): a real catalogue's outliers of scale and lumpiness."""
    rng = np.random.default_rng([seed, 3])
    first = min(r.day for r in world.sales)
    last = max(r.day for r in world.sales)
    days = [first + timedelta(days=t) for t in range((last - first).days + 1)]
    rows = list(world.sales)
    for k in range(count):
        bulk, rate = int(rng.integers(1000, 5001)), float(rng.uniform(200, 800))
        groups[f"BULK-{k}"], groups[f"BEST-{k}"] = "wholesale", "best seller"
        rows += [SaleRow(d, f"BULK-{k}", bulk) for d in days if rng.random() < 0.25]
        rows += [SaleRow(d, f"BEST-{k}", int(rng.poisson(rate * (1.2 if d.weekday() >= 5
                                                                 else 1.0))))
                 for d in days]
    return rows


def score_world(seed: int, shape: str, args: argparse.Namespace) -> backtest.Report:
    """One world of `shape` backtested at the benchmark's origins, its exports spoilt as
    `fault_arguments` says: a share of SKUs without signals, with another's, or copied onto
    products that never sell; signals ending days before the sales. forecast_shapes.py scores
    its worlds with this too."""
    world = worlds.generate(seed, skus=args.skus, days=args.days, shape=worlds.SHAPES[shape])
    signals, groups = silenced(world, seed, args.silent_share)
    if args.mis_keyed_share:
        signals = mis_keyed(signals, groups, seed, args.mis_keyed_share)
    if args.never_sold_share:
        signals = never_sold(signals, groups, seed, args.never_sold_share)
    sales = outliers(world, groups, seed, args.outliers) if args.outliers else world.sales
    origins = world.origins(args.origins, args.horizon)
    if not args.signal_lag:
        return backtest.backtest(signals, sales, origins=origins, horizon=args.horizon,
                                 categories=groups, threads=1)
    total = backtest.Report(origins=[], horizon=args.horizon)
    for origin in origins:
        # the rows from the origin on stay: the forecast skips them, and its SKUs are the same
        late = origin - timedelta(days=args.signal_lag)
        exported = [r for r in signals if not late <= r.day < origin]
        merge(total, backtest.backtest(exported, sales, origins=[origin],
                                       horizon=args.horizon, categories=groups, threads=1))
    total.origins.sort()
    return total


def main() -> None:
    parser = fault_arguments(world_arguments(argparse.ArgumentParser()))
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    seeds = worlds.parse_seeds(args.seeds)
    total = backtest.Report(origins=[], horizon=args.horizon)
    parts: list[backtest.Report] = []
    began = time.perf_counter()
    for seed in seeds:
        part = score_world(seed, args.shape, args)
        parts.append(part)
        merge(total, part)
    total.origins.sort()
    seconds = time.perf_counter() - began
    o, la = total.overall, total.launches
    silent = f", signals dropped for {args.silent_share:.0%} of SKUs" if args.silent_share else ""
    silent += (f", signals of {args.mis_keyed_share:.0%} of SKUs under each other's codes"
               if args.mis_keyed_share else "")
    silent += (f", {args.never_sold_share:.0%} of SKUs' signals also on a product never sold"
               if args.never_sold_share else "")
    silent += (f", signals ending {args.signal_lag} days before the sales"
               if args.signal_lag else "")
    silent += f", shape {args.shape}" if args.shape != "default" else ""
    lines = [f"worlds: seeds {args.seeds} ({args.skus} SKUs x {args.days} days each{silent}), "
             f"{args.origins} origins per world every 14 days, horizon {args.horizon} days, "
             f"{seconds:.0f} s in all",
             "", "```", *backtest.describe(total)[1:], "```", "",
             f"- overall: model WAPE / 28-day-mean WAPE = {o.ratio():.3f} (goal <= 0.85; "
             f"+-{spread([p.overall for p in parts]):.3f} over redrawn worlds)",
             f"- launches: model WAPE / 28-day-mean WAPE = {la.ratio():.3f} "
             f"(goal <= 0.70; +-{spread([p.launches for p in parts]):.3f} over redrawn worlds)",
             f"- calibration: {o.coverage:.1%} of actual days inside [p10, p90] (goal ~80%)"]
    print("\n".join(lines))
    if args.write:
        write_section(["Command: `.venv/bin/python benchmarks/forecast.py --write`", "", *lines])


def write_section(lines: list[str]) -> None:
    """Replace this benchmark's output in docs/performance.md (or append the section).

    Only the text up to `MARKER` is replaced: the hand-written notes after it stay.
    """
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    body = HEADING + "\n\n" + "\n".join(lines) + "\n" + MARKER
    if HEADING in text:
        head, rest = text.split(HEADING, 1)
        if MARKER in rest:
            tail = rest.split(MARKER, 1)[1]
        else:
            parts = rest.split("\n## ", 1)
            tail = "\n\n## " + parts[1] if len(parts) > 1 else ""
        text = head + body + tail
    else:
        text = text.rstrip("\n") + "\n\n" + body
    DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
