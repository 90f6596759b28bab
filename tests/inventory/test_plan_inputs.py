"""`fulfilment plan` and `signals import` inputs: finite cover, the contract's number and date
forms only (as the signals import reads them), and an empty file named as such."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fulfilment.cli import app
from inventory import purchasing
from inventory import purchasing_catalogue as catalogue
from tests.inventory.test_purchasing_catalogue import _catalogue, _refused

runner = CliRunner()
HEADER = ",".join(catalogue.COLUMNS)
ROW = "A,KR,NGB,99.00,30.00,0.1,365,12,12,5,38.00,5,1,0,500"


def _one_line_error(args: list[str], expected: str) -> str:
    """Exit 2 with one line on stderr holding `expected`; the line is returned."""
    got = runner.invoke(app, args)
    assert got.exit_code == 2, got.output
    assert got.exception is None or isinstance(got.exception, SystemExit), got.exception
    assert got.stderr.count("\n") == 1 and expected in got.stderr, got.stderr
    return got.stderr


# 6. cover days are always a finite number


def _zero_p50(daily: tuple[int, int, int] = (0, 0, 5)) -> purchasing.PlanInput:
    return purchasing.PlanInput(
        items=[purchasing.Item("Z", 50_000, 100, 365)],
        sources=[purchasing.Source("Z", "KR", "NGB", 500, 1, 1, 3, 100)],
        hub_capacity={"NGB": 1000}, demand={"Z": [daily] * 14}, budget_fen=500_000)


def test_cover_with_a_zero_p50_is_measured_against_p90_demand() -> None:
    [line] = purchasing.plan(_zero_p50()).lines
    # p90 5 a day over the window, days 3-10: none until the goods arrive on day 3, then
    # the order at 5 a day
    assert math.isfinite(line.cover_days)
    assert line.cover_days == pytest.approx(3 + line.qty / 5, abs=0.1)
    assert f"covers {line.cover_days:.0f} days at p90 demand" in line.reason
    assert "inf" not in line.reason


def test_cover_with_no_demand_at_all_is_the_shelf_life() -> None:
    # the solver buys nothing against no demand; a buyer's edit still gets a figure
    data = _zero_p50((0, 0, 0))
    [line] = purchasing.evaluate(data, {("Z", "KR", "NGB"): 10}).lines
    assert line.cover_days == 365.0
    assert "no demand forecast: covers 365 days, until expiry" in line.reason


def test_plan_csv_writes_a_finite_cover_matching_the_reason(tmp_path: Path) -> None:
    (tmp_path / "f.csv").write_text("sku,date,p10,p50,p90\n" + "".join(
        f"Z,2026-07-{d:02d},0,0,5\n" for d in range(1, 15)))
    (tmp_path / "c.csv").write_text(HEADER + "\nZ,KR,NGB,500.00,5.00,0.1,365,1,1,3,1.00,"
                                             "0,0,0,1000\n")
    got = runner.invoke(app, ["plan", "--forecast", str(tmp_path / "f.csv"), "--catalogue",
                              str(tmp_path / "c.csv"), "--budget", "5000", "--out",
                              str(tmp_path / "plan.csv")])
    assert got.exit_code == 0, got.output
    [line] = list(csv.DictReader((tmp_path / "plan.csv").open()))
    cover = float(line["cover_days"])
    assert math.isfinite(cover) and cover > 0
    assert f"covers {cover:.0f} days" in line["reason"] and "inf" not in line["reason"]


# 7. the contract's forms only: ASCII digits, YYYY-MM-DD, plain money


@pytest.mark.parametrize("raw", ["1_2", "+6", "３", "٣", "1e1", "3.0", "-0", "0x10"])
@pytest.mark.parametrize("column", ["moq", "case_pack", "lead_days", "on_hand", "hub_capacity"])
def test_catalogue_integers_are_plain_ascii_digits(column: str, raw: str) -> None:
    cells = dict(zip(catalogue.COLUMNS, ROW.split(","), strict=True)) | {column: raw}
    got = _refused(_catalogue, HEADER + "\n" + ",".join(cells.values()) + "\n")
    assert list(got) == [f"row 2.{column}"] and repr(raw) in got[f"row 2.{column}"]


def test_catalogue_integers_in_plain_digits_are_read() -> None:
    data = _catalogue(HEADER + "\n" + ROW.replace(",12,12,5,", ",012,6,0,") + "\n")
    assert (data.sources[0].moq, data.sources[0].case_pack, data.sources[0].lead_days) == \
        (12, 6, 0)


@pytest.mark.parametrize("raw", ["20260701", "2026-W27-4", "2026-07-01T00:00", "2026-7-1",
                                 "２０２６-07-01", " 2026-07-01x"])
def test_forecast_dates_are_yyyy_mm_dd(raw: str) -> None:
    got = _refused(catalogue.parse_forecast, f"sku,date,p10,p50,p90\nA,{raw},1,2,3\n")
    assert list(got) == ["row 2.date"] and "YYYY-MM-DD" in got["row 2.date"]


@pytest.mark.parametrize("raw", ["1_0", "+3", "３", "1e1", "0x3", "3.5"])
def test_forecast_quantiles_are_plain_ascii_digits(raw: str) -> None:
    got = _refused(catalogue.parse_forecast, f"sku,date,p10,p50,p90\nA,2026-07-01,1,2,{raw}\n")
    assert list(got) == ["row 2.p90"] and repr(raw) in got["row 2.p90"]


@pytest.mark.parametrize("raw", ["1e3", "+5", "１０", "1_000", "12.345", "12.500", ".5", "5.",
                                 "0x10", "1E2"])
def test_money_is_a_plain_decimal_with_at_most_two_places(raw: str) -> None:
    problems: list[dict] = []
    assert catalogue.money_fen(raw, "budget", problems) == 0
    assert problems and "plain digits" in problems[0]["reason"], problems
    assert repr(raw) in problems[0]["reason"]


@pytest.mark.parametrize(("raw", "fen"), [("1000", 100_000), ("1000.5", 100_050),
                                          ("0.05", 5), ("0", 0), ("007.10", 710)])
def test_plain_money_is_read(raw: str, fen: int) -> None:
    problems: list[dict] = []
    assert catalogue.money_fen(raw, "budget", problems) == fen and not problems


def _plan_error(tmp_path: Path, forecast: str, catalogue: str, budget: str, says: str) -> str:
    """The one error line `fulfilment plan` prints for these files, which it must refuse."""
    (tmp_path / "f.csv").write_text(forecast)
    (tmp_path / "c.csv").write_text(catalogue)
    return _one_line_error(["plan", "--forecast", str(tmp_path / "f.csv"), "--catalogue",
                            str(tmp_path / "c.csv"), "--budget", budget, "--out",
                            str(tmp_path / "plan.csv")], says)


def test_a_budget_in_exponent_form_is_refused(tmp_path: Path) -> None:
    line = _plan_error(tmp_path, "sku,date,p10,p50,p90\nA,2026-07-01,1,2,3\n",
                       HEADER + "\n" + ROW + "\n", "1e3", "--budget: ")
    assert "'1e3'" in line and not (tmp_path / "plan.csv").exists()


def test_the_reviewers_catalogue_is_refused_naming_each_cell(tmp_path: Path) -> None:
    line = _plan_error(tmp_path, "sku,date,p10,p50,p90\nA,2026-07-01,5,10,20\n",
                       HEADER + "\nA,KR,NGB,100,10,0.1,365,1_2,+6,３,1,0,0,0,1000\n", "1000",
                       "catalogue refused: ")
    assert "row 2.moq" in line and "row 2.case_pack" in line and "row 2.lead_days" in line
    assert not (tmp_path / "plan.csv").exists()


def test_the_reviewers_forecast_dates_are_refused(tmp_path: Path) -> None:
    line = _plan_error(tmp_path, "sku,date,p10,p50,p90\nA,20260701,1,2,3\nA,2026-W27-4,1,2,3\n",
                       HEADER + "\n" + ROW + "\n", "1000", "forecast file refused: ")
    assert "row 2.date" in line and "row 3.date" in line


def test_a_catalogue_row_with_a_cell_too_many_fails_the_command(tmp_path: Path) -> None:
    line = _plan_error(tmp_path, "sku,date,p10,p50,p90\nA,2026-07-01,5,10,20\n",
                       f"{HEADER},supplier\n{ROW},KR,1.5\n", "1000", "catalogue refused: ")
    assert "row 2: has 17 cells but the header names 16 columns" in line
    assert not (tmp_path / "plan.csv").exists()


# 9. an empty signals or sales file is named as empty


@pytest.mark.parametrize("text", ["", "\ufeff", "\n\n", "  \r\n"])
def test_signals_import_of_an_empty_file_says_it_is_empty(tmp_path: Path, text: str,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.setenv("FULFILMENT_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    empty = tmp_path / "sales.csv"
    empty.write_text(text, encoding="utf-8")
    line = _one_line_error(["signals", "import", str(empty)], f"{empty} is empty")
    said = line.replace(str(empty), "FILE")  # the test's own directory says "signals"
    assert "no header" in said and "lacks" not in said and "signals" not in said
