"""Small random waves for property tests, drawn by hypothesis."""

from __future__ import annotations

from hypothesis import strategies as st

WAREHOUSES = [("NGB", "bonded", "1210"), ("ZZ", "bonded", "1210"), ("JP", "overseas", "9610")]
COURIERS = ["SF", "ZTO"]
ZONES = ["ZJ", "BJ"]
SKUS = [("A", 180), ("B", 650), ("C", 1150)]
money = st.sampled_from([0, 0.5, 1.0, 2.5, 6.0, 8.0, 12.3, 40.0])


@st.composite
def waves(draw, *, max_orders: int = 5) -> dict:
    """A wave over fixed names with random stock, lanes, capacities and orders; edge cases
    (no stock, no lane, capacity zero, orders larger than any warehouse) arise naturally."""
    lanes = [{"warehouse": w, "courier": c, "zone": z, "first_kg": draw(money),
              "extra_kg": draw(money), "transit_days": draw(st.integers(0, 5))}
             for w, _, _ in WAREHOUSES for c in COURIERS for z in ZONES if draw(st.booleans())]
    n_orders = draw(st.integers(0, max_orders))
    orders = []
    for i in range(n_orders):
        skus = draw(st.lists(st.sampled_from([s for s, _ in SKUS]), min_size=1, max_size=3,
                             unique=True))
        orders.append({"id": f"R{i}", "zone": draw(st.sampled_from(ZONES)),
                       "days_left": draw(st.integers(0, 4)),
                       "lines": [{"sku": s, "qty": draw(st.integers(1, 4))} for s in skus]})
    return {
        "wave_id": "W-PROP",
        "warehouses": [{"id": w, "kind": k, "customs_mode": m,
                        "pick_capacity_units": draw(st.one_of(st.none(), st.integers(0, 8)))}
                       for w, k, m in WAREHOUSES],
        "couriers": [{"id": c} for c in COURIERS],
        "lanes": lanes,
        "courier_capacity": [{"warehouse": w, "courier": c, "parcels": draw(st.integers(0, 3))}
                             for w, _, _ in WAREHOUSES for c in COURIERS if draw(st.booleans())],
        "skus": [{"id": s, "weight_g": g} for s, g in SKUS],
        "stock": [{"warehouse": w, "sku": s, "qty": draw(st.integers(0, 6))}
                  for w, _, _ in WAREHOUSES for s, _ in SKUS if draw(st.booleans())],
        "unit_tax": [{"sku": s, "customs_mode": m, "amount": draw(money)}
                     for s, _ in SKUS for m in ("1210", "9610") if draw(st.booleans())],
        "orders": orders,
        "penalties": {"extra_parcel": draw(money), "late_per_day": draw(money),
                      "unfulfilled_unit": draw(st.sampled_from([0, 20.0, 500.0]))},
        "max_parcels_per_order": draw(st.one_of(st.none(), st.integers(1, 3))),
    }


@st.composite
def lane_mixes(draw, *, max_orders: int = 2) -> dict:
    """Tiny waves of heavy parcels where a warehouse may reach a zone by a flat-rate courier
    (extra_kg 0), a per-kg one, or both: small enough to enumerate every allocation."""
    houses = WAREHOUSES[:2]
    per_kg = st.sampled_from([0.5, 2.5, 6.0])
    lanes = []
    for w, _, _ in houses:
        for z in ZONES:
            # mostly both couriers, one of them flat-rate: the mix a model can get wrong
            kind = draw(st.sampled_from(["mixed", "mixed", "one", "none"]))
            flat = draw(st.sampled_from(COURIERS))
            for c in COURIERS if kind == "mixed" else [flat] if kind == "one" else []:
                extra = (0 if c == flat else draw(per_kg)) if kind == "mixed" else draw(
                    st.one_of(st.just(0), per_kg))
                lanes.append({"warehouse": w, "courier": c, "zone": z, "first_kg": draw(money),
                              "extra_kg": extra, "transit_days": draw(st.integers(0, 3))})
    skus = [("A", 180), ("H", 1150), ("X", 2600)]
    orders = []
    for i in range(draw(st.integers(1, max_orders))):
        picked = draw(st.lists(st.sampled_from([s for s, _ in skus]), min_size=1, max_size=2,
                               unique=True))
        orders.append({"id": f"R{i}", "zone": draw(st.sampled_from(ZONES)),
                       "days_left": draw(st.integers(0, 2)),
                       "lines": [{"sku": s, "qty": draw(st.integers(1, 2))} for s in picked]})
    return {
        "wave_id": "W-LANES",
        "warehouses": [{"id": w, "kind": k, "customs_mode": m,
                        "pick_capacity_units": draw(st.one_of(st.none(), st.integers(1, 4)))}
                       for w, k, m in houses],
        "couriers": [{"id": c} for c in COURIERS],
        "lanes": lanes,
        "courier_capacity": [{"warehouse": w, "courier": c, "parcels": draw(st.integers(0, 2))}
                             for w, _, _ in houses for c in COURIERS if draw(st.booleans())],
        "skus": [{"id": s, "weight_g": g} for s, g in skus],
        "stock": [{"warehouse": w, "sku": s, "qty": draw(st.integers(1, 3))}
                  for w, _, _ in houses for s, _ in skus],
        "unit_tax": [{"sku": s, "customs_mode": m, "amount": draw(money)}
                     for s, _ in skus for m in ("1210", "9610") if draw(st.booleans())],
        "orders": orders,
        "penalties": {"extra_parcel": draw(money), "late_per_day": draw(money),
                      "unfulfilled_unit": draw(st.sampled_from([20.0, 500.0]))},
        "max_parcels_per_order": draw(st.one_of(st.none(), st.integers(1, 2))),
    }
