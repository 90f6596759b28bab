"""How close `routing.solve` keeps to its time limit on waves with many warehouses.

Usage: .venv/bin/python benchmarks/solve_time_limit.py [--cases 2000x20@0.05,2000x20@2,8000x20@2]

Each case is ORDERSxWAREHOUSES@LIMIT: a seeded wave (30 zones, SF and YTO on every lane at
unrounded float prices, 300 SKUs in random stock everywhere, 1-4 lines an order), as the
fuzzing pass that found the limit ignored sent it over HTTP. Prints the wall time from the
JSON text to the answer (parsing included, as the route and the command line count it), the
status, the costs and the solver's note. Run in its own process per case, so one case's
HiGHS thread given up on cannot slow the next.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import routing  # noqa: E402


def problem(orders: int, warehouses: int, skus: int = 300, seed: int = 1) -> dict:
    rng = random.Random(seed)
    whs = [{"id": f"W{i}", "kind": "bonded", "customs_mode": "1210"} for i in range(warehouses)]
    zones = [f"Z{i}" for i in range(30)]
    lanes = [{"warehouse": w["id"], "courier": c, "zone": z, "first_kg": 5 + rng.random() * 10,
              "extra_kg": 2.0, "transit_days": rng.randint(1, 5)}
             for w in whs for c in ("SF", "YTO") for z in zones]
    return {"wave_id": "LIMIT", "warehouses": whs, "couriers": [{"id": "SF"}, {"id": "YTO"}],
            "lanes": lanes, "courier_capacity": [], "unit_tax": [],
            "skus": [{"id": f"S{i}", "weight_g": rng.randint(50, 2000)} for i in range(skus)],
            "stock": [{"warehouse": w["id"], "sku": f"S{i}", "qty": rng.randint(0, 50)}
                      for w in whs for i in range(skus)],
            "orders": [{"id": f"O{i}", "zone": rng.choice(zones), "days_left": 3,
                        "lines": [{"sku": f"S{s}", "qty": rng.randint(1, 3)}
                                  for s in rng.sample(range(skus), rng.randint(1, 4))]}
                       for i in range(orders)],
            "penalties": {"extra_parcel": 8.0, "late_per_day": 15.0, "unfulfilled_unit": 500.0}}


def run_case(case: str) -> dict:
    size, limit = case.split("@")
    orders, warehouses = (int(x) for x in size.split("x"))
    text = json.dumps(problem(orders, warehouses))
    started = time.perf_counter()
    sol = routing.solve(routing.Wave.from_json(text), time_limit_s=float(limit), workers=2,
                        seed=0, started=started)
    return {"case": case, "mb": len(text) / 1e6, "seconds": time.perf_counter() - started,
            "status": sol.status.value, "cost": sol.objective,
            "greedy": sol.baseline_objective, "note": sol.note or ""}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default="2000x20@0.05,2000x20@2,8000x20@2,8000x20@10")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_case(args.one)))
        return
    print("| orders x warehouses @ limit | MB | seconds | status | cost | greedy | note |")
    print("|---|---:|---:|---|---:|---:|---|")
    for case in args.cases.split(","):
        out = subprocess.run([sys.executable, __file__, "--one", case], capture_output=True,
                             text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"| {r['case']} | {r['mb']:.2f} | {r['seconds']:.2f} | {r['status']} "
              f"| {r['cost']:,.2f} | {r['greedy']:,.2f} | {r['note'][:80]} |", flush=True)


if __name__ == "__main__":
    main()
