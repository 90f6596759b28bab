"""The planner's files: forecast and catalogue CSVs refused whole on bad rows, money exact."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from fulfilment import planning_documents
from inventory import money, purchasing
from inventory import purchasing_catalogue as catalogue
from inventory.planning_errors import InvalidCatalogue
from inventory.planning_tables import PurchaseOrder, PurchaseOrderLine, PurchasePlan

HEADER = ",".join(catalogue.COLUMNS)
ROW = "A,KR,NGB,99.00,30.00,0.1,365,12,12,5,38.00,5,1,0,500"


def _forecast(*rows: str) -> str:
    return "sku,date,p10,p50,p90\n" + "".join(f"{r}\n" for r in rows)


def _refused(parse: Callable[[str], object], text: str) -> dict[str, str]:
    with pytest.raises(InvalidCatalogue) as caught:
        parse(text)
    return {p["field"]: p["reason"] for p in caught.value.problems}


def _catalogue(text: str) -> purchasing.PlanInput:
    return catalogue.parse_catalogue(text, demand={}, budget_fen=0)


# forecast


@pytest.mark.parametrize("raw", ["inf", "1e400", "nan", "-1", "2.9", "many", ""])
def test_a_quantile_must_be_a_whole_finite_count(raw: str) -> None:
    got = _refused(catalogue.parse_forecast, _forecast(f"A,2026-06-22,1,2,{raw}"))
    assert list(got) == ["row 2.p90"] and repr(raw) in got["row 2.p90"]


def test_whole_numbers_written_as_decimals_are_read() -> None:
    got = catalogue.parse_forecast(_forecast("A,2026-06-22,3.0,4,5.00"))
    assert got == {"A": [(3, 4, 5)]}


def test_every_bad_row_is_reported_at_once() -> None:
    got = _refused(catalogue.parse_forecast, _forecast(
        "A,2026-06-22,2.9,3,4", ",2026-06-23,1,2,3", "A,06/24/2026,1,2,3", "A,2026-06-25,3,2,1"))
    assert set(got) == {"row 2.p10", "row 3.sku", "row 4.date", "row 5"}
    assert "p10 <= p50 <= p90" in got["row 5"]


def test_a_repeated_sku_and_date_is_refused() -> None:
    got = _refused(catalogue.parse_forecast, _forecast(
        "A,2026-06-22,1,2,3", "A,2026-06-23,1,2,3", "A,2026-06-22,5,6,7"))
    assert got == {"row 4": "repeats sku 'A' on 2026-06-22 of row 2"}


def test_a_gap_in_a_skus_days_is_refused() -> None:
    got = _refused(catalogue.parse_forecast, _forecast(
        "A,2026-06-22,1,2,3", "A,2026-06-23,1,2,3", "A,2026-06-30,1,2,3"))
    assert "no forecast for 2026-06-24, 2026-06-25, 2026-06-26 and 3 more" in got["sku A"]


def test_skus_must_cover_the_same_days() -> None:
    got = _refused(catalogue.parse_forecast, _forecast(
        "A,2026-06-22,1,2,3", "A,2026-06-23,1,2,3", "B,2026-06-23,1,2,3"))
    assert list(got) == ["sku B"] and "2026-06-22" in got["sku B"]


def test_days_are_placed_by_date_not_by_file_order() -> None:
    got = catalogue.parse_forecast(_forecast(
        "A,2026-06-24,3,3,3", "B,2026-06-22,9,9,9", "A,2026-06-22,1,1,1", "A,2026-06-23,2,2,2",
        "B,2026-06-24,7,7,7", "B,2026-06-23,8,8,8"))
    assert got == {"A": [(1, 1, 1), (2, 2, 2), (3, 3, 3)], "B": [(9, 9, 9), (8, 8, 8), (7, 7, 7)]}


def test_a_forecast_without_rows_or_columns_is_refused() -> None:
    assert _refused(catalogue.parse_forecast, _forecast()) == {"forecast": "has no rows"}
    assert "missing column 'p90'" in _refused(catalogue.parse_forecast,
                                              "sku,date,p10,p50\nA,2026-06-22,1,2\n")["header"]


# catalogue


@pytest.mark.parametrize(("kg", "grams"), [("0.0125", 13), ("0.0124", 12), ("0.001", 1),
                                           ("0.1", 100), ("1000", 1_000_000)])
def test_weight_is_rounded_half_up_to_whole_grams(kg: str, grams: int) -> None:
    data = _catalogue(HEADER + "\n" + ROW.replace(",0.1,", f",{kg},") + "\n")
    assert data.items[0].weight_g == grams


@pytest.mark.parametrize("kg", ["0", "0.0004", "0.0009", "1000.001", "1e30"])
def test_weight_outside_1_g_to_1000_kg_is_refused(kg: str) -> None:
    got = _refused(_catalogue, HEADER + "\n" + ROW.replace(",0.1,", f",{kg},") + "\n")
    assert "from 0.001 to 1000 kg" in got["row 2.weight_kg"]


def test_a_repeated_source_row_is_refused() -> None:
    cheaper = ROW.replace(",30.00,", ",20.00,")
    got = _refused(_catalogue, f"{HEADER}\n{ROW}\n{ROW.replace('KR', 'JP')}\n{cheaper}\n")
    assert got == {"row 4": "repeats (sku, market, hub) ('A', 'KR', 'NGB') of row 2"}


@pytest.mark.parametrize(("column", "value", "reason"), [
    ("price", "1e30", "at most 10000000.00 CNY"),
    ("unit_cost", "10000000.01", "at most 10000000.00 CNY"),
    ("freight_per_kg", "1e400", "at most 10000000.00 CNY"),
    ("lead_days", "100000000000", "from 0 to 365"),
    ("shelf_life_days", "3651", "from 0 to 3650"),
    ("hub_capacity", "100000000000000000000", "from 0 to 1000000000"),
])
def test_values_beyond_the_stated_ceilings_are_refused(column: str, value: str,
                                                       reason: str) -> None:
    cells = dict(zip(catalogue.COLUMNS, ROW.split(","), strict=True)) | {column: value}
    got = _refused(_catalogue, HEADER + "\n" + ",".join(cells.values()) + "\n")
    assert reason in got[f"row 2.{column}"]


def test_the_ceiling_itself_is_accepted() -> None:
    data = _catalogue(HEADER + "\n" + ROW.replace("99.00", "10000000.00") + "\n")
    assert data.items[0].price_fen == catalogue.MAX_UNIT_FEN


def test_money_is_exact_to_the_fen() -> None:
    problems: list[dict] = []
    assert catalogue.money_fen("0.10000000000000000000000000001", "x", problems) == 0
    assert problems and "2 decimals" in problems[0]["reason"]
    assert money.cny(12345678901234567) == "123456789012345.67"


def test_min_remaining_days_is_an_optional_column_of_the_sku() -> None:
    assert _catalogue(HEADER + "\n" + ROW + "\n").items[0].min_remaining_days == 0
    header = HEADER + ",min_remaining_days"
    data = _catalogue(f"{header}\n{ROW},90\n{ROW.replace('KR', 'JP')},90\n")
    assert data.items[0].min_remaining_days == 90
    assert _catalogue(f"{header}\n{ROW},\n").items[0].min_remaining_days == 0
    got = _refused(_catalogue, f"{header}\n{ROW},-5\n")
    assert "from 0 to 3650" in got["row 2.min_remaining_days"]
    got = _refused(_catalogue, f"{header}\n{ROW},90\n{ROW.replace('KR', 'JP')},30\n")
    assert "disagrees with an earlier row" in got["row 3"]


def test_the_catalogue_minimum_shelf_life_reaches_the_plan() -> None:
    text = (HEADER + ",min_remaining_days\n"
            "A,KR,NGB,99.00,30.00,0.1,150,1,1,5,38.00,0,0,0,100000,182\n")
    data = catalogue.parse_catalogue(text, demand={"A": [(2, 4, 7)] * 14}, budget_fen=10**8)
    assert purchasing.plan(data).lines == []


# purchase order spreadsheet


def test_the_xlsx_order_holds_money_as_two_decimal_numbers(session: Session) -> None:
    now = datetime(2026, 6, 22, tzinfo=UTC)
    plan = PurchasePlan(created_at=now, budget_fen=100_000)
    session.add(plan)
    session.flush()
    po = PurchaseOrder(plan_id=plan.id, supplier="Seoul", market="KR", created_at=now,
                       total_fen=12_345 * 3)
    session.add(po)
    session.flush()
    session.add(PurchaseOrderLine(po_id=po.id, sku_id="A", hub="NGB", qty=3, unit_cost_fen=12_345))
    session.commit()
    sheet = load_workbook(io.BytesIO(planning_documents.to_xlsx(session, po.id))).active
    unit, total = sheet["G2"], sheet["H2"]
    assert unit.number_format == total.number_format == "0.00"
    assert Decimal(str(unit.value)) == Decimal("123.45")
    assert Decimal(str(total.value)) == Decimal("370.35")


def test_a_row_with_more_filled_cells_than_the_header_is_refused() -> None:
    # 16 columns (supplier, no leftover_loss): the 1.5 was meant for a column not named
    header = HEADER + ",supplier"
    got = _refused(_catalogue, f"{header}\n{ROW},KR\n{ROW.replace('KR', 'JP')},KR,1.5\n")
    assert list(got) == ["row 3"]
    assert got["row 3"].startswith("has 17 cells but the header names 16 columns")
    assert "extra '1.5'" in got["row 3"]
    # empty trailing cells hold nothing: a spreadsheet's export is still read
    assert _catalogue(f"{header}\n{ROW},KR,,\n").sources[0].supplier == "KR"
    got = _refused(catalogue.parse_forecast, _forecast("A,2026-06-22,1,2,3,9"))
    assert list(got) == ["row 2"] and "extra '9'" in got["row 2"]


# cells a spreadsheet would run as formulas


def test_csv_cells_that_look_like_formulas_are_written_as_text() -> None:
    from inventory import csv_text

    assert csv_text.safe_row(["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "KR"]) == [
        "'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tx", "'\rx", "KR"]
    assert csv_text.safe_row([-5, -0.5, "-12.50", "+3", "0.00"]) == [
        -5, -0.5, "-12.50", "+3", "0.00"]  # numbers stay numbers


def test_plan_csv_neutralises_a_formula_supplier_and_keeps_negative_money() -> None:
    header = HEADER + ",supplier"
    text = f'{header}\n{ROW},"=HYPERLINK(""http://x"")"\n'
    data = catalogue.parse_catalogue(text, demand={"A": [(2, 4, 7)] * 14}, budget_fen=500_000)
    made = purchasing.plan(data)
    [row] = list(csv.DictReader(io.StringIO(catalogue.plan_to_csv(made))))
    assert row["supplier"] == "'=HYPERLINK(\"http://x\")"
    losing = purchasing.Plan([dataclasses.replace(made.lines[0], expected_margin_fen=-500)],
                             0, 0, -500, "edited")
    [row] = list(csv.DictReader(io.StringIO(catalogue.plan_to_csv(losing))))
    assert row["expected_margin"] == "-5.00"


def test_purchase_order_documents_never_hold_a_live_formula(session: Session) -> None:
    now = datetime(2026, 6, 22, tzinfo=UTC)
    plan = PurchasePlan(created_at=now, budget_fen=100_000)
    session.add(plan)
    session.flush()
    po = PurchaseOrder(plan_id=plan.id, supplier='=HYPERLINK("http://x")', market="@KR",
                       created_at=now, total_fen=300)
    session.add(po)
    session.flush()
    session.add(PurchaseOrderLine(po_id=po.id, sku_id="A", hub="NGB", qty=3, unit_cost_fen=100))
    session.commit()
    [row] = list(csv.DictReader(io.StringIO(planning_documents.to_csv(session, po.id))))
    assert row["supplier"] == "'=HYPERLINK(\"http://x\")" and row["market"] == "'@KR"
    assert row["line_total"] == "3.00"
    sheet = load_workbook(io.BytesIO(planning_documents.to_xlsx(session, po.id))).active
    assert sheet["B2"].value == '=HYPERLINK("http://x")' and sheet["B2"].data_type == "s"
