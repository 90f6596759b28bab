"""The warehouse floor over HTTP: put-away, pick lists, labels, the pack station and hand-over."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, TypeVar

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import select

from fulfilment import floor, floor_labels, printing, station
from fulfilment.answers import NotFound
from fulfilment.api.deps import (
    ONE_LINE,
    ROW_ID_MAX,
    ApiKeyDep,
    RowId,
    SessionDep,
    SettingsDep,
    require_role,
)
from fulfilment.handover import hand_over
from fulfilment.localtime import business_day
from fulfilment.tables import Parcel, Wave
from inventory.purchasing_catalogue import MAX_UNITS
from inventory.tables import Bin, Sku, Warehouse
from labels import documents, shipping, stock_labels

router = APIRouter(tags=["floor"])
_Row = TypeVar("_Row", Wave, Parcel)
_floor = [require_role("warehouse")]


def _now() -> datetime:
    return datetime.now(UTC)


def _today(now: datetime) -> date:
    return business_day(now)


def user_of(key: ApiKeyDep) -> str:
    return f"{key.name}#{key.id}"


def _pdf(body: bytes, name: str) -> Response:
    return Response(body, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


def _found(session: SessionDep, table: type[_Row], row_id: int, field: str) -> _Row:
    """The row, or a 404 naming the path's field."""
    row = session.get(table, row_id)
    if row is None:
        raise NotFound(field.removesuffix("_id"), row_id, field=field)
    return row


def _wave(session: SessionDep, wave_id: int) -> Wave:
    return _found(session, Wave, wave_id, "wave_id")


def _wave_warehouse(session: SessionDep, wave_id: int, warehouse: str) -> None:
    """A known warehouse that holds parcels of the wave, checked before anything is written."""
    if session.get(Warehouse, warehouse) is None:
        raise NotFound("warehouse", warehouse, field="warehouse")
    if session.execute(select(Parcel.id).where(Parcel.wave_id == wave_id,
                                               Parcel.warehouse_id == warehouse)).first() is None:
        raise floor.FloorError(f"wave {wave_id} has no parcels in warehouse {warehouse}",
                               field="warehouse", status=404, code="not_found")


def _parcel(session: SessionDep, parcel_id: int) -> Parcel:
    return _found(session, Parcel, parcel_id, "parcel_id")


class PutawayIn(BaseModel):
    warehouse: str = Field(min_length=1, max_length=16)
    sku: str = Field(min_length=1, max_length=64)
    lot_no: str = Field(min_length=1, max_length=40, pattern=ONE_LINE)
    bin: str = Field(min_length=1, max_length=30, pattern=ONE_LINE)
    walk_order: int | None = Field(strict=True, default=None, ge=0, le=ROW_ID_MAX)
    qty: int | None = Field(strict=True, default=None, gt=0, le=MAX_UNITS,
                            description="receive this many into the lot")
    expiry: date | None = None


@router.post("/inventory/putaway", status_code=201, dependencies=_floor)
def putaway(body: PutawayIn, session: SessionDep, key: ApiKeyDep) -> dict:
    """Put a lot away to a bin (receiving `qty` into it first when given)."""
    lot = floor.putaway(session, warehouse=body.warehouse, sku=body.sku, lot_no=body.lot_no,
                        bin_code=body.bin, now=_now(), actor=user_of(key), qty=body.qty,
                        expiry=body.expiry, walk_order=body.walk_order,
                        fresh_on=business_day(_now()))
    return {"lot_id": lot.id, "warehouse": lot.warehouse_id, "sku": lot.sku_id,
            "lot_no": lot.lot_no, "bin": body.bin, "on_hand": lot.on_hand,
            "expiry": lot.expiry.isoformat() if lot.expiry else None}


@router.post("/waves/{wave_id}/pick-tasks", dependencies=_floor)
def pick_tasks(wave_id: RowId, session: SessionDep, key: ApiKeyDep) -> dict:
    """Make the wave's pick tasks now (FEFO lots, bins); idempotent."""
    _wave(session, wave_id)
    report = floor.create_pick_tasks(session, wave_id=wave_id, now=_now(), actor=user_of(key))
    return {"wave_id": wave_id, "created": report.created, "short": report.short}


@router.get("/waves/{wave_id}/picklist.pdf", dependencies=_floor)
def picklist_pdf(wave_id: RowId, session: SessionDep, key: ApiKeyDep,
                 warehouse: str = Query(..., min_length=1)) -> Response:
    """The wave's pick list for one warehouse (its pick tasks made first if missing)."""
    _wave(session, wave_id)
    _wave_warehouse(session, wave_id, warehouse)
    plist = floor.pick_list(session, wave_id=wave_id, warehouse=warehouse, now=_now(),
                            actor=user_of(key))
    plist = plist.model_copy(update={"printed_on": _today(_now())})
    return _pdf(documents.render_pick_list(plist), f"picklist-{wave_id}-{warehouse}.pdf")


@router.get("/waves/{wave_id}/labels.pdf", dependencies=_floor)
def wave_labels(wave_id: RowId, session: SessionDep) -> Response:
    body = floor_labels.wave_labels_pdf(session, wave_id=wave_id, printed_on=_today(_now()))
    return _pdf(body, f"labels-wave-{wave_id}.pdf")


@router.get("/parcels/{parcel_id}/label.pdf", dependencies=_floor)
def parcel_label_pdf(parcel_id: RowId, session: SessionDep) -> Response:
    label = floor_labels.label_for(session, _parcel(session, parcel_id), printed_on=_today(_now()))
    return _pdf(shipping.render_pdf(label), f"label-{label.tracking_no}.pdf")


@router.get("/parcels/{parcel_id}/label.zpl", dependencies=_floor)
def parcel_label_zpl(parcel_id: RowId, session: SessionDep) -> Response:
    label = floor_labels.label_for(session, _parcel(session, parcel_id), printed_on=_today(_now()))
    return Response(shipping.render_zpl(label), media_type="text/plain; charset=utf-8")


@router.get("/parcels/{parcel_id}/invoice.pdf", dependencies=_floor)
def parcel_invoice(parcel_id: RowId, session: SessionDep) -> Response:
    """Commercial invoice / packing list for a (direct-mail) parcel."""
    doc = floor_labels.customs_document_for(session, _parcel(session, parcel_id),
                                     issued_on=_today(_now()))
    return _pdf(documents.render_invoice(doc), f"invoice-{parcel_id}.pdf")


@router.get("/parcels/{parcel_id}/declaration.pdf", dependencies=_floor)
def parcel_declaration(parcel_id: RowId, session: SessionDep,
                       currency_per_sdr: Decimal = Query(..., gt=0, description=
                                                         "CNY per SDR (IMF rate of the day)")
                       ) -> Response:
    """The UPU declaration the parcel needs: CN22 up to 300 SDR, CN23 above."""
    doc = floor_labels.customs_document_for(session, _parcel(session, parcel_id),
                                     issued_on=_today(_now()))
    form, body = documents.render_declaration(doc, currency_per_sdr=currency_per_sdr)
    resp = _pdf(body, f"{form.lower()}-{parcel_id}.pdf")
    resp.headers["X-Declaration-Form"] = form
    return resp


@router.get("/warehouses/{warehouse_id}/bins/labels.pdf", dependencies=_floor)
def bin_labels(warehouse_id: str, session: SessionDep) -> Response:
    """Bin-location labels for every bin of a warehouse, in walking order."""
    bins = session.execute(select(Bin).where(Bin.warehouse_id == warehouse_id)
                           .order_by(Bin.walk_order, Bin.code)).scalars().all()
    if not bins:
        raise floor.FloorError(f"warehouse {warehouse_id} has no bins", field="warehouse_id",
                               status=404, code="not_found")
    body = stock_labels.render_bin_labels(
        [{"code": b.code, "warehouse": warehouse_id} for b in bins])
    return _pdf(body, f"bins-{warehouse_id}.pdf")


@router.get("/skus/{sku_id}/label.pdf", dependencies=_floor)
def sku_label(sku_id: str, session: SessionDep,
              copies: int = Query(1, ge=1, le=500)) -> Response:
    """Item labels for a SKU: EAN-13 of its GTIN, else Code 128 of the SKU code."""
    sku = session.get(Sku, sku_id)
    if sku is None:
        raise floor.FloorError(f"no SKU {sku_id}", field="sku_id", status=404, code="not_found")
    body = stock_labels.render_sku_labels(
        [{"sku": sku.id, "name": sku.name, "gtin": sku.gtin, "copies": copies}])
    return _pdf(body, f"sku-{sku_id}.pdf")


# --- Pack station ---------------------------------------------------------------------------

STATION_MAX = 40  # characters of a station's name
WAREHOUSE_MAX = 16  # of a warehouse code (the warehouse table's id)
CODE_MAX = 80  # of a scanned code


class ScanIn(BaseModel):
    station: str = Field(min_length=1, max_length=STATION_MAX, pattern=ONE_LINE)
    code: str = Field(default="", max_length=CODE_MAX)
    # the station's own warehouse: it then opens only that warehouse's parcels
    warehouse: str | None = Field(default=None, min_length=1, max_length=WAREHOUSE_MAX,
                                  pattern=ONE_LINE)


class StationIn(BaseModel):
    station: str = Field(min_length=1, max_length=STATION_MAX, pattern=ONE_LINE)


class HandoverIn(BaseModel):
    wave_id: int | None = Field(strict=True, default=None, ge=1, le=ROW_ID_MAX)
    codes: list[Annotated[str, StringConstraints(max_length=80)]] = Field(
        default_factory=list, max_length=100_000, description="parcel codes in the cage")


def station_answer(session: SessionDep, settings: SettingsDep, out: station.Outcome) -> dict:
    body = out.as_dict()
    if out.parcel_id is not None:
        body["label_pdf"] = f"/parcels/{out.parcel_id}/label.pdf"
        body["label_zpl"] = f"/parcels/{out.parcel_id}/label.zpl"
    if out.result == "complete":
        body["printed"] = False
        printer = printing.configured(settings.printer_host, settings.printer_port)
        if printer is not None:
            parcel = session.get(Parcel, out.parcel_id)
            label = floor_labels.label_for(session, parcel, printed_on=_today(_now()))
            zpl = shipping.render_zpl(label)
            try:
                printing.send_zpl(printer, zpl)
                body["printed"] = True
            except printing.PrintError as exc:  # the parcel stays packed; reprint from the PDF
                body["print_error"] = str(exc)
    return body


@router.post("/station/scan", dependencies=_floor)
def scan(body: ScanIn, session: SessionDep, settings: SettingsDep, key: ApiKeyDep) -> dict:
    """One scanned code: parcel/order opens, item ticks (or is refused), wave hands over."""
    out = station.scan(session, station=body.station, user=user_of(key), code=body.code,
                       now=_now(), warehouse=body.warehouse)
    return station_answer(session, settings, out)


@router.post("/station/undo", dependencies=_floor)
def undo(body: StationIn, session: SessionDep, settings: SettingsDep, key: ApiKeyDep) -> dict:
    out = station.undo(session, station=body.station, user=user_of(key), now=_now())
    return station_answer(session, settings, out)


@router.get("/station/state", dependencies=_floor)
def station_state(session: SessionDep, settings: SettingsDep,
                  station_id: str = Query(..., alias="station", min_length=1)) -> dict:
    return station_answer(session, settings, station.state(session, station=station_id))


@router.post("/handover", dependencies=_floor)
def handover(body: HandoverIn, session: SessionDep, key: ApiKeyDep) -> dict:
    """Courier hand-over of a whole wave or cage: packed parcels ship, stock leaves.

    `not_shipped` names each code given that did not ship, each parcel of the wave still
    waiting to be packed, and each packed one its pick tasks do not cover, with the reason.
    """
    sheet = []
    if body.wave_id is not None:
        _wave(session, body.wave_id)
        sheet = [f"WAVE-{body.wave_id}"]
    done = hand_over(session, sheet + body.codes, now=_now(), actor=user_of(key))
    return {"shipped": done.shipped, "not_shipped": done.not_shipped}
