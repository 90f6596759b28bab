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

    from fulfilment.db import MissingDatabase

    try:
        # not standalone: click's usage errors come here, to be one line like every other error
        code = app(standalone_mode=False)
    except typer.Abort:
        typer.echo("error: aborted", err=True)
        raise SystemExit(1) from None
    except (OperationalError, ProgrammingError, MissingDatabase) as exc:
        # an unmigrated, missing or unreachable database: one readable line, not a traceback
        from fulfilment.settings import Settings

        orig = getattr(exc, "orig", None)
        reason = str(orig).splitlines()[0] if orig is not None else str(exc)
        hint = ("; run `fulfilment db upgrade` first" if isinstance(exc, MissingDatabase)
                or "no such table" in reason
                or ("relation" in reason and "does not exist" in reason) else "")
        url = Settings().database_url.split("@")[-1]  # never print a password
        typer.echo(f"error: database {url}: {reason}{hint}", err=True)
        raise SystemExit(3) from None
    except Exception as exc:
        _usage_error(exc)
        raise
    raise SystemExit(code if isinstance(code, int) else 0)


def _usage_error(exc: Exception) -> None:
    """Exit with one line for a bad option or argument (click's UsageError, which Typer now
    vendors: known by its shape, not its class); the bare command prints its help."""
    if not (hasattr(exc, "format_message") and isinstance(getattr(exc, "exit_code", None), int)):
        return
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
        typer.echo(ctx.get_help())
    else:
        typer.echo(f"error: {exc.format_message()}", err=True)
    raise SystemExit(exc.exit_code) from None
