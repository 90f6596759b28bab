"""`fulfilment customs ...`: tax quotes, clearance messages and the customs simulator."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import typer

from customs import messages as ceb
from customs import tax
from customs.errors import CustomsError
from fulfilment import customs_simulation
from fulfilment.clearance_files import write_all_atomic
from fulfilment.cli.common import describe, fail, read_json
from fulfilment.localtime import CHINA

app = typer.Typer(help="Customs: tax quotes, CEB clearance messages, the customs simulator.",
                  no_args_is_help=True)


def _china_now() -> datetime:
    """Message times are China Standard Time, as the single window expects."""
    return datetime.now(CHINA).replace(tzinfo=None)


@app.command()
def quote(basket: Path = typer.Argument(..., help="basket JSON (the customs contract)")) -> None:
    """Print the tax quote for a basket as JSON."""
    data = read_json(basket)
    try:
        result = tax.quote(data)
    except CustomsError as exc:
        fail(describe(exc))
    typer.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))


@app.command()
def messages(
    declaration: Path = typer.Argument(..., help="declaration JSON (the customs contract)"),
    out: Path = typer.Option(..., "--out", help="folder the four messages are written to"),
    at: datetime | None = typer.Option(None, "--at", help="declaration time (China time)"),
) -> None:
    """Build, check and write CEB311/411/511/621; on any problem write nothing."""
    data = read_json(declaration)
    try:
        built = ceb.build_messages(data, now=at or _china_now())
    except CustomsError as exc:
        fail(describe(exc))
    try:
        write_all_atomic(out, {m.filename: m.xml for m in built})
    except OSError as exc:
        fail(f"{out}: cannot write ({exc})")
    for m in built:
        typer.echo(str(out / m.filename))


@app.command()
def simulate(
    outbox: Path = typer.Option(..., "--outbox", help="folder holding messages to customs"),
    inbox: Path = typer.Option(..., "--inbox", help="folder receipts are written to"),
    ledger: Path | None = typer.Option(None, "--ledger",
                                       help="JSON of cleared value per buyer and year "
                                            "(default: <outbox>/sent/simulator-ledger.json)"),
) -> None:
    """CUSTOMS SIMULATOR: answer every outbox message with receipts in the inbox."""
    if not outbox.is_dir():
        fail(f"{outbox}: no such folder")
    ledger = ledger or outbox / "sent" / "simulator-ledger.json"
    try:
        done = customs_simulation.run(outbox, inbox, ledger,
                                      read_json(ledger) if ledger.exists() else {},
                                      now=_china_now())
    except customs_simulation.BadLedger:
        fail(f"{ledger}: not a ledger of amounts by buyer and year")
    except OSError as exc:
        fail(f"cannot write receipts ({exc})")
    typer.echo(f"customs simulator: {done.read} message(s) read, {done.receipts} receipt(s) "
               f"written, {done.skipped} skipped"
               + (f", {done.moved_again} answered before and moved now"
                  if done.moved_again else ""))
