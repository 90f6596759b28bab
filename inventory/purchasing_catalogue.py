"""Files for `fulfilment plan`: the purchasing catalogue CSV in, the forecast CSV in, plan out.

Catalogue CSV, one row per way of buying a SKU (a source market into a bonded hub):

    sku,market,hub,price,unit_cost,weight_kg,shelf_life_days,moq,case_pack,lead_days,
    freight_per_kg,on_hand,reserved,in_transit,hub_capacity[,supplier][,leftover_loss]
    [,min_remaining_days]

- `price`, `unit_cost`, `freight_per_kg`: CNY with at most two decimals (kept in fen inside),
  at most 10,000,000.00 each.
- `weight_kg`: 0.001 (1 g) to 1000 kg per unit, kept in whole grams (rounded half up).
- `lead_days` at most 365, `shelf_life_days` at most 3650; unit counts at most 1,000,000,000.
- One row per (sku, market, hub): a repeated row is refused, whatever its costs.
- `on_hand`, `reserved`, `in_transit`: units of the SKU at/for that hub; repeat the same values
  on every row of the same SKU and hub. `hub_capacity`: free units the hub can still take.
- `price`, `weight_kg`, `shelf_life_days` belong to the SKU and must agree across its rows.
- `leftover_loss` (optional, 0..1, default 0.25): share of landed cost lost per unit left over.
- A row with a filled cell beyond the header's columns is refused (which column was meant?).
- `min_remaining_days` (optional, default 0; the SKU's, so the same on all its rows): shelf
  life a unit must still have when received and shipped. Those last days are not selling
  days, and goods arriving with less left are not bought.

Forecast CSV (`sku,date,p10,p50,p90`, as `fulfilment forecast` writes it): whole, non-negative
unit counts with p10 <= p50 <= p90, one row per (sku, date), and every SKU covering every day
from the file's first date to its last.

Numbers and dates in the forms the signals import reads (`inventory.signals`), nothing looser:
counts in ASCII digits (`12`; a forecast quantile also `12.0`), dates as `YYYY-MM-DD`, money and
weights as plain decimals (`129.50`, `0.125`). `1e3`, `+6`, `1_2`, fullwidth digits, `20260701`
and `2026-W27-4`, which Python's int(), Decimal() and date.fromisoformat() read, are refused.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Decimal, localcontext

from inventory import csv_text, purchasing, signals
from inventory.money import cny
from inventory.planning_errors import InvalidCatalogue

COLUMNS = ("sku", "market", "hub", "price", "unit_cost", "weight_kg", "shelf_life_days", "moq",
           "case_pack", "lead_days", "freight_per_kg", "on_hand", "reserved", "in_transit",
           "hub_capacity")
PLAN_COLUMNS = ("sku", "market", "supplier", "hub", "qty", "cases", "unit_cost", "landed_cost",
                "line_cost", "forecast_units", "cover_days", "sell_through", "expected_margin",
                "reason")
QUANTILES = ("p10", "p50", "p90")
# Ceilings keep every number the solver sees far below SCIP's infinity (1e20).
MAX_UNIT_FEN = 1_000_000_000  # 10,000,000.00 CNY: price, unit cost, freight per kg
MAX_MONEY_FEN = 100_000_000_000_000  # 1,000,000,000,000.00 CNY: any amount, e.g. a budget
MIN_WEIGHT_G, MAX_WEIGHT_G = 1, 1_000_000  # 1 g .. 1000 kg per unit
MAX_UNITS = 1_000_000_000  # stock, capacity, MOQ, case pack, daily forecast
MAX_LEAD_DAYS, MAX_SHELF_LIFE_DAYS = 365, 3650  # longer windows only exhaust memory
MIN_REVIEW_DAYS, MAX_REVIEW_DAYS = 1, 90  # as the HTTP API's PlanIn.review_days
MAX_TIME_LIMIT_S = 300.0  # solver seconds, as the allocations API allows
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?")  # 12 or 0.125: no exponent, sign, _ or non-ASCII
_MONEY = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")  # 129, 129.5 or 129.50


def parse_catalogue(text: str, *, demand: dict[str, list[tuple[int, int, int]]],
                    budget_fen: int, review_days: int = 7) -> purchasing.PlanInput:
    """Read a catalogue CSV into a PlanInput; every bad row is reported, nothing half-read."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    refuse = csv_text.unreadable(InvalidCatalogue, "catalogue", code="invalid_catalogue")
    fields = csv_text.fieldnames(reader, refuse)
    missing = [c for c in COLUMNS if c not in fields]
    if missing:
        raise InvalidCatalogue("catalogue header incomplete",
                               [{"field": "header", "reason": f"missing column {c!r}"}
                                for c in missing])
    csv_text.refuse_repeats(fields, InvalidCatalogue, "catalogue")
    problems: list[dict] = []
    items: dict[str, dict] = {}
    stock: dict[tuple[str, str], tuple[int, int, int]] = {}
    hubs: dict[str, int] = {}
    sources = []
    first_row: dict[tuple[str, str, str], int] = {}
    for line_no, raw in enumerate(csv_text.records(reader, refuse), start=2):
        extra = csv_text.beyond_header(raw, fields, f"row {line_no}")
        if extra:
            problems.append(extra)
            continue
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        got = _row(row, line_no, problems)
        if got is None:
            continue
        item, source, on_hand, capacity = got
        # two prices for one way of buying: the solver would silently take the cheaper
        key = (source.sku, source.market, source.hub)
        if key in first_row:
            problems.append({"field": f"row {line_no}",
                             "reason": f"repeats (sku, market, hub) {key!r} of row "
                                       f"{first_row[key]}"})
            continue
        first_row[key] = line_no
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
    # names go into the plan file as they are: no control characters, no megabyte cell
    for name, longest in (("sku", 64), ("market", 64), ("hub", 64), ("supplier", 120)):
        if name == "supplier" and not row.get(name):
            continue  # optional: the market stands in for it
        reason = signals.sku_problem(row[name], longest=longest)
        if reason:
            problems.append({"field": f"{f}.{name}", "reason": reason})
    price, cost, freight = (money_fen(row[c], f"{f}.{c}", problems, maximum_fen=MAX_UNIT_FEN)
                            for c in ("price", "unit_cost", "freight_per_kg"))
    weight_g = _grams(row["weight_kg"], f"{f}.weight_kg", problems)
    highs = {"shelf_life_days": MAX_SHELF_LIFE_DAYS, "lead_days": MAX_LEAD_DAYS}
    ints = {c: _int(row[c], f"{f}.{c}", problems, low=1 if c == "case_pack" else 0,
                    high=highs.get(c, MAX_UNITS))
            for c in ("shelf_life_days", "moq", "case_pack", "lead_days", "on_hand", "reserved",
                      "in_transit", "hub_capacity")}
    raw_min = row.get("min_remaining_days") or "0"  # absent or empty: no minimum
    min_remaining = _int(raw_min, f"{f}.min_remaining_days", problems,
                         high=MAX_SHELF_LIFE_DAYS)
    raw_loss = row.get("leftover_loss") or "0.25"
    loss = _decimal(raw_loss)
    if loss is None or not 0 <= loss <= 1:
        problems.append({"field": f"{f}.leftover_loss",
                         "reason": f"must be from 0 to 1 in plain digits (0.25), got {raw_loss!r}"})
    if len(problems) > before:
        return None
    item = {"sku": sku, "price_fen": price, "weight_g": weight_g,
            "shelf_life_days": ints["shelf_life_days"], "leftover_loss": float(loss),
            "min_remaining_days": min_remaining}
    source = purchasing.Source(sku, market, hub, cost, ints["moq"], ints["case_pack"],
                               ints["lead_days"], freight, row.get("supplier") or market)
    return item, source, (ints["on_hand"], ints["reserved"], ints["in_transit"]), \
        ints["hub_capacity"]


def _agree(seen: dict, key, value, field: str, problems: list[dict]) -> None:
    """Values repeated across rows (SKU facts, hub stock, hub capacity) must be the same."""
    if key in seen and seen[key] != value:
        problems.append({"field": field, "reason": f"disagrees with an earlier row for {key!r}"})
    seen.setdefault(key, value)


def money_fen(raw: str, field: str, problems: list[dict], *,
              maximum_fen: int = MAX_MONEY_FEN) -> int:
    """CNY as a plain decimal with at most two places (129, 129.50) -> integer fen (0 after
    recording a problem); 1e3, +5, 1_000 and fullwidth digits, which Decimal() reads, are not."""
    if not _MONEY.fullmatch(raw):
        problems.append({"field": field,
                         "reason": f"must be at most {cny(maximum_fen)} CNY in plain digits with "
                                   f"at most 2 decimals (1234.50), got {raw!r}"})
        return 0
    value = Decimal(raw)
    if value > Decimal(maximum_fen).scaleb(-2):
        problems.append({"field": field, "reason": f"must be at most {cny(maximum_fen)} CNY"})
        return 0
    return int(_scaled(value, 2))


def _grams(raw: str, field: str, problems: list[dict]) -> int:
    """Weight in kg -> whole grams, half up (0 after recording a problem)."""
    value = _decimal(raw)
    # under 1 g is a slip, not a product: truncated to 0 g it made freight vanish
    if value is None or not (Decimal(MIN_WEIGHT_G).scaleb(-3) <= value
                             <= Decimal(MAX_WEIGHT_G).scaleb(-3)):
        problems.append({"field": field, "reason": f"must be from {MIN_WEIGHT_G / 1000} to "
                                                   f"{MAX_WEIGHT_G // 1000} kg in plain digits "
                                                   f"(0.125), got {raw!r}"})
        return 0
    return int(_scaled(value, 3).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _scaled(value: Decimal, places: int) -> Decimal:
    """`value * 10**places` exactly: no precision or exponent limit rounds anything away."""
    with localcontext() as ctx:
        ctx.prec = len(value.as_tuple().digits) + places + 1
        ctx.Emax, ctx.Emin = MAX_EMAX, MIN_EMIN
        return value.scaleb(places)


def _decimal(raw: str) -> Decimal | None:
    """A non-negative plain decimal (12, 0.125), or None; the caller says what it must be."""
    return Decimal(raw) if _PLAIN.fullmatch(raw) else None


def _int(raw: str, field: str, problems: list[dict], *, low: int = 0,
         high: int = MAX_UNITS) -> int:
    """A count in plain ASCII digits from `low` to `high` (`low` after recording a problem)."""
    value = signals.whole_number(raw, point_zero=False)
    if value is None or not low <= value <= high:
        problems.append({"field": field, "reason": f"must be an integer from {low} to {high} in "
                                                   f"ASCII digits, got {raw!r}"})
        return low
    return value


def parse_forecast(text: str) -> dict[str, list[tuple[int, int, int]]]:
    """A forecast CSV (`sku,date,p10,p50,p90`) -> per SKU daily quantiles, day 0 = first date.

    Every bad row is reported and the file refused whole. A SKU missing a day is refused rather
    than read as zero demand: a silent zero would under-buy, and a shifted day mis-times demand.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    refuse = csv_text.unreadable(InvalidCatalogue, "forecast", code="invalid_forecast")
    fields = csv_text.fieldnames(reader, refuse)
    missing = [c for c in ("sku", "date", *QUANTILES) if c not in fields]
    if missing:
        raise InvalidCatalogue("forecast header incomplete",
                               [{"field": "header", "reason": f"missing column {c!r}"}
                                for c in missing], code="invalid_forecast")
    csv_text.refuse_repeats(fields, InvalidCatalogue, "forecast", code="invalid_forecast")
    problems: list[dict] = []
    daily: dict[str, dict[date, tuple[int, int, int]]] = {}
    seen: dict[tuple[str, date], int] = {}
    for n, raw in enumerate(csv_text.records(reader, refuse), start=2):
        extra = csv_text.beyond_header(raw, fields, f"row {n}")
        if extra:
            problems.append(extra)
            continue
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        got = _forecast_row(row, f"row {n}", problems)
        if got is None:
            continue
        sku, day, q = got
        if (sku, day) in seen:
            problems.append({"field": f"row {n}", "reason": f"repeats sku {sku!r} on {day} of "
                                                            f"row {seen[sku, day]}"})
            continue
        seen[sku, day] = n
        daily.setdefault(sku, {})[day] = q
    if not problems and not daily:
        problems.append({"field": "forecast", "reason": "has no rows"})
    if problems:
        raise InvalidCatalogue("forecast file refused", problems, code="invalid_forecast")
    first = min(min(days) for days in daily.values())
    last = max(max(days) for days in daily.values())
    span = (last - first).days + 1
    for sku, days in daily.items():
        if len(days) < span:
            problems.append({"field": f"sku {sku}", "reason": _gaps(days, first, last)})
    if problems:
        raise InvalidCatalogue("forecast file refused", problems, code="invalid_forecast")
    return {sku: [days[first + timedelta(days=i)] for i in range(span)]
            for sku, days in daily.items()}


def _forecast_row(row: dict[str, str], f: str, problems: list[dict]
                  ) -> tuple[str, date, tuple[int, int, int]] | None:
    """One forecast row as (sku, date, quantiles), or None after recording its problems."""
    before = len(problems)
    sku = row.get("sku", "")
    reason = signals.sku_problem(sku)
    if reason:
        problems.append({"field": f"{f}.sku", "reason": reason})
    day = signals.iso_day(row.get("date", ""))
    if day is None:  # 20260701 and 2026-W27-4 too: fromisoformat alone reads them
        problems.append({"field": f"{f}.date",
                         "reason": f"must be an ISO date (YYYY-MM-DD), got {row.get('date')!r}"})
    q = tuple(_units(row.get(c, ""), f"{f}.{c}", problems) for c in QUANTILES)
    if len(problems) > before or day is None:
        return None
    if not q[0] <= q[1] <= q[2]:
        problems.append({"field": f, "reason": f"needs p10 <= p50 <= p90, got {q[0]}, {q[1]}, "
                                               f"{q[2]}"})
        return None
    return sku, day, (q[0], q[1], q[2])


def _units(raw: str, field: str, problems: list[dict]) -> int:
    """A whole unit count in ASCII digits: "3" and "3.0" are 3; 2.9, inf, 1e1, +3 and -1 are
    refused, as the signals import refuses them."""
    value = signals.whole_number(raw)
    if value is None or value > MAX_UNITS:
        problems.append({"field": field, "reason": f"must be a whole number of units from 0 to "
                                                   f"{MAX_UNITS} in ASCII digits (3 or 3.0), "
                                                   f"got {raw!r}"})
        return 0
    return value


def _gaps(days: dict[date, tuple[int, int, int]], first: date, last: date) -> str:
    """Which days a SKU lacks, briefly: the first few, then a count."""
    # ordinals, not dates: no overflow at date.max, and never a walk over a huge span
    missing: list[int] = []
    before = first.toordinal() - 1
    for have in [*sorted(d.toordinal() for d in days), last.toordinal() + 1]:
        missing.extend(range(before + 1, min(have, before + 1 + 3 - len(missing))))
        before = have
    more = (last - first).days + 1 - len(days) - len(missing)
    listed = ", ".join(date.fromordinal(o).isoformat() for o in missing)
    return (f"no forecast for {listed}{f' and {more} more day(s)' if more else ''};"
            f" every SKU needs every day from {first} to {last}")


def plan_to_csv(plan: purchasing.Plan) -> str:
    """Plan lines as CSV, money back in CNY with two decimals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PLAN_COLUMNS)
    for ln in plan.lines:  # names come from the catalogue file: never a live formula
        writer.writerow(csv_text.safe_row([
            ln.sku, ln.market, ln.supplier, ln.hub, ln.qty, ln.cases, cny(ln.unit_cost_fen),
            cny(ln.landed_fen), cny(ln.line_cost_fen), f"{ln.forecast_units:.0f}",
            ln.cover_days, ln.sell_through, cny(ln.expected_margin_fen), ln.reason]))
    return out.getvalue()
