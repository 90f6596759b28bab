"""Signals and sales files: every row validated, a bad file refused whole with row numbers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from operator import itemgetter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from fulfilment.cli import app
from inventory import signals
from inventory.planning_errors import InvalidSignals
from inventory.planning_tables import SalesDay, SignalDay
from tests.builders import EXAMPLES


def test_reads_the_contract_examples() -> None:
    rows = signals.parse_signals((EXAMPLES / "signals.csv").read_text())
    assert rows[0] == signals.SignalRow(date(2026, 6, 1), "SERUM-30ML", 2, 140, 31, 9, 4, 12)
    sales = signals.parse_sales((EXAMPLES / "sales.csv").read_text())
    assert sales[-1] == signals.SaleRow(date(2026, 6, 2), "SERUM-30ML", 9)


def test_columns_may_come_in_any_order_and_with_a_bom() -> None:
    rows = signals.parse_sales("\ufeffunits,sku,date\n4,A,2026-06-01\n")
    assert rows == [signals.SaleRow(date(2026, 6, 1), "A", 4)]


def test_a_bad_row_refuses_the_whole_file_naming_every_bad_row() -> None:
    text = ("date,sku,units\n2026-06-01,A,3\n2026-06-31,A,1\n2026-06-02,,2\n"
            "2026-06-03,B,-4\n2026-06-01,A,5\n")
    with pytest.raises(InvalidSignals) as caught:
        signals.parse_sales(text)
    fields = [p["field"] for p in caught.value.problems]
    assert fields == ["row 3.date", "row 4.sku", "row 5.units", "row 6"]
    assert "duplicate of row 2" in caught.value.problems[-1]["reason"]
    assert caught.value.code == "invalid_signals"


def test_missing_columns_are_named() -> None:
    with pytest.raises(InvalidSignals) as caught:
        signals.parse_signals("date,sku,likes\n2026-06-01,A,3\n")
    reasons = {p["reason"] for p in caught.value.problems}
    assert "missing column 'saves'" in reasons and "missing column 'notes'" in reasons


@pytest.mark.parametrize("bad", ["1.5", "x", "-1", "nan", "1e99"])
def test_counts_must_be_non_negative_integers(bad: str) -> None:
    with pytest.raises(InvalidSignals):
        signals.parse_signals(f"date,sku,notes,likes,saves,comments,shares,searches\n"
                              f"2026-06-01,A,0,{bad},0,0,0,0\n")


counts = st.integers(min_value=0, max_value=10**6)


@given(st.lists(st.tuples(st.integers(0, 60), st.sampled_from(["A", "B-1", "Ü"]), counts,
                          counts, counts), max_size=20, unique_by=lambda t: (t[0], t[1])))
def test_signals_round_trip_through_csv(raw: list[tuple]) -> None:
    rows = [signals.SignalRow(date.fromordinal(date(2026, 1, 1).toordinal() + d), s, a, b, c)
            for d, s, a, b, c in raw]
    assert signals.parse_signals(signals.signals_to_csv(rows)) == rows


def test_padding_blank_cells_and_whole_floats_read_as_counts() -> None:
    # an empty cell that is there is no activity; a cell that is missing is a broken row
    text = ("date,sku,notes,likes,saves,comments,shares,searches\n"
            "2026-06-01,A,1,2,3,4,5,6\n"
            " 2026-06-02 , A ,3.0,, 2 ,1,,\n")
    assert signals.parse_signals(text) == [
        signals.SignalRow(date(2026, 6, 1), "A", 1, 2, 3, 4, 5, 6),
        signals.SignalRow(date(2026, 6, 2), "A", 3, 0, 2, 1, 0, 0)]


SALES = "date,sku,units\n"
SIGNALS = "date,sku,notes,likes,saves,comments,shares,searches\n"


def _refused(parse: Callable[[str], list], text: str) -> list[dict]:
    with pytest.raises(InvalidSignals) as caught:
        parse(text)
    return caught.value.problems


@pytest.mark.parametrize("sku", ["A" * 65, "P\x001", "P\t1", "P\x1b1", "P\n1", "P\u200b1"])
def test_a_sku_too_long_for_the_database_or_with_control_characters_is_refused(sku: str
                                                                                ) -> None:
    quoted = '"' + sku + '"'  # so a newline stays inside the cell
    for parse, text in ((signals.parse_sales, f"{SALES}2026-03-02,{quoted},3\n"),
                        (signals.parse_signals, f"{SIGNALS}2026-03-02,{quoted},1,2,3,4,5,6\n")):
        problems = _refused(parse, text)
        assert [p["field"] for p in problems] == ["row 2.sku"]
        assert "64 characters" in problems[0]["reason"] or "control" in problems[0]["reason"]


def test_a_sku_of_64_characters_is_kept() -> None:
    assert signals.parse_sales(f"{SALES}2026-03-02,{'A' * 64},3\n")[0].sku == "A" * 64


def test_daily_units_have_a_realistic_ceiling_signal_counts_a_larger_one() -> None:
    problems = _refused(signals.parse_sales, f"{SALES}2026-03-02,P1,200000000\n"
                                             f"2026-03-03,P1,10000001\n")
    assert [p["field"] for p in problems] == ["row 2.units", "row 3.units"]
    assert "10000000" in problems[0]["reason"]
    assert signals.parse_sales(f"{SALES}2026-03-02,P1,10000000\n")[0].units == 10_000_000
    likes = signals.parse_signals(f"{SIGNALS}2026-03-02,P1,0,1000000000,0,0,0,0\n")
    assert likes[0].likes == 10**9


@pytest.mark.parametrize("day", ["1026-04-01", "1999-12-31", "0001-01-01", "3000-01-01",
                                 "9999-12-31"])
def test_dates_outside_2000_to_2999_are_refused(day: str) -> None:
    problems = _refused(signals.parse_sales, f"{SALES}2026-03-02,P1,3\n{day},P1,3\n")
    assert [p["field"] for p in problems] == ["row 3.date"]
    assert "2000-01-01" in problems[0]["reason"]


def test_the_first_and_last_accepted_dates() -> None:
    rows = signals.parse_sales(f"{SALES}2000-01-01,P1,3\n2999-12-31,P1,4\n")
    assert [r.day for r in rows] == [date(2000, 1, 1), date(2999, 12, 31)]


def test_a_row_with_fewer_cells_than_the_header_is_refused() -> None:
    problems = _refused(signals.parse_sales, f"{SALES}2026-03-01,P1,1\n2026-03-02,P1\n")
    assert problems == [{"field": "row 3", "reason": "has 2 fields, the header has 3"}]
    problems = _refused(signals.parse_signals, f"{SIGNALS}2026-03-02,P1,5\n")
    assert problems == [{"field": "row 2", "reason": "has 3 fields, the header has 8"}]


def test_a_short_row_still_names_its_bad_cells() -> None:
    problems = _refused(signals.parse_signals, f"{SIGNALS}2026-02-30,P1,x\n")
    assert [p["field"] for p in problems] == ["row 2", "row 2.date", "row 2.notes"]


def test_extra_trailing_cells_are_refused_only_when_they_hold_data() -> None:
    assert signals.parse_sales(f"{SALES}2026-03-02,P1,3,, \n") == [
        signals.SaleRow(date(2026, 3, 2), "P1", 3)]
    problems = _refused(signals.parse_sales, f"{SALES}2026-03-02,P1,3,9\n")
    assert [p["field"] for p in problems] == ["row 2"]
    assert "has 4 fields, the header has 3" in problems[0]["reason"]


@pytest.mark.parametrize("day", ["20260302", "2026-W10-1", "2026W101", "2026-2-3", "2026-03-2",
                                 "2026-03-0\u0663", "\uff12\uff10\uff12\uff16-03-02",
                                 "2026-03-02T00:00"])
def test_only_yyyy_mm_dd_dates_are_read(day: str) -> None:
    problems = _refused(signals.parse_sales, f"{SALES}{day},P1,3\n")
    assert [p["field"] for p in problems] == ["row 2.date"]
    assert "YYYY-MM-DD" in problems[0]["reason"]


@pytest.mark.parametrize("count", ["1_000", "+3", "\u0663", "\u00b3", "1e3", "-0", "0x10",
                                   "3.5", ".0", "3.", "inf", "\uff13"])
def test_only_ascii_digit_counts_are_read(count: str) -> None:
    for parse, text in ((signals.parse_sales, f"{SALES}2026-03-02,P1,{count}\n"),
                        (signals.parse_signals, f"{SIGNALS}2026-03-02,P1,0,{count},0,0,0,0\n")):
        problems = _refused(parse, text)
        assert [p["field"] for p in problems] in (["row 2.units"], ["row 2.likes"])


@pytest.mark.parametrize(("raw", "value"), [(" 3", 3), ("3 ", 3), ("3.0", 3), ("3.00", 3),
                                            ("007", 7), ("", 0), ("0", 0)])
def test_padded_whole_float_and_empty_counts_are_still_read(raw: str, value: int) -> None:
    assert signals.parse_sales(f"{SALES}2026-03-02,P1,{raw}\n")[0].units == value


cell_text = st.text(st.sampled_from("0123456789-.+_eE :WT\u0663\uff13\x00\tAZ"), max_size=11)


@given(cell_text, cell_text, cell_text)
def test_the_fast_path_never_keeps_a_row_the_careful_path_refuses(day: str, sku: str, units: str
                                                                   ) -> None:
    cells = [day, sku, units]
    fast = signals._clean_row(cells, 3, 0, 1, itemgetter(slice(2, 3)), signals._MAX_UNITS,
                              signals.SaleRow)
    values, problems = signals._row(cells, 3, {"date": 0, "sku": 1, "units": 2}, ("units",),
                                    signals._MAX_UNITS, 2)
    if fast is not None:
        assert not problems and values is not None
        assert fast == signals.SaleRow(values[0], values[1], *values[2])


runner = CliRunner()


@pytest.mark.parametrize("header", ["date, sku, units", '"date","sku","units"',
                                    "\ufeffDate,SKU,Units", "sku ,units, date"])
def test_signals_import_knows_a_sales_file_by_its_parsed_header(
        header: str, tmp_path: Path, db_url: str, engine: object,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FULFILMENT_DATABASE_URL", db_url)
    names = [h.strip().strip('"').lstrip("\ufeff").lower() for h in header.split(",")]
    values = {"date": "2026-03-02", "sku": "P1", "units": "3"}
    path = tmp_path / "sales.csv"
    path.write_text(header + "\n" + ",".join(values[n] for n in names) + "\n",
                    encoding="utf-8")
    got = runner.invoke(app, ["signals", "import", str(path)])
    assert got.exit_code == 0, got.output
    assert "imported 1 sales rows" in got.output


def test_signals_import_refuses_a_header_of_both_kinds(
        tmp_path: Path, db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # read as sales, its signal columns were dropped without a word
    monkeypatch.setenv("FULFILMENT_DATABASE_URL", db_url)
    path = tmp_path / "both.csv"
    path.write_text("date,sku,notes,likes,saves,comments,shares,searches,units\n"
                    "2026-06-01,BOTH,1,2,3,4,5,6,7\n", encoding="utf-8")
    got = runner.invoke(app, ["signals", "import", str(path)])
    assert got.exit_code == 2, got.output
    said = got.stderr.replace(str(path), "FILE")
    assert said.count("\n") == 1 and said.startswith("error: FILE: "), said
    assert "header: has units (sales) and notes, likes, saves" in said and "import" in said
    with Session(engine) as session:
        assert session.exec(select(SalesDay)).all() == session.exec(select(SignalDay)).all() == []
    # an extra column beside a sales file's own is still only a sales file (the contract)
    path.write_text("date,sku,units,notes\n2026-06-01,ONE,7,seen on TV\n", encoding="utf-8")
    got = runner.invoke(app, ["signals", "import", str(path)])
    assert got.exit_code == 0 and "imported 1 sales rows" in got.output, got.output


def test_a_repeated_column_is_refused_and_rows_are_named_by_their_line() -> None:
    with pytest.raises(InvalidSignals) as refused:
        signals.parse_sales("date,sku,units,units\n2026-03-02,P1,3,4\n")
    assert refused.value.problems == [{"field": "header", "reason": "column 'units' appears twice"}]
    text = 'date,sku,units\n2026-03-02,"P\n1",3\n2026-03-03,P1,x\n'  # a line break in a cell
    with pytest.raises(InvalidSignals) as refused:
        signals.parse_sales(text)
    assert [p["field"] for p in refused.value.problems] == ["row 2.sku", "row 4.units"]
