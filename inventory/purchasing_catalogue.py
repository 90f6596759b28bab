"""Files for `fulfilment plan`: the purchasing catalogue CSV in, the forecast CSV in, plan out.

Catalogue CSV, one row per way of buying a SKU (a source market into a bonded hub):

    sku,market,hub,price,unit_cost,weight_kg,shelf_life_days,moq,case_pack,lead_days,
    freight_per_kg,on_hand,reserved,in_transit,hub_capacity[,supplier][,leftover_loss]

- `price`, `unit_cost`, `freight_per_kg`: CNY with at most two decimals (kept in fen inside).
- `on_hand`, `reserved`, `in_transit`: units of the SKU at/for that hub; repeat the same values
  on every row of the same SKU and hub. `hub_capacity`: free units the hub can still take.
- `price`, `weight_kg`, `shelf_life_days` belong to the SKU and must agree across its rows.
- `leftover_loss` (optional, 0..1, default 0.25): share of landed cost lost per unit left over.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

from inventory import purchasing
from inventory.planning_errors import InvalidCatalogue

COLUMNS = ("sku", "market", "hub", "price", "unit_cost", "weight_kg", "shelf_life_days", "moq",
           "case_pack", "lead_days", "freight_per_kg", "on_hand", "reserved", "in_transit",
           "hub_capacity")
PLAN_COLUMNS = ("sku", "market", "supplier", "hub", "qty", "cases", "unit_cost", "landed_cost",
                "line_cost", "forecast_units", "cover_days", "sell_through", "expected_margin",
                "reason")


def parse_catalogue(text: str, *, demand: dict[str, list[tuple[int, int, int]]],
                    budget_fen: int, review_days: int = 7) -> purchasing.PlanInput:
    """Read a catalogue CSV into a PlanInput; every bad row is reported, nothing half-read."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = [f.strip() for f in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in fields]
    if missing:
        raise InvalidCatalogue("catalogue header incomplete",
                               [{"field": "header", "reason": f"missing column {c!r}"}
                                for c in missing])
    problems: list[dict] = []
    items: dict[str, dict] = {}
    stock: dict[tuple[str, str], tuple[int, int, int]] = {}
    hubs: dict[str, int] = {}
    sources = []
    for line_no, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        got = _row(row, line_no, problems)
        if got is None:
            continue
        item, source, on_hand, capacity = got
        _agree(items, item["sku"], item, f"row {line_no}", problems)
        _agree(stock, (source.sku, source.hub), on_hand, f"row {line_no}.on_hand", problems)
        _agree(hubs, source.hub, capacity, f"row {line_no}.hub_capacity", problems)
        sources.append(source)
    if problems:
        raise InvalidCatalogue("catalogue refused", problems)
    position: dict[str, list[int]] = {sku: [0, 0, 0] for sku in items}
    for (sku, _hub), values in stock.items():
        position[sku] = [a + b for a, b in zip(position[sku], values, strict=True)]
    return purchasing.PlanInput(
        items=[purchasing.Item(**i, on_hand=position[s][0], reserved=position[s][1],
                               in_transit=position[s][2]) for s, i in items.items()],
        sources=sources, hub_capacity=hubs, demand=demand, budget_fen=budget_fen,
        review_days=review_days)


def _row(row: dict[str, str], n: int, problems: list[dict]):
    """One catalogue row as (item fields, Source, stock triple, hub capacity), or None."""
    before = len(problems)
    f = f"row {n}"
    sku, market, hub = row["sku"], row["market"], row["hub"]
    for name in ("sku", "market", "hub"):
        if not row[name]:
            problems.append({"field": f"{f}.{name}", "reason": "must not be empty"})
    price, cost, freight = (money_fen(row[c], f"{f}.{c}", problems)
                            for c in ("price", "unit_cost", "freight_per_kg"))
    weight = _decimal(row["weight_kg"], f"{f}.weight_kg", problems)
    ints = {c: _int(row[c], f"{f}.{c}", problems, low=1 if c == "case_pack" else 0)
            for c in ("shelf_life_days", "moq", "case_pack", "lead_days", "on_hand", "reserved",
                      "in_transit", "hub_capacity")}
    loss = _decimal(row.get("leftover_loss") or "0.25", f"{f}.leftover_loss", problems)
    if loss is not None and not 0 <= loss <= 1:
        problems.append({"field": f"{f}.leftover_loss", "reason": "must be between 0 and 1"})
    if len(problems) > before:
        return None
    item = {"sku": sku, "price_fen": price, "weight_g": int(weight * 1000),
            "shelf_life_days": ints["shelf_life_days"], "leftover_loss": float(loss)}
    source = purchasing.Source(sku, market, hub, cost, ints["moq"], ints["case_pack"],
                               ints["lead_days"], freight, row.get("supplier") or market)
    return item, source, (ints["on_hand"], ints["reserved"], ints["in_transit"]), \
        ints["hub_capacity"]


def _agree(seen: dict, key, value, field: str, problems: list[dict]) -> None:
    """Values repeated across rows (SKU facts, hub stock, hub capacity) must be the same."""
    if key in seen and seen[key] != value:
        problems.append({"field": field, "reason": f"disagrees with an earlier row for {key!r}"})
    seen.setdefault(key, value)


def money_fen(raw: str, field: str, problems: list[dict]) -> int:
    """CNY text with at most two decimals -> integer fen (0 after recording a problem)."""
    value = _decimal(raw, field, problems)
    if value is None:
        return 0
    fen = value * 100
    if fen != fen.to_integral_value() or fen < 0:
        problems.append({"field": field, "reason": "must be CNY >= 0 with at most 2 decimals"})
        return 0
    return int(fen)


def _decimal(raw: str, field: str, problems: list[dict]) -> Decimal | None:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0:
        problems.append({"field": field, "reason": f"must be a non-negative number, got {raw!r}"})
        return None
    return value


def _int(raw: str, field: str, problems: list[dict], *, low: int = 0) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if value < low:
        problems.append({"field": field, "reason": f"must be an integer >= {low}, got {raw!r}"})
        return low
    return value


def parse_forecast(text: str) -> dict[str, list[tuple[int, int, int]]]:
    """A forecast CSV (`sku,date,p10,p50,p90`) -> per SKU daily quantiles in date order."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    problems: list[dict] = []
    daily: dict[str, list[tuple[date, tuple[int, int, int]]]] = {}
    for n, row in enumerate(reader, start=2):
        try:
            day = date.fromisoformat((row.get("date") or "").strip())
            q = tuple(int(float(row[c])) for c in ("p10", "p50", "p90"))
            sku = (row.get("sku") or "").strip()
            if not sku or min(q) < 0 or not q[0] <= q[1] <= q[2]:
                raise ValueError
        except (ValueError, TypeError, KeyError):
            problems.append({"field": f"row {n}",
                             "reason": "needs sku, ISO date and 0 <= p10 <= p50 <= p90"})
            continue
        daily.setdefault(sku, []).append((day, q))  # type: ignore[arg-type]
    if problems:
        raise InvalidCatalogue("forecast file refused", problems, code="invalid_forecast")
    return {sku: [q for _, q in sorted(rows)] for sku, rows in daily.items()}


def plan_to_csv(plan: purchasing.Plan) -> str:
    """Plan lines as CSV, money back in CNY with two decimals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PLAN_COLUMNS)
    for ln in plan.lines:
        writer.writerow([ln.sku, ln.market, ln.supplier, ln.hub, ln.qty, ln.cases,
                         _cny(ln.unit_cost_fen), _cny(ln.landed_fen), _cny(ln.line_cost_fen),
                         f"{ln.forecast_units:.0f}", ln.cover_days, ln.sell_through,
                         _cny(ln.expected_margin_fen), ln.reason])
    return out.getvalue()


def _cny(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"
