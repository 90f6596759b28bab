"""`fulfilment labels ...`: render labels from a file (no database) or for a wave (database)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

import typer

from fulfilment.cli.common import describe, fail, read_json, write_whole
from fulfilment.cli.service import MAX_ID
from fulfilment.localtime import CHINA

app = typer.Typer(help="Shipping labels, pick lists and stock labels.", no_args_is_help=True)


class Format(StrEnum):
    pdf = "pdf"
    zpl = "zpl"


def _today() -> date:
    return datetime.now(CHINA).date()


@app.command("shipping")
def shipping_cmd(
    parcel: Path = typer.Argument(..., help="parcel-label JSON (contracts/labels.md)"),
    format: Format = typer.Option(Format.pdf, "--format", "-f", help="pdf or zpl"),
    out: Path = typer.Option(..., "--out", "-o", help="file to write"),
    printed_on: str | None = typer.Option(None, "--date", help="print date YYYY-MM-DD "
                                          "(default: the label's printed_on, else today)"),
) -> None:
    """Render one parcel's shipping label from a JSON file."""
    from labels import shipping
    from labels.types import parse_label

    data = read_json(parcel)
    try:
        when = date.fromisoformat(printed_on) if printed_on else None
    except ValueError:
        fail(f"--date must be YYYY-MM-DD, got {printed_on!r}")
    try:
        label = parse_label(data)
        when = when or label.printed_on or _today()
        body = (shipping.render_pdf(label, printed_on=when) if format is Format.pdf
                else shipping.render_zpl(label, printed_on=when))
    except ValueError as exc:
        fail(describe(exc))
    write_whole(out, body)
    typer.echo(f"wrote {out} ({format.value})", err=True)


@app.command("wave")
def wave_cmd(
    wave_id: int = typer.Argument(..., max=MAX_ID, help="allocation wave id"),
    out: Path = typer.Option(..., "--out", "-o", help="PDF to write (one page per parcel)"),
    picklist: str | None = typer.Option(None, "--picklist", help="write this warehouse's A4 "
                                        "pick list instead of the labels"),
) -> None:
    """Render a wave from the database: all its shipping labels, or one warehouse's pick list."""
    from fulfilment import db, floor, floor_labels
    from fulfilment.settings import Settings
    from labels import documents

    settings = Settings()
    now = datetime.now(CHINA)
    try:
        factory = db.make_session_factory(db.make_engine(settings.database_url, pool_size=2,
                                                         create=False))
        with db.transaction(factory) as session:
            if picklist:
                body = documents.render_pick_list(floor.pick_list(
                    session, wave_id=wave_id, warehouse=picklist, now=now, actor="cli"))
            else:
                body = floor_labels.wave_labels_pdf(session, wave_id=wave_id, printed_on=now.date())
    except ValueError as exc:
        fail(describe(exc))
    write_whole(out, body)
    typer.echo(f"wrote {out}", err=True)


class Kind(StrEnum):
    sku = "sku"
    bin = "bin"
    carton = "carton"
    picklist = "picklist"
    invoice = "invoice"
    cn = "cn"


@app.command("render")
def render_cmd(
    kind: Kind = typer.Argument(..., help="sku | bin | carton (JSON list) or picklist | invoice "
                                "| cn (JSON object)"),
    source: Path = typer.Argument(..., help="the data as JSON"),
    out: Path = typer.Option(..., "--out", "-o", help="PDF to write"),
    currency_per_sdr: str | None = typer.Option(None, "--currency-per-sdr",
                                                help="for cn: units of the currency per SDR"),
) -> None:
    """Render stock labels, a pick list, an invoice or a CN22/CN23 from a file (no database)."""
    import re
    from decimal import Decimal

    from labels import documents, stock_labels

    data = read_json(source)
    many = {Kind.sku: stock_labels.render_sku_labels, Kind.bin: stock_labels.render_bin_labels,
            Kind.carton: stock_labels.render_carton_labels}
    if kind in many and not isinstance(data, list):
        fail(f"{kind.value} labels: the file must hold a JSON list")
    try:
        if kind in many:
            body = many[kind](data)
        elif kind is Kind.picklist:
            body = documents.render_pick_list(data)
        elif kind is Kind.invoice:
            body = documents.render_invoice(data)
        else:
            # plain digits: Decimal() also reads "9_7" (97) and fullwidth "９.７"
            if not re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", currency_per_sdr or ""):
                fail("cn needs --currency-per-sdr in plain digits, e.g. 9.7 for CNY, got "
                     f"{currency_per_sdr!r}")
            rate = Decimal(currency_per_sdr)
            form, body = documents.render_declaration(data, currency_per_sdr=rate)
            typer.echo(form, err=True)
    except ValueError as exc:
        fail(describe(exc))
    write_whole(out, body)
    typer.echo(f"wrote {out}", err=True)
