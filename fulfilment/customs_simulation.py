"""The customs SIMULATOR run over the outbox and inbox folders (demo and tests, never customs).

Each run answers the messages in the outbox with receipts in the inbox, books the buyers'
cleared value in a ledger file and moves the answered messages to `sent/`. The ledger is
written before the move and names what its run answered, so a run stopped between the two
moves those messages next time instead of answering (and counting) them again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from customs import simulator
from fulfilment.clearance_files import move_done, read_folder, write_all_atomic


class BadLedger(ValueError):
    """The ledger file holds something other than amounts by buyer and year."""


@dataclass(frozen=True)
class Run:
    read: int  # messages answered now
    receipts: int
    skipped: int  # unreadable messages, left in the outbox
    moved_again: int  # answered by a run stopped before moving them


def ledger_of(data: object) -> tuple[dict[str, Decimal], set[str]]:
    """(cleared value by "<id number>:<year>", messages the run that wrote it answered) from
    the ledger's JSON; the first form, amounts alone, is read too. BadLedger otherwise."""
    try:
        if isinstance(data, dict) and isinstance(data.get("used"), dict):
            amounts, answered = data["used"], data.get("answered", [])
        else:
            amounts, answered = data, []
        used = {k: Decimal(v) for k, v in amounts.items()}
        if not all(v.is_finite() and v >= 0 for v in used.values()):  # "NaN", "Infinity", "-1"
            raise BadLedger("not an amount")
        if not isinstance(answered, list) or not all(isinstance(n, str) for n in answered):
            raise BadLedger("not a list of message names")
    except (ArithmeticError, AttributeError, TypeError, ValueError) as exc:
        raise BadLedger(str(exc)) from None
    return used, set(answered)


def run(outbox: Path, inbox: Path, ledger: Path, ledger_data: object, *, now: datetime) -> Run:
    """Answer the outbox; `ledger_data` is the ledger file's JSON ({} for none). Raises
    BadLedger, or OSError when a folder cannot be written."""
    used, answered = ledger_of(ledger_data)
    found = read_folder(outbox)
    again = sorted(n for n in found if n in answered)
    fresh = {n: xml for n, xml in found.items() if n not in answered}
    result = simulator.simulate(fresh, now=now, used=used)
    done = [n for n in fresh if n not in result.skipped]
    write_all_atomic(inbox, {a.filename: a.xml for a in result.answers})
    write_all_atomic(ledger.parent, {ledger.name: json.dumps(
        {"used": {k: str(v) for k, v in result.used.items()}, "answered": done},
        indent=1).encode()})
    move_done(outbox, again + done, sub="sent")
    return Run(read=len(fresh), receipts=len(result.answers), skipped=len(result.skipped),
               moved_again=len(again))
