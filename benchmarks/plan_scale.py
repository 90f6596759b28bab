"""How long the purchase plan's MIP takes as the catalogue grows, and what it finds.

Usage: .venv/bin/python benchmarks/plan_scale.py [--skus 50,200,1000] [--time-limit 10]

Each size is a seeded synthetic catalogue: every SKU has three sources (Korea and Japan by air,
3-10 days; the US by sea, 20-45 days) into one of three bonded hubs, a 14-day forecast at a
lognormal rate, stock on hand, reserved and in transit, and a budget of 3,000 CNY per SKU.
The plan runs as `fulfilment plan` and the scheduler run it (`inventory.purchasing.plan`).
"""

from __future__ import annotations

import argparse
import random
import time
from decimal import Decimal

from inventory import purchasing

HUBS = ("NGB", "CGO", "SZX")


def catalogue(skus: int, seed: int = 1) -> purchasing.PlanInput:
    """A seeded planning problem of `skus` SKUs."""
    rng = random.Random(seed)
    items, sources, demand = [], [], {}
    for i in range(skus):
        sku = f"S{i:05d}"
        price = rng.randint(3000, 30000)
        items.append(purchasing.Item(sku, price, rng.randint(50, 800),
                                     rng.choice([180, 365, 720]), on_hand=rng.randint(0, 200),
                                     reserved=rng.randint(0, 20), in_transit=rng.randint(0, 50)))
        rate = rng.lognormvariate(1.5, 1.0)
        demand[sku] = [(int(rate * 0.5), int(rate), int(rate * 1.6) + 1)] * 14
        for market, lead in (("KR", rng.randint(3, 8)), ("JP", rng.randint(4, 10)),
                             ("US", rng.randint(20, 45))):
            sources.append(purchasing.Source(
                sku, market, rng.choice(HUBS), int(price * rng.uniform(0.3, 0.6)),
                rng.choice([1, 6, 12, 24]), rng.choice([1, 6, 12]), lead,
                rng.randint(1500, 6000), f"{market} supplier"))
    return purchasing.PlanInput(items, sources, {h: skus * 40 for h in HUBS}, demand,
                                budget_fen=skus * 300_000, review_days=7)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skus", default="50,200,1000")
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args()
    print(f"{'SKUs':>6} {'status':>9} {'seconds':>8} {'lines':>6} {'spent CNY':>14} "
          f"{'margin CNY':>14} {'gap':>7}")
    for skus in (int(s) for s in args.skus.split(",")):
        data = catalogue(skus)
        began = time.perf_counter()
        plan = purchasing.plan(data, time_limit_s=args.time_limit)
        seconds = time.perf_counter() - began
        spent, margin = (Decimal(fen).scaleb(-2) for fen in (plan.spent_fen,
                                                              plan.expected_margin_fen))
        print(f"{skus:>6} {plan.status:>9} {seconds:>8.1f} {len(plan.lines):>6} "
              f"{spent:>14,.2f} {margin:>14,.2f} {_gap(plan):>7}", flush=True)


def _gap(plan: purchasing.Plan) -> str:
    """How far the model's objective may be below the solver's proven bound."""
    return "-" if plan.gap is None else f"{plan.gap:.2%}"


if __name__ == "__main__":
    main()
