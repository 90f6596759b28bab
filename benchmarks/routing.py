"""Allocation-wave benchmark: seeded realistic waves of 300, 3,000 and 20,000 orders.

Prints cost, proven bound, gap, ratio to the greedy rule, seconds and peak memory per size.
Each size runs in its own process so peak memory (max RSS, CP-SAT included) is its own.

    .venv/bin/python benchmarks/routing.py [--sizes 300,3000,20000] [--workers 2] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import routing  # noqa: E402
from routing.zones import CAPITAL_XY, PROVINCES  # noqa: E402

# buyers are where people are: a crude population weight per province
_POP = {"GD": 12, "SD": 10, "HA": 9, "JS": 8, "SC": 8, "HE": 7, "ZJ": 6, "HN": 6, "AH": 6,
        "HB": 6, "GX": 5, "YN": 5, "JX": 4, "LN": 4, "FJ": 4, "SN": 4, "SX": 3, "GZ": 3, "CQ": 3,
        "HL": 3, "XJ": 2, "GS": 2, "NM": 2, "SH": 2, "JL": 2, "BJ": 2, "TJ": 1, "HI": 1, "NX": 1,
        "QH": 1, "XZ": 1}
_BONDED = [("NGB", "ZJ"), ("GZ-NS", "GD"), ("ZZ", "HA"), ("CQ-LG", "CQ"), ("TJ-DG", "TJ")]
_OVERSEAS = ["JP-TYO", "KR-ICN"]
_DOMESTIC = {"SF": (12.0, 4.0, 0), "ZTO": (6.0, 1.5, 1), "YTO": (5.5, 1.5, 1), "JD": (9.0, 3.0, 0)}


def wave(n_orders: int, *, seed: int = 7) -> routing.Wave:
    """A flash-sale wave: Zipf SKU popularity, stock spread unevenly, tight courier pick-ups."""
    rnd = random.Random(seed)
    n_skus = max(30, min(400, n_orders // 10))
    skus = [{"id": f"SKU-{i:04d}", "weight_g": int(min(3000, rnd.lognormvariate(5.6, 0.7)))}
            for i in range(n_skus)]
    popularity = [1 / (i + 1) ** 1.1 for i in range(n_skus)]
    zones = [code for code, _ in PROVINCES]
    orders, demand = [], [0] * n_skus
    for k in range(n_orders):
        picked = set(rnd.choices(range(n_skus), popularity, k=rnd.choice([1, 1, 1, 2, 2, 3])))
        lines = []
        for i in sorted(picked):
            qty = rnd.choice([1, 1, 1, 2, 3])
            demand[i] += qty
            lines.append({"sku": skus[i]["id"], "qty": qty})
        orders.append({"id": f"O{k:06d}", "zone": rnd.choices(zones, [_POP[z] for z in zones])[0],
                       "days_left": rnd.choice([1, 2, 2, 3, 3, 4, 5]), "lines": lines})
    warehouses = ([{"id": w, "kind": "bonded", "customs_mode": "1210",
                    "pick_capacity_units": int(n_orders * 0.45)} for w, _ in _BONDED]
                  + [{"id": w, "kind": "overseas", "customs_mode": "9610",
                      "pick_capacity_units": None} for w in _OVERSEAS])
    stock = []
    for i, d in enumerate(demand):
        # bonded hubs hold ~85% of demand, unevenly; overseas warehouses hold plenty
        holders = rnd.sample([w for w, _ in _BONDED], rnd.randint(1, 3))
        shares = [rnd.random() + 0.2 for _ in holders]
        for w, s in zip(holders, shares, strict=True):
            stock.append({"warehouse": w, "sku": skus[i]["id"],
                          "qty": int(d * 0.85 * s / sum(shares))})
        stock.append({"warehouse": rnd.choice(_OVERSEAS), "sku": skus[i]["id"], "qty": d + 2})
    lanes, capacity = [], []
    for w, home in _BONDED:
        for c, (first, extra, slow) in _DOMESTIC.items():
            for z in zones:
                km = math.dist(CAPITAL_XY[home], CAPITAL_XY[z])
                lanes.append({"warehouse": w, "courier": c, "zone": z,
                              "first_kg": round(first + 1.2 * km + rnd.uniform(0, 1), 1),
                              "extra_kg": round(extra + 0.5 * km, 1),
                              "transit_days": 1 + slow + int(km / 1.5)})
            # cheap couriers are the bottleneck of a flash sale
            share = 0.12 if slow else 0.5
            capacity.append({"warehouse": w, "courier": c, "parcels": int(n_orders * share)})
    for w in _OVERSEAS:
        for z in zones:
            lanes.append({"warehouse": w, "courier": "EMS", "zone": z,
                          "first_kg": round(rnd.uniform(38, 45), 1), "extra_kg": 13.0,
                          "transit_days": rnd.randint(6, 9)})
    unit_tax = []
    for s in skus:
        price = rnd.uniform(40, 600)
        unit_tax.append({"sku": s["id"], "customs_mode": "1210", "amount": round(price * 0.091, 2)})
        unit_tax.append({"sku": s["id"], "customs_mode": "9610",
                         "amount": round(price * rnd.uniform(0.08, 0.12), 2)})
    return routing.parse({
        "wave_id": f"BENCH-{n_orders}-{seed}", "warehouses": warehouses,
        "couriers": [{"id": c} for c in [*_DOMESTIC, "EMS"]], "lanes": lanes,
        "courier_capacity": capacity, "skus": skus, "stock": stock, "unit_tax": unit_tax,
        "orders": orders, "max_parcels_per_order": 3,
        "penalties": {"extra_parcel": 8.0, "late_per_day": 15.0, "unfulfilled_unit": 500.0}})


LIMITS = {300: 20.0, 3000: 60.0, 20000: 300.0}


def run_one(n: int, *, workers: int, seed: int) -> dict:
    w = wave(n, seed=seed)
    started = time.perf_counter()
    sol = routing.solve(w, time_limit_s=LIMITS.get(n, 60.0), workers=workers, seed=0)
    seconds = time.perf_counter() - started
    bound = sol.lower_bound
    return {"orders": n, "status": sol.status.value, "cost": sol.objective, "bound": bound,
            "gap_pct": None if not bound else 100 * (sol.objective - bound) / sol.objective,
            "greedy": sol.baseline_objective,
            "ratio": sol.objective / sol.baseline_objective, "seconds": seconds,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="300,3000,20000")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, workers=args.workers, seed=args.seed)))
        return
    print("| orders | status | cost (CNY) | bound | gap | greedy | ratio to greedy | seconds "
          "| peak MB |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for n in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(n), "--workers",
                              str(args.workers), "--seed", str(args.seed)],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        gap = "-" if r["gap_pct"] is None else f"{r['gap_pct']:.2f}%"
        bound = "-" if r["bound"] is None else f"{r['bound']:,.2f}"
        print(f"| {n:,} | {r['status']} | {r['cost']:,.2f} | {bound} | {gap} "
              f"| {r['greedy']:,.2f} | {r['ratio']:.3f} | {r['seconds']:.1f} "
              f"| {r['peak_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
