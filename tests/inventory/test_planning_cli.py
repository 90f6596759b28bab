"""The file verbs: `fulfilment forecast`, `forecast backtest`, `plan`, `signals import`."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fulfilment.cli import app
from inventory import purchasing_catalogue, signals, worlds
from tests.builders import EXAMPLES

runner = CliRunner()


def test_forecast_writes_the_contract_file(tmp_path: Path) -> None:
    out = tmp_path / "forecast.csv"
    got = runner.invoke(app, ["forecast", "--signals", str(EXAMPLES / "signals.csv"), "--sales",
                              str(EXAMPLES / "sales.csv"), "--start", "2026-06-22",
                              "--horizon", "14", "--out", str(out)])
    assert got.exit_code == 0, got.output
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["sku", "date", "p10", "p50", "p90"]
    assert len(rows) == 3 * 14 and rows[0]["date"] == "2026-06-22"
    assert all(0 <= int(r["p10"]) <= int(r["p50"]) <= int(r["p90"]) for r in rows)


def test_a_short_signals_export_is_forecast_with_a_note(tmp_path: Path) -> None:
    world = worlds.generate(5, skus=8, days=70)
    start = world.first_day + timedelta(days=70)
    short = [r for r in world.signals if r.day < start - timedelta(days=2)]
    (tmp_path / "s.csv").write_text(signals.signals_to_csv(short))
    (tmp_path / "v.csv").write_text(signals.sales_to_csv(world.sales))
    got = runner.invoke(app, ["forecast", "--signals", str(tmp_path / "s.csv"), "--sales",
                              str(tmp_path / "v.csv"), "--start", start.isoformat(),
                              "--out", str(tmp_path / "f.csv")])
    assert got.exit_code == 0, got.output
    assert "note: the signals end 2 day(s) before the sales" in got.stderr
    assert "note:" not in got.stdout


def test_a_bad_file_is_one_line_on_stderr(tmp_path: Path) -> None:
    bad = tmp_path / "sales.csv"
    bad.write_text("date,sku,units\n2026-06-01,A,many\n")
    got = runner.invoke(app, ["forecast", "--signals", str(EXAMPLES / "signals.csv"), "--sales",
                              str(bad), "--start", "2026-06-22", "--out", str(tmp_path / "f")])
    assert got.exit_code == 2
    assert "row 2.units" in got.output and "Traceback" not in got.output


def test_backtest_prints_wape_against_baselines(tmp_path: Path) -> None:
    world = worlds.generate(5, skus=8, days=70)
    (tmp_path / "s.csv").write_text(signals.signals_to_csv(world.signals))
    (tmp_path / "t.csv").write_text(signals.sales_to_csv(world.sales))
    got = runner.invoke(app, ["forecast", "backtest", "--signals", str(tmp_path / "s.csv"),
                              "--sales", str(tmp_path / "t.csv"), "--origins", "1",
                              "--horizon", "7"])
    assert got.exit_code == 0, got.output
    assert "mean28" in got.output and "overall" in got.output and "launches" in got.output
    assert str(world.first_day + timedelta(days=63)) in got.output


def test_backtest_refuses_a_horizon_past_the_last_sales_day(tmp_path: Path) -> None:
    # days past the file were scored as zero sales: a made-up WAPE, or a table of nan
    world = worlds.generate(5, skus=8, days=70)
    (tmp_path / "s.csv").write_text(signals.signals_to_csv(world.signals))
    (tmp_path / "t.csv").write_text(signals.sales_to_csv(world.sales))
    last_sale = max(r.day for r in world.sales)
    base = ["forecast", "backtest", "--signals", str(tmp_path / "s.csv"), "--sales",
            str(tmp_path / "t.csv"), "--origins", "1", "--horizon", "14"]
    for late in (last_sale - timedelta(days=6), last_sale + timedelta(days=100)):
        got = runner.invoke(app, [*base, "--last", late.isoformat()])
        assert got.exit_code == 2, got.output
        assert got.stderr.count("\n") == 1 and got.stdout == "", got.output
        assert "--last" in got.stderr and "--horizon" in got.stderr
        assert f"last sales date {last_sale}" in got.stderr
    fits = last_sale - timedelta(days=13)  # its 14th day is the last sales day: scored
    got = runner.invoke(app, [*base, "--last", fits.isoformat()])
    assert got.exit_code == 0 and f"({fits} .. {fits})" in got.stdout, got.output


def test_backtest_names_skus_without_a_category_uncategorised(tmp_path: Path) -> None:
    # they were a group "all" beside "overall"; without categories, "all" repeated "overall"
    base = ["forecast", "backtest", "--signals", str(EXAMPLES / "signals.csv"), "--sales",
            str(EXAMPLES / "sales.csv"), "--origins", "1", "--horizon", "1"]
    fixed = ["overall", "launches", "- not selling", "- new sellers"]

    def groups(got) -> list[str]:  # noqa: ANN001
        assert got.exit_code == 0, got.output
        return [line[:14].strip() for line in got.stdout.splitlines()[2:]]

    assert groups(runner.invoke(app, base)) == fixed
    cats = tmp_path / "cats.csv"
    cats.write_text("sku,category\nSERUM-30ML,skincare\n")
    assert groups(runner.invoke(app, [*base, "--categories", str(cats)])) == [
        *fixed, "skincare", "uncategorised"]


def test_plan_from_files(tmp_path: Path) -> None:
    (tmp_path / "f.csv").write_text("sku,date,p10,p50,p90\n" + "".join(
        f"SERUM-30ML,2026-06-{d:02d},3,6,10\n" for d in range(22, 29)))
    (tmp_path / "c.csv").write_text(",".join(purchasing_catalogue.COLUMNS) + "\n"
                                    "SERUM-30ML,KR,NGB,129.00,45.00,0.12,720,12,12,5,38.00,"
                                    "4,0,0,500\n")
    got = runner.invoke(app, ["plan", "--forecast", str(tmp_path / "f.csv"), "--catalogue",
                              str(tmp_path / "c.csv"), "--budget", "3000", "--out",
                              str(tmp_path / "plan.csv")])
    assert got.exit_code == 0, got.output
    lines = list(csv.DictReader((tmp_path / "plan.csv").open()))
    assert lines and int(lines[0]["qty"]) % 12 == 0 and "forecast" in lines[0]["reason"]


def _plan_files(tmp_path: Path, *, forecast: str | None = None,
                catalogue_row: str = "SERUM-30ML,KR,NGB,129.00,45.00,0.12,720,12,12,5,38.00,"
                                     "4,0,0,500") -> list[str]:
    """Forecast and catalogue files, and the `plan` arguments that read them."""
    (tmp_path / "f.csv").write_text(forecast or "sku,date,p10,p50,p90\n" + "".join(
        f"SERUM-30ML,2026-06-{d:02d},3,6,10\n" for d in range(22, 29)))
    (tmp_path / "c.csv").write_text(",".join(purchasing_catalogue.COLUMNS) + "\n"
                                    + catalogue_row + "\n")
    return ["plan", "--forecast", str(tmp_path / "f.csv"), "--catalogue",
            str(tmp_path / "c.csv"), "--budget", "3000", "--out", str(tmp_path / "plan.csv")]


def _refused(tmp_path: Path, args: list[str], expected: str) -> None:
    """Non-zero exit, one readable line on stderr naming the problem, no plan file."""
    got = runner.invoke(app, args)
    assert got.exit_code == 2, got.output
    assert got.exception is None or isinstance(got.exception, SystemExit), got.exception
    assert got.stderr.count("\n") == 1 and expected in got.stderr, got.stderr
    assert not (tmp_path / "plan.csv").exists()


def test_plan_refuses_an_overflowing_forecast_quantile(tmp_path: Path) -> None:
    forecast = "sku,date,p10,p50,p90\nSERUM-30ML,2026-06-22,3,6,inf\n" \
               "SERUM-30ML,2026-06-23,3,6,1e400\n"
    _refused(tmp_path, _plan_files(tmp_path, forecast=forecast), "row 3.p90")


def test_plan_refuses_a_forecast_with_a_repeated_day(tmp_path: Path) -> None:
    forecast = "sku,date,p10,p50,p90\nSERUM-30ML,2026-06-22,3,6,10\n" \
               "SERUM-30ML,2026-06-22,3,6,10\n"
    _refused(tmp_path, _plan_files(tmp_path, forecast=forecast), "row 3: repeats")


def test_plan_refuses_review_days_the_api_would(tmp_path: Path) -> None:
    for days in ("-30", "0", "91"):
        _refused(tmp_path, [*_plan_files(tmp_path), "--review-days", days],
                 "--review-days: must be from 1 to 90")


def test_plan_refuses_a_time_limit_the_solver_cannot_use(tmp_path: Path) -> None:
    for seconds in ("-1", "0", "nan", "301"):
        _refused(tmp_path, [*_plan_files(tmp_path), "--time-limit", seconds], "--time-limit")


def test_plan_refuses_a_price_beyond_the_ceiling(tmp_path: Path) -> None:
    row = "SERUM-30ML,KR,NGB,1e30,45.00,0.12,720,12,12,5,38.00,4,0,0,500"
    _refused(tmp_path, _plan_files(tmp_path, catalogue_row=row),
             "row 2.price: must be at most 10000000.00 CNY")


def test_plan_writes_nothing_when_the_solver_gives_no_plan(tmp_path: Path,
                                                            monkeypatch) -> None:  # noqa: ANN001
    from inventory import purchasing

    def failed(data: purchasing.PlanInput, *, time_limit_s: float) -> purchasing.Plan:
        return purchasing.Plan([], data.budget_fen, 0, 0, "infeasible")

    monkeypatch.setattr(purchasing, "plan", failed)
    _refused(tmp_path, _plan_files(tmp_path), "no usable plan")


def test_plan_prints_money_exactly(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from inventory import purchasing

    def large(data: purchasing.PlanInput, *, time_limit_s: float) -> purchasing.Plan:
        # beyond a double's 15-16 digits, where `fen / 100` loses the last fen
        return purchasing.Plan([], data.budget_fen, 10**17 + 1, 99_999_999_999_999_999,
                               "optimal")

    monkeypatch.setattr(purchasing, "plan", large)
    got = runner.invoke(app, _plan_files(tmp_path))
    assert got.exit_code == 0, got.output
    assert "spent 1000000000000000.01 of 3000.00 CNY" in got.stdout
    assert "margin 999999999999999.99 CNY" in got.stdout


def test_a_horizon_past_a_year_or_the_calendar_is_one_line(tmp_path: Path) -> None:
    base = ["forecast", "--signals", str(EXAMPLES / "signals.csv"), "--sales",
            str(EXAMPLES / "sales.csv"), "--out", str(tmp_path / "f.csv")]
    got = runner.invoke(app, [*base, "--start", "2026-06-22", "--horizon", "4000000"])
    assert got.exit_code == 2 and "--horizon must be 1 to 365 days" in got.stderr
    got = runner.invoke(app, [*base, "--start", "9999-12-25"])
    assert got.exit_code == 2 and "start plus horizon must end by 9999-12-31" in got.stderr
    assert "Traceback" not in got.output and not (tmp_path / "f.csv").exists()


def test_a_start_whose_year_of_history_runs_before_the_calendar_is_one_line(
        tmp_path: Path) -> None:
    # the panel reaches a year back from --start: date arithmetic raised OverflowError
    got = runner.invoke(app, ["forecast", "--signals", str(EXAMPLES / "signals.csv"), "--sales",
                              str(EXAMPLES / "sales.csv"), "--out", str(tmp_path / "f.csv"),
                              "--start", "0001-01-01"])
    assert got.exit_code == 2, got.output
    assert got.stderr == "error: start: must be on or after 0002-01-01\n"
    assert not (tmp_path / "f.csv").exists()


@pytest.mark.parametrize("raw", ["20260622", "2026-W26-1", "2026-6-22", "2026-02-30"])
@pytest.mark.parametrize("verb, option", [([], "start"), (["backtest"], "last")])
def test_a_date_option_is_read_as_the_files_dates_are(raw: str, verb: list[str], option: str,
                                                      tmp_path: Path) -> None:
    # date.fromisoformat alone took 20260622 and 2026-W26-1, which the CSV files may not hold
    args = ["forecast", *verb, "--signals", str(EXAMPLES / "signals.csv"), "--sales",
            str(EXAMPLES / "sales.csv"), f"--{option}", raw]
    got = runner.invoke(app, [*args, *([] if verb else ["--out", str(tmp_path / "f.csv")])])
    assert got.exit_code == 2, got.output
    assert got.stderr == f"error: --{option} must be an ISO date (YYYY-MM-DD), got {raw!r}\n"
    assert not (tmp_path / "f.csv").exists()


def test_backtest_refuses_a_categories_file_it_cannot_read(tmp_path: Path) -> None:
    cats = tmp_path / "cats.csv"
    base = ["forecast", "backtest", "--signals", str(EXAMPLES / "signals.csv"), "--sales",
            str(EXAMPLES / "sales.csv"), "--categories", str(cats)]
    cats.write_text("sku,category\n\"" + "x" * 200_000 + "\n")  # csv.Error: a traceback
    got = runner.invoke(app, base)
    assert got.exit_code == 2 and got.stderr.count("\n") == 1, got.output
    assert got.stderr.startswith(f"error: {cats}: categories file is not readable CSV at line")
    cats.write_text("sku,category\nSERUM-30ML,skincare,extra\n")  # a cell past the header
    assert runner.invoke(app, base).exit_code == 0
    cats.write_text("SERUM-30ML,skincare\n")  # no header: every SKU silently scored as "all"
    got = runner.invoke(app, base)
    assert got.exit_code == 2
    assert got.stderr == f"error: {cats}: the header must name the columns sku and category\n"


def test_plan_refuses_a_catalogue_naming_a_column_twice(tmp_path: Path) -> None:
    # DictReader kept the second `market` column's values without a word
    args = _plan_files(tmp_path)
    catalogue = tmp_path / "c.csv"
    header, row = catalogue.read_text().splitlines()
    catalogue.write_text(f"{header},market\n{row},JP\n")
    _refused(tmp_path, args, "error: catalogue header repeats market: header: column 'market' "
                             "appears twice")


def test_plan_refuses_names_with_control_characters_in_one_line(tmp_path: Path) -> None:
    # a line break in a forecast SKU was printed as is: a two-line error
    forecast = "sku,date,p10,p50,p90\n" + "".join(
        f"\"SERUM\n30ML\",2026-06-{d:02d},3,6,10\n" for d in range(22, 29))
    _refused(tmp_path, _plan_files(tmp_path, forecast=forecast),
             "row 2.sku: must not contain control or invisible characters, found U+000A")
    # and went into the plan file from the catalogue
    _refused(tmp_path, _plan_files(tmp_path, catalogue_row="SERUM-30ML,K\x00R,NGB,129.00,"
                                                           "45.00,0.12,720,12,12,5,38.00,4,0,"
                                                           "0,500"),
             "row 2.market: must not contain control or invisible characters, found U+0000")


def test_plan_notes_skus_it_could_not_plan_on_stderr(tmp_path: Path) -> None:
    # the catalogue's SKU is not in the forecast (a typo, another file): 0 lines, said why
    args = _plan_files(tmp_path, forecast="sku,date,p10,p50,p90\nOTHER,2026-06-22,3,6,10\n")
    got = runner.invoke(app, args)
    assert got.exit_code == 0, got.output
    assert got.stdout.startswith("0 lines, spent 0.00 of 3000.00 CNY")
    assert got.stderr == ("note: no forecast for SERUM-30ML: nothing is bought for them (a "
                          "missing forecast is not zero demand; forecast them to plan them)\n")
    (tmp_path / "c.csv").write_text(",".join(purchasing_catalogue.COLUMNS) + "\n")
    got = runner.invoke(app, args)
    assert got.exit_code == 0 and got.stderr == (
        "note: nothing to plan: the catalogue has no source to buy from\n")
