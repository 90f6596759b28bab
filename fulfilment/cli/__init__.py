"""The `fulfilment` command line: one Typer app, one sub-app module per area."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(help="Cross-border fulfilment: intake, allocation, customs, labels, planning.",
                  no_args_is_help=True, pretty_exceptions_enable=False)

# (module, name) of each sub-app; a module exposes `app` (a Typer group) or `register(app)`.
_SUBAPPS = [
    ("fulfilment.cli.service", None),
    ("fulfilment.cli.route", "route"),
    ("fulfilment.cli.customs", "customs"),
    ("fulfilment.cli.labels", "labels"),
    ("fulfilment.cli.forecast", "forecast"),
    ("fulfilment.cli.plan", None),
]


def _register() -> None:
    for module_name, name in _SUBAPPS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # area not built yet
            raise
        if hasattr(module, "register"):
            module.register(app)
        else:
            app.add_typer(module.app, name=name)


_register()


def main() -> None:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        app()
    except (OperationalError, ProgrammingError) as exc:
        # an unmigrated or unreachable database: one readable line, not a SQL traceback
        from fulfilment.settings import Settings

        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc)
        hint = ("; run `fulfilment db upgrade` first" if "no such table" in reason
                or ("relation" in reason and "does not exist" in reason) else "")
        url = Settings().database_url.split("@")[-1]  # never print a password
        typer.echo(f"error: database {url}: {reason}{hint}", err=True)
        raise SystemExit(3) from None
