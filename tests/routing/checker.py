"""An independent feasibility-and-cost checker for routing solutions.

Written from the contract alone (not from routing.cost): plain dicts in, Decimal money, so a
mistake in the package's cost cannot hide in the tests.
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal


def D(x) -> Decimal:
    return Decimal(str(x))


def cent(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def check(wave: dict, solution: dict) -> Decimal:
    """Assert the solution is feasible and its figures are the contract's; return exact total."""
    wh = {w["id"]: w for w in wave["warehouses"]}
    lanes = {(x["warehouse"], x["courier"], x["zone"]): x for x in wave["lanes"]}
    caps = {(c["warehouse"], c["courier"]): c["parcels"] for c in wave.get("courier_capacity", [])}
    weight = {s["id"]: s["weight_g"] for s in wave["skus"]}
    stock = Counter()
    for row in wave.get("stock", []):
        stock[(row["warehouse"], row["sku"])] += row["qty"]
    tax = {(t["sku"], t["customs_mode"]): D(t["amount"]) for t in wave.get("unit_tax", [])}
    orders = {o["id"]: o for o in wave["orders"]}
    pen = {k: D(v) for k, v in wave["penalties"].items()}
    shipped, used_stock, picked, pickups = Counter(), Counter(), Counter(), Counter()
    parcels_of: Counter = Counter()
    seen = set()
    ship_total = tax_total = late_total = Decimal(0)
    for p in solution["parcels"]:
        order = orders[p["order"]]
        lane = lanes[(p["warehouse"], p["courier"], order["zone"])]  # KeyError = no lane
        assert (p["order"], p["warehouse"]) not in seen, "two parcels from one warehouse"
        seen.add((p["order"], p["warehouse"]))
        parcels_of[p["order"]] += 1
        grams = 0
        p_tax = Decimal(0)
        assert p["lines"], "empty parcel"
        for line in p["lines"]:
            assert line["qty"] > 0
            grams += weight[line["sku"]] * line["qty"]
            shipped[(p["order"], line["sku"])] += line["qty"]
            used_stock[(p["warehouse"], line["sku"])] += line["qty"]
            picked[p["warehouse"]] += line["qty"]
            p_tax += tax.get((line["sku"], wh[p["warehouse"]]["customs_mode"]), 0) * line["qty"]
        pickups[(p["warehouse"], p["courier"])] += 1
        kg = -(-grams // 1000)
        p_ship = D(lane["first_kg"]) + D(lane["extra_kg"]) * max(0, kg - 1)
        late = max(0, lane["transit_days"] - order["days_left"])
        assert p["weight_g"] == grams
        assert D(p["shipping"]) == cent(p_ship), (p, p_ship)
        assert D(p["tax"]) == cent(p_tax), (p, p_tax)
        assert p["late_days"] == late
        ship_total += p_ship
        tax_total += p_tax
        late_total += pen["late_per_day"] * late
    ordered = Counter()
    for o in wave["orders"]:
        for line in o["lines"]:
            ordered[(o["id"], line["sku"])] += line["qty"]
    for key, qty in shipped.items():
        assert qty <= ordered[key], f"{key} over-shipped"
    for key, qty in used_stock.items():
        assert qty <= stock[key], f"{key} beyond stock"
    for w, qty in picked.items():
        cap = wh[w].get("pick_capacity_units")
        assert cap is None or qty <= cap, f"{w} beyond pick capacity"
    for key, n in pickups.items():
        assert key not in caps or n <= caps[key], f"{key} beyond courier capacity"
    limit = wave.get("max_parcels_per_order")
    assert limit is None or all(n <= limit for n in parcels_of.values())
    missing = {k: q - shipped[k] for k, q in ordered.items() if q > shipped[k]}
    reported = {(u["order"], u["sku"]): u["qty"] for u in solution["unfulfilled"]}
    assert reported == missing
    split = pen["extra_parcel"] * sum(n - 1 for n in parcels_of.values())
    unf = pen["unfulfilled_unit"] * sum(missing.values())
    total = ship_total + tax_total + split + late_total + unf
    cost = solution["cost"]
    for name, value in (("shipping", ship_total), ("tax", tax_total), ("split", split),
                        ("late", late_total), ("unfulfilled", unf), ("total", total)):
        assert D(cost[name]) == cent(value), (name, cost[name], value)
    assert D(solution["objective"]) == cent(total)
    if solution.get("lower_bound") is not None:
        assert D(solution["lower_bound"]) <= cent(total)
    return total
