"""`fulfilment plan` (purchase plan from files) and `fulfilment signals import` (into the DB)."""

from __future__ import annotations

from pathlib import Path

import typer

from fulfilment.cli.common import describe, fail, read_text, write_whole
from inventory import money, purchasing
from inventory import purchasing_catalogue as catalogue

signals_app = typer.Typer(help="Community signals and sales history in the database.")


def plan(forecast: Path = typer.Option(..., "--forecast", help="forecast.csv from `forecast`"),
         catalogue_file: Path = typer.Option(..., "--catalogue",
                                             help="catalogue CSV (see inventory/"
                                                  "purchasing_catalogue.py for its columns)"),
         budget: str = typer.Option(..., "--budget", help="budget in CNY"),
         out: Path = typer.Option(..., "--out", help="plan.csv to write"),
         review_days: int = typer.Option(7, "--review-days", help="days until the next buy"),
         time_limit: float = typer.Option(10.0, "--time-limit",
                                          help="seconds for the plan, model included")
         ) -> None:
    """Propose a purchase plan maximising expected margin within the budget."""
    # the same bounds as the HTTP API's PlanIn.review_days
    if not catalogue.MIN_REVIEW_DAYS <= review_days <= catalogue.MAX_REVIEW_DAYS:
        fail(f"--review-days: must be from {catalogue.MIN_REVIEW_DAYS} to "
             f"{catalogue.MAX_REVIEW_DAYS}, got {review_days}")
    if not 0 < time_limit <= catalogue.MAX_TIME_LIMIT_S:  # also refuses nan
        fail(f"--time-limit: must be more than 0 and at most {catalogue.MAX_TIME_LIMIT_S} "
             f"seconds, got {time_limit}")
    problems: list[dict] = []
    budget_fen = catalogue.money_fen(budget, "budget", problems)
    if problems:
        fail(f"--budget: {problems[0]['reason']}")
    try:
        demand = catalogue.parse_forecast(read_text(forecast))
        data = catalogue.parse_catalogue(read_text(catalogue_file), demand=demand,
                                         budget_fen=budget_fen, review_days=review_days)
        result = purchasing.plan(data, time_limit_s=time_limit)
    except ValueError as exc:
        fail(f"{exc}: {describe(exc)}")
    # an empty "infeasible" plan is a solver failure (a zero purchase is always feasible)
    if result.status not in ("optimal", "feasible"):
        fail(f"no usable plan: the solver ended {result.status} (try a longer --time-limit); "
             f"nothing written")
    write_whole(out, catalogue.plan_to_csv(result))
    typer.echo(f"{len(result.lines)} lines, spent {money.cny(result.spent_fen)} of "
               f"{money.cny(budget_fen)} CNY, expected margin "
               f"{money.cny(result.expected_margin_fen)} CNY ({_status(result)}) -> {out}")
    for note in result.notes:  # SKUs that could not be bought at all: 0 lines is not "enough"
        typer.echo(f"note: {note}", err=True)


def _status(result: purchasing.Plan) -> str:
    if result.status == "feasible" and result.gap is not None:  # stopped at the time limit
        return f"feasible, within {result.gap:.2%} of the solver's bound"
    return result.status


def register(app: typer.Typer) -> None:
    """Add `plan` and the `signals` group to the main app."""
    app.command("plan")(plan)
    app.add_typer(signals_app, name="signals")


@signals_app.command("import")
def import_file(file: Path = typer.Argument(..., help="signals.csv or sales.csv (by header)")
                ) -> None:
    """Import a signals or sales CSV into the database: all rows or none; re-import is safe."""
    from fulfilment import db, planning
    from fulfilment.settings import Settings
    from inventory.signals import file_kind, header_names

    text = read_text(file)
    if not text.lstrip("\ufeff").strip():  # neither kind: "signals header lacks..." misled
        fail(f"{file} is empty (no header row): nothing imported")
    # the header as the parser reads it: `date, sku, units` or quoted names are sales too
    try:
        kind = file_kind(header_names(text))  # refuses a header of both kinds
        factory = db.make_session_factory(db.make_engine(Settings().database_url,
                                                         create=False))
        with db.transaction(factory) as session:
            count = (planning.import_sales if kind == "sales" else planning.import_signals)(
                session, text=text)
    except ValueError as exc:
        fail(f"{file}: {exc}: {describe(exc)}")
    typer.echo(f"imported {count} {kind} rows from {file}")
