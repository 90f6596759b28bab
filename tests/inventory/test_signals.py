"""Signals and sales files: every row validated, a bad file refused whole with row numbers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inventory import signals
from inventory.planning_errors import InvalidSignals
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


def test_padding_blank_cells_whole_floats_and_short_rows_read_as_counts() -> None:
    text = ("date,sku,notes,likes,saves,comments,shares,searches\n"
            "2026-06-01,A,1,2,3,4,5,6\n"
            " 2026-06-02 , A ,3.0,, 2 ,1\n")
    assert signals.parse_signals(text) == [
        signals.SignalRow(date(2026, 6, 1), "A", 1, 2, 3, 4, 5, 6),
        signals.SignalRow(date(2026, 6, 2), "A", 3, 0, 2, 1, 0, 0)]
