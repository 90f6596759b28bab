"""`fulfilment customs ...`: tax quotes, clearance messages and the customs simulator."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import typer

from customs import messages as ceb
from customs import simulator, tax
from customs.errors import CustomsError
from fulfilment.clearance_files import move_done, read_folder, write_all_atomic
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
    used, answered = _read_ledger(ledger)
    found = read_folder(outbox)
    again = sorted(n for n in found if n in answered)  # a run stopped before moving them
    fresh = {n: xml for n, xml in found.items() if n not in answered}
    result = simulator.simulate(fresh, now=_china_now(), used=used)
    done = [n for n in fresh if n not in result.skipped]
    try:
        write_all_atomic(inbox, {a.filename: a.xml for a in result.answers})
        # the ledger names what this run answered before those messages move: a run stopped
        # between the two moves them next time instead of answering (and counting) them again
        write_all_atomic(ledger.parent, {ledger.name: json.dumps(
            {"used": {k: str(v) for k, v in result.used.items()}, "answered": done},
            indent=1).encode()})
        move_done(outbox, again + done, sub="sent")
    except OSError as exc:
        fail(f"cannot write receipts ({exc})")
    typer.echo(f"customs simulator: {len(fresh)} message(s) read, "
               f"{len(result.answers)} receipt(s) written, {len(result.skipped)} skipped"
               + (f", {len(again)} answered before and moved now" if again else ""))


def _read_ledger(path: Path) -> tuple[dict[str, Decimal], set[str]]:
    """(cleared value by "<id number>:<year>", messages the run that wrote it answered). A
    ledger of the first form, amounts alone, is read too."""
    data = read_json(path) if path.exists() else {}
    try:
        if isinstance(data, dict) and isinstance(data.get("used"), dict):
            amounts, answered = data["used"], data.get("answered", [])
        else:
            amounts, answered = data, []
        used = {k: Decimal(v) for k, v in amounts.items()}
        if not all(v.is_finite() and v >= 0 for v in used.values()):  # "NaN", "Infinity", "-1"
            raise ValueError("not an amount")
        if not isinstance(answered, list) or not all(isinstance(n, str) for n in answered):
            raise ValueError("not a list of message names")
    except (ArithmeticError, AttributeError, TypeError, ValueError):
        fail(f"{path}: not a ledger of amounts by buyer and year")
    return used, set(answered)
