"""`fulfilment forecast`: signals and sales CSV in, daily p10/p50/p90 CSV out; and a backtest."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from fulfilment.cli.common import describe, fail, read_text, write_whole
from inventory import csv_text
from inventory import signals as signal_files
from inventory.planning_errors import InvalidSignals

if TYPE_CHECKING:  # the model's modules load scikit-learn and SciPy: 2 s the other verbs skip
    from inventory.forecast import ForecastRow

app = typer.Typer(help="Forecast units sold per SKU and day from community signals and sales.")


def _load(signals: Path, sales: Path):
    return (_parsed(signals, signal_files.parse_signals), _parsed(sales, signal_files.parse_sales))


def _parsed(path: Path, parse):  # noqa: ANN001, ANN202
    try:
        return parse(read_text(path))
    except ValueError as exc:
        fail(f"{path}: {exc}: {describe(exc)}")


def _categories(path: Path) -> dict[str, str]:
    """`sku,category` rows; a header without both columns, or a cell csv cannot read (a stray
    quote running to the end of the file), is refused rather than scored as one group."""
    reader = csv.DictReader(io.StringIO(read_text(path)))
    refuse = csv_text.unreadable(InvalidSignals, "categories file")
    try:
        header = csv_text.fieldnames(reader, refuse)
        if "sku" not in header or "category" not in header:
            fail(f"{path}: the header must name the columns sku and category")
        rows = [{k.strip(): (v or "").strip() for k, v in row.items() if k}  # None: extra cells
                for row in csv_text.records(reader, refuse)]
    except InvalidSignals as exc:
        fail(f"{path}: {exc}: {describe(exc)}")
    return {row["sku"]: row["category"] for row in rows if row["sku"] and row["category"]}


def _day(raw: str, name: str) -> date:
    """Every date option, read as the CSV files' dates are: `YYYY-MM-DD` only, never the
    20260622 or 2026-W26-1 that date.fromisoformat also takes."""
    day = signal_files.iso_day(raw)
    if day is None:
        fail(f"--{name} must be an ISO date (YYYY-MM-DD), got {raw!r}")
    return day


def to_csv(rows: list[ForecastRow]) -> str:
    """Forecast rows in the contract's format: `sku,date,p10,p50,p90`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["sku", "date", "p10", "p50", "p90"])
    for r in rows:
        writer.writerow([r.sku, r.day.isoformat(), r.p10, r.p50, r.p90])
    return out.getvalue()


@app.callback(invoke_without_command=True)
def main(ctx: typer.Context,
         signals: Path = typer.Option(None, "--signals", help="signals.csv"),
         sales: Path = typer.Option(None, "--sales", help="sales.csv"),
         start: str = typer.Option(None, "--start", help="first forecast day (ISO date)"),
         horizon: int = typer.Option(14, "--horizon", help="days to forecast"),
         out: Path = typer.Option(None, "--out", help="forecast.csv to write")) -> None:
    """Forecast every SKU of either file for each day from --start, using rows before it."""
    if ctx.invoked_subcommand is not None:
        return
    from inventory import forecast as forecasting
    missing = [name for name, v in (("signals", signals), ("sales", sales), ("start", start),
                                    ("out", out)) if v is None]
    if missing:
        fail("missing " + ", ".join(f"--{m}" for m in missing))
    if not 1 <= horizon <= forecasting.MAX_HORIZON:
        fail(f"--horizon must be 1 to {forecasting.MAX_HORIZON} days, got {horizon}")
    first = _day(start, "start")
    signal_rows, sale_rows = _load(signals, sales)
    try:
        made = forecasting.forecast_noted(signal_rows, sale_rows, start=first, horizon=horizon)
        rows = made.rows
    except ValueError as exc:
        fail(describe(exc))
    write_whole(out, to_csv(rows))
    typer.echo(f"{len(rows)} rows ({len({r.sku for r in rows})} SKUs x {horizon} days) -> {out}")
    for note in made.notes:  # faults in the exports, worked around: the buyer should check them
        typer.echo(f"note: {note}", err=True)


@app.command("backtest")
def backtest(signals: Path = typer.Option(..., "--signals"),
             sales: Path = typer.Option(..., "--sales"),
             horizon: int = typer.Option(14, "--horizon"),
             origins: int = typer.Option(4, "--origins", help="how many origins to replay"),
             every: int = typer.Option(14, "--every", help="days between origins"),
             last: str = typer.Option(None, "--last", help="latest origin, its horizon within "
                                      "the sales (default: the last such day)"),
             categories: Path = typer.Option(None, "--categories",
                                             help="CSV sku,category for per-category WAPE"),
             ) -> None:
    """Replay origins and print WAPE against the 28-day-mean and last-week baselines."""
    from inventory import backtest as backtesting
    from inventory import forecast as forecasting
    signal_rows, sale_rows = _load(signals, sales)
    if not sale_rows:
        fail("the sales file has no rows to score against")
    if horizon < 1 or origins < 1 or every < 1:
        fail("--horizon, --origins and --every must be at least 1")
    if horizon > forecasting.MAX_HORIZON:
        fail(f"--horizon must be at most {forecasting.MAX_HORIZON} days, got {horizon}")
    last_sale = max(r.day for r in sale_rows)
    end = _day(last, "last") if last else last_sale - timedelta(days=horizon - 1)
    # a day past the file is not a day of zero sales: it is not known, and was scored as 0
    if (last_sale - end).days < horizon - 1:
        fail(f"--last {end} with --horizon {horizon} scores days past the last sales date "
             f"{last_sale}: give --last {last_sale - timedelta(days=horizon - 1)} or earlier")
    try:
        days = [end - timedelta(days=every * k) for k in range(origins)]
    except OverflowError:
        fail("--origins x --every reaches back past the calendar's first day")
    groups = None if categories is None else _categories(categories)
    try:
        report = backtesting.backtest(signal_rows, sale_rows, origins=days, horizon=horizon,
                                      categories=groups)
    except ValueError as exc:
        fail(describe(exc))
    for line in backtesting.describe(report):
        typer.echo(line)
