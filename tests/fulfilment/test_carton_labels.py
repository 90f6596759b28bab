"""An approved plan's inbound cartons as GS1-128 SSCC labels, read from the database, that scan."""

from __future__ import annotations

import io
from datetime import timedelta

import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp
from reportlab.lib.units import mm
from sqlmodel import Session, select

from fulfilment import planning, planning_documents, receiving
from fulfilment.localtime import business_day
from inventory import forecast, planning_store
from inventory.planning_errors import NotFound, PlanningError
from inventory.planning_tables import Carton, HubCapacity, InboundTransfer, SupplySource
from tests.builders import a_sku, a_warehouse
from tests.conftest import NOW

TODAY = business_day(NOW)
DPI = 203  # a thermal label printer's resolution, as tests/labels renders


def _approved(session: Session, skus: dict[str, str], *, case_pack: int = 40) -> None:
    """Each SKU bought from one Seoul supplier into its hub, a few cases each; approved."""
    for sku, hub in skus.items():
        wh = a_warehouse(session, hub)
        wh.address, wh.phone = f"{hub} bonded zone, gate 3", "0574-1234567"
        a_sku(session, sku, price_fen=20000, weight_g=250)
        session.add(SupplySource(sku_id=sku, market="KR", supplier="Seoul Beauty Co.", hub=hub,
                                 unit_cost_fen=3000, moq=1, case_pack=case_pack, lead_days=5,
                                 freight_fen_per_kg=1000))
    for hub in set(skus.values()):
        session.add(HubCapacity(warehouse_id=hub, capacity_units=10_000))
    rows = [forecast.ForecastRow(sku, TODAY + timedelta(days=d), 5, 8, 12)
            for d in range(14) for sku in skus]
    planning_store.save_forecast(session, rows=rows, made_at=NOW, start=TODAY, horizon=14)
    plan = planning.propose(session, now=NOW, budget_fen=10**8)
    planning.approve(session, plan_id=plan.id, now=NOW)
    session.commit()


def _scanned(pdf: bytes) -> list[list[tuple[str, str]]]:
    """(format, text) of every barcode zxing-cpp finds on each page rendered at DPI."""
    out = []
    for page in pdfium.PdfDocument(pdf):
        image = page.render(scale=DPI / 72).to_pil().convert("L")
        out.append([(str(r.format).split(".")[-1].replace(" ", "").replace("-", ""), r.text)
                    for r in zxingcpp.read_barcodes(image)])
    return out


def test_each_carton_of_a_transfer_gets_a_page_whose_gs1_128_scans_to_its_sscc(session) -> None:  # noqa: ANN001
    _approved(session, {"SERUM-30ML": "NGB", "CREAM-50G": "NGB", "MASK-10": "HGH"})
    transfer = session.exec(select(InboundTransfer).where(InboundTransfer.hub == "NGB")).one()
    cartons = receiving.cartons(session, transfer.id)
    assert 2 <= len(cartons) <= 12, "a few cases, to keep the test fast"
    assert {c.sku_id for c in cartons} == {"SERUM-30ML", "CREAM-50G"}  # not HGH's carton

    pdf = planning_documents.carton_labels(session, transfer.id)

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(cartons)
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
            (100 * mm, 150 * mm), abs=0.01)
    for page, found, (i, carton) in zip(reader.pages, _scanned(pdf),
                                        enumerate(cartons, start=1), strict=True):
        gs1 = [text.replace("(", "").replace(")", "") for fmt, text in found
               if fmt == "Code128"]
        assert gs1 == ["00" + carton.sscc], (i, found)
        text = page.extract_text()
        assert f"Ref PO{transfer.po_id}-T{transfer.id}" in text
        assert f"Carton {i}/{len(cartons)}" in text
        assert f"{carton.qty * 250 // 1000}.{carton.qty * 250 % 1000:03d} kg" in text
        assert f"{carton.qty} x {carton.sku_id}  {carton.lot_no}  {carton.expiry}" in text
        assert "Seoul Beauty Co." in text and "NGB warehouse" in text
        assert "NGB bonded zone, gate 3" in text


def test_an_unknown_transfer_is_not_found(session) -> None:  # noqa: ANN001
    with pytest.raises(NotFound) as missing:
        planning_documents.carton_labels(session, 999)
    assert missing.value.problems == [{"field": "transfer_id", "reason": "not found"}]
    assert missing.value.status == 404


def test_a_sku_code_too_long_for_the_label_is_refused_by_name_not_cut(session) -> None:  # noqa: ANN001
    long_sku = "HYDRA-GLOW-BARRIER-REPAIR-SERUM-30ML-KR-2026"  # 44 characters, label holds 40
    _approved(session, {long_sku: "NGB", "CREAM-50G": "NGB"})
    transfer = session.exec(select(InboundTransfer)).one()
    assert session.exec(select(Carton).where(Carton.sku_id == long_sku)).first()
    with pytest.raises(PlanningError) as refused:
        planning_documents.carton_labels(session, transfer.id)
    assert refused.value.code == "sku_too_long_for_label"
    assert refused.value.problems == [{"field": "sku", "reason": (
        f"SKU {long_sku} has 44 characters; a carton label holds 40 and a shortened code "
        "would mislabel the carton")}]
    assert getattr(refused.value, "status", 422) == 422
