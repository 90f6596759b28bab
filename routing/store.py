"""Rate cards in the database: load them for a wave, import them from CSV. Never commits."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from decimal import Decimal

from sqlalchemy import insert, select, text, update
from sqlmodel import Session

from routing.errors import RoutingError
from routing.problem import MAX_DAYS, MAX_MONEY, MAX_UNITS, Courier, Lane
from routing.tables import CourierCapacityRow, CourierRow, LaneRow
from routing.zones import zone_of


class InvalidRateCard(RoutingError):
    code = "invalid_rate_card"


def couriers(session: Session) -> list[Courier]:
    return [Courier(id=c) for c in session.execute(select(CourierRow.id)
                                                   .order_by(CourierRow.id)).scalars()]


def lanes(session: Session, *, warehouses: set[str] | None = None) -> list[Lane]:
    rows = session.execute(select(LaneRow).order_by(LaneRow.id)).scalars()
    return [Lane(warehouse=r.warehouse_id, courier=r.courier_id, zone=r.zone,
                 first_kg=float(Decimal(r.first_kg_fen) / 100),
                 extra_kg=float(Decimal(r.extra_kg_fen) / 100), transit_days=r.transit_days)
            for r in rows if warehouses is None or r.warehouse_id in warehouses]


def daily_capacity(session: Session) -> dict[tuple[str, str], int]:
    return {(r.warehouse_id, r.courier_id): r.parcels_per_day
            for r in session.execute(select(CourierCapacityRow)).scalars()}


def upsert_courier(session: Session, *, courier_id: str, name: str) -> None:
    row = session.get(CourierRow, courier_id) or CourierRow(id=courier_id, name=name)
    row.name = name
    session.add(row)


def upsert_lane(session: Session, *, warehouse: str, courier: str, zone: str, first_kg_fen: int,
                extra_kg_fen: int, transit_days: int) -> None:
    row = session.execute(select(LaneRow).where(
        LaneRow.warehouse_id == warehouse, LaneRow.courier_id == courier,
        LaneRow.zone == zone)).scalars().first()
    row = row or LaneRow(warehouse_id=warehouse, courier_id=courier, zone=zone,
                         first_kg_fen=0, extra_kg_fen=0, transit_days=0)
    row.first_kg_fen, row.extra_kg_fen, row.transit_days = first_kg_fen, extra_kg_fen, transit_days
    session.add(row)


def upsert_capacity(session: Session, *, warehouse: str, courier: str, parcels: int) -> None:
    row = session.get(CourierCapacityRow, (warehouse, courier)) or CourierCapacityRow(
        warehouse_id=warehouse, courier_id=courier, parcels_per_day=parcels)
    row.parcels_per_day = parcels
    session.add(row)


KINDS = {
    "couriers": ("id", "name"),
    "lanes": ("warehouse", "courier", "zone", "first_kg", "extra_kg", "transit_days"),
    "capacities": ("warehouse", "courier", "parcels_per_day"),
}


def import_csv(session: Session, content: str, *, now: datetime) -> str:
    """Import couriers, lanes or capacities (kind told by the header); all rows or none."""
    del now  # rate cards carry no history yet
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    done_lines = 0  # lines read before the record being read
    try:
        header = tuple(h.strip() for h in (reader.fieldnames or ()))
        done_lines = reader.line_num
        kind = next((k for k, cols in KINDS.items() if set(cols) <= set(header)), None)
        if kind is None:
            raise InvalidRateCard([{"field": "header", "reason": "expected columns of one of: "
                                    + "; ".join(",".join(c) for c in KINDS.values())}])
        twice = sorted({h for h in header if h and header.count(h) > 1})
        if twice:  # DictReader kept the last one's values: which was meant?
            raise InvalidRateCard([{"field": "header", "reason": f"column {t!r} appears twice"}
                                   for t in twice])
        rows = []
        for r in reader:
            rows.append({k.strip(): (v or "").strip() for k, v in r.items() if k})
            done_lines = reader.line_num
    except csv.Error as exc:  # a stray quote runs a cell past csv's field limit
        raise InvalidRateCard([{"field": f"line {done_lines + 1}",
                                "reason": f"not readable CSV: {exc}"}]) from None
    warehouses = set(session.execute(text("SELECT id FROM warehouse")).scalars())
    known = set(session.execute(select(CourierRow.id)).scalars())
    problems: list[dict] = []
    wanted: dict[tuple, dict] = {}  # natural key -> columns
    lines: dict[tuple, int] = {}  # natural key -> the line that gave it
    for n, row in enumerate(rows, start=2):  # line numbers as a spreadsheet shows them
        if kind == "couriers":
            if not row["id"] or not row["name"]:
                problems.append({"field": f"line {n}", "reason": "id and name are required"})
                continue
            bad = [{"field": f"line {n}.{name}", "reason": reason}
                   for name, longest in (("id", 16), ("name", 80))  # the columns' lengths
                   if (reason := _text_problem(row[name], longest))]
            problems += bad
            if not bad:
                _want(wanted, lines, problems, n, {"id": row["id"], "name": row["name"]}, kind)
            continue
        bad = _check_refs(row, n, warehouses, known)
        ends = {"warehouse_id": row["warehouse"], "courier_id": row["courier"]}
        if kind == "lanes":
            zone = zone_of(row["zone"]) if row["zone"] else None
            columns = {**ends, "zone": zone,
                       "first_kg_fen": _fen(row["first_kg"], n, "first_kg", bad),
                       "extra_kg_fen": _fen(row["extra_kg"], n, "extra_kg", bad),
                       "transit_days": _count(row["transit_days"], n, "transit_days", bad,
                                              MAX_DAYS)}
            if zone is None:
                bad.append({"field": f"line {n}.zone",
                            "reason": f"unknown province {row['zone']!r}"})
        else:
            columns = {**ends, "parcels_per_day": _count(
                row["parcels_per_day"], n, "parcels_per_day", bad, MAX_UNITS)}
        problems += bad
        if not bad:
            _want(wanted, lines, problems, n, columns, kind)
    if problems:
        raise InvalidRateCard(problems)
    _upsert_all(session, _TABLES[kind], _KEYS[kind], wanted)
    return f"imported {len(wanted)} {kind}"


_TABLES: dict[str, type] = {"couriers": CourierRow, "lanes": LaneRow,
                            "capacities": CourierCapacityRow}
_KEYS = {"couriers": ("id",), "lanes": ("warehouse_id", "courier_id", "zone"),
         "capacities": ("warehouse_id", "courier_id")}


def _want(wanted: dict[tuple, dict], lines: dict[tuple, int], problems: list[dict], n: int,
          columns: dict, kind: str) -> None:
    """Take line n's row unless an earlier line gave the same key (two prices for one lane,
    perhaps as `ZJ` and `浙江省`: which was meant?)."""
    key = tuple(columns[c] for c in _KEYS[kind])
    if key in lines:
        problems.append({"field": f"line {n}", "reason": f"repeats line {lines[key]}'s "
                         + ", ".join(f"{c.removesuffix('_id')} {v!r}"
                                     for c, v in zip(_KEYS[kind], key, strict=True))})
        return
    wanted[key], lines[key] = columns, n


def _upsert_all(session: Session, table: type, keys: tuple[str, ...],
                wanted: dict[tuple, dict]) -> None:
    """Insert or update rows by natural key in two executemany statements: a row-by-row
    upsert ran a SELECT (and an autoflush) per line, about 1 ms a line."""
    session.flush()
    pk = [c.name for c in table.__table__.primary_key.columns]
    have = {tuple(r[len(pk):]): dict(zip(pk, r[:len(pk)], strict=True)) for r in session.execute(
        select(*(getattr(table, c) for c in (*pk, *keys))))}
    updates = [{**cols, **have[key]} for key, cols in wanted.items() if key in have]
    inserts = [cols for key, cols in wanted.items() if key not in have]
    if updates:
        session.execute(update(table), updates)
    if inserts:
        session.execute(insert(table), inserts)


def _check_refs(row: dict, n: int, warehouses: set[str], couriers: set[str]) -> list[dict]:
    bad = []
    if row["warehouse"] not in warehouses:
        bad.append({"field": f"line {n}.warehouse",
                    "reason": f"unknown warehouse {row['warehouse']!r}"})
    if row["courier"] not in couriers:
        bad.append({"field": f"line {n}.courier", "reason": f"unknown courier {row['courier']!r}"})
    return bad


_AMOUNT = re.compile(r"[0-9]{1,7}(?:\.[0-9]{1,2})?")  # 12, 12.5, 12.50: no 1e3, 1_000, +6, -0
_DIGITS = re.compile(r"[0-9]{1,10}")  # ASCII digits: isdigit() also passed "²" and "１２"


def _text_problem(value: str, longest: int) -> str | None:
    if len(value) > longest:
        return f"must be at most {longest} characters, got {len(value)}"
    bad = next((c for c in value if not c.isprintable()), None)
    return None if bad is None else f"must not contain control characters, found U+{ord(bad):04X}"


def _fen(value: str, n: int, name: str, bad: list[dict]) -> int:
    amount = Decimal(value) if _AMOUNT.fullmatch(value) else None
    if amount is None or amount > MAX_MONEY:  # what a wave accepts
        bad.append({"field": f"line {n}.{name}", "reason": f"must be an amount in CNY from 0 to "
                    f"{MAX_MONEY:,} in plain digits with at most two decimals, got "
                    f"{value[:40]!r}"})
        return 0
    return int(amount * 100)


def _count(value: str, n: int, name: str, bad: list[dict], most: int) -> int:
    if not _DIGITS.fullmatch(value) or int(value) > most:
        bad.append({"field": f"line {n}.{name}", "reason": f"must be a whole number from 0 to "
                    f"{most:,} in ASCII digits, got {value[:40]!r}"})
        return 0
    return int(value)
