"""Allocation verbs: `route solve` on files (no database) and `couriers import` (rate cards)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from fulfilment.cli.common import describe, fail, read_text, write_whole

# an hour: an offline run may take longer than POST /allocations/solve's 300 s, but past any
# finite bound (inf, 1e400) HiGHS's limit overflowed, which only the log's traceback told
MAX_TIME_LIMIT_S = 3600.0
MAX_SEED = 2**31 - 1  # HiGHS's random_seed is a 32-bit integer
route_app = typer.Typer(help="Allocation waves on files.", no_args_is_help=True)
couriers_app = typer.Typer(help="Couriers, lanes (rate cards) and capacities.",
                           no_args_is_help=True)


@route_app.command("solve")
def solve(problem: Path = typer.Argument(..., help="wave problem JSON (routing contract)"),
          out: Path = typer.Option(..., "--out", help="where to write the solution JSON"),
          time_limit: float = typer.Option(
              20.0, "--time-limit", min=0.1, max=MAX_TIME_LIMIT_S,
              help="seconds, reading the file included (too short for the model: the greedy "
                   "answer, and a note says so)"),
          workers: int = typer.Option(2, "--workers", min=1),
          seed: int = typer.Option(0, "--seed", min=0, max=MAX_SEED)) -> None:
    """Solve one wave: the least-cost parcels within stock and capacities."""
    import time

    import routing

    started = time.perf_counter()  # the limit covers reading and checking the file too
    text = read_text(problem)  # UTF-8, as JSON between programs is: not UTF-16 guessed at
    try:
        solution = routing.solve(routing.Wave.from_json(text), time_limit_s=time_limit,
                                 workers=workers, seed=seed, started=started)
    except ValueError as exc:
        fail(f"{problem}: {describe(exc)}")
    write_whole(out, solution.to_json() + "\n")
    typer.echo(f"{solution.wave_id}: {solution.status.value} {solution.objective:.2f} "
               f"(greedy {solution.baseline_objective:.2f}, bound {solution.lower_bound}), "
               f"{len(solution.parcels)} parcels, {len(solution.unfulfilled)} lines unfulfilled",
               err=True)
    if solution.note:  # why the answer is the greedy rule's
        typer.echo(f"note: {solution.note}", err=True)


@couriers_app.command("import")
def import_csv(
    file: Path = typer.Argument(..., help="CSV of couriers, lanes or capacities"),
) -> None:
    """Import a rate-card CSV into the database (kind detected from its header)."""
    from fulfilment import db
    from fulfilment.settings import Settings
    from routing import store

    text = read_text(file)
    settings = Settings()
    factory = db.make_session_factory(db.make_engine(settings.database_url, create=False))
    try:
        with db.transaction(factory) as session:
            summary = store.import_csv(session, text, now=datetime.now(UTC))
    except ValueError as exc:
        fail(f"{file}: {describe(exc)}")
    typer.echo(summary)


def register(app: typer.Typer) -> None:
    app.add_typer(route_app, name="route")
    app.add_typer(couriers_app, name="couriers")
