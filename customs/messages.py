"""CEB311/411/511/621 messages for one parcel: built from a Declaration, schema-checked, matched.

Pure: the time (`now`) and the guids come in as arguments; nothing here touches files or clocks.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from lxml import etree

from customs import codes, match
from customs.declaration import Declaration, Line
from customs.errors import DocumentMismatch, InvalidDeclaration, SchemaInvalid, computable
from customs.identity import is_valid_id
from customs.types import CHINA, plus_zero

NS = "http://www.chinaport.gov.cn/ceb"
MESSAGE_TYPES = ("CEB311", "CEB411", "CEB511", "CEB621")


@dataclass(frozen=True)
class Message:
    message_type: str
    order_no: str
    guid: str
    xml: bytes

    @property
    def filename(self) -> str:
        return f"{self.message_type}_{self.order_no}_{self.guid}.xml"


def new_guid() -> str:
    """A 36-character upper-case guid, as the standard asks."""
    return str(uuid.uuid4()).upper()


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    """The CEB import schema shipped in customs/xsd (imports xmldsig beside it)."""
    path = resources.files("customs").joinpath("xsd", "ceb-import-2016-08.xsd")
    with resources.as_file(path) as real:
        return etree.XMLSchema(etree.parse(str(real)))


def schema_problems(xml: bytes) -> list[dict]:
    """Every schema error as {"field": element path, "reason": message}; [] when valid."""
    try:
        doc = etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        return [{"field": "xml", "reason": f"not well-formed: {exc}"}]
    s = schema()
    if s.validate(doc):
        return []
    return [{"field": _short_path(e.path), "reason": e.message} for e in s.error_log]


def _short_path(path: str | None) -> str:
    parts = [p.split(":")[-1] for p in (path or "").split("/") if p]
    return ".".join(parts[-2:]) if parts else "xml"


def num(value: Decimal | int) -> str:
    """Decimal text for the schema's decimal(19,5): amounts with two places, quantities plain."""
    if isinstance(value, int):
        return str(value)
    q = plus_zero(value.quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP))
    cents = q.quantize(Decimal("0.01"))
    return f"{cents:f}" if q == cents else f"{q.normalize():f}"


def _el(parent: etree._Element, tag: str, text: Any = None) -> etree._Element:
    child = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        child.text = text if isinstance(text, str) else num(text)
    return child


def _fields(parent: etree._Element, pairs: list[tuple[str, Any]]) -> None:
    """Children in the given (schema) order; None means an optional element left out."""
    for tag, value in pairs:
        if value is not None and value != "":
            _el(parent, tag, value)


def _root(message_type: str, guid: str) -> etree._Element:
    return etree.Element(f"{{{NS}}}{message_type}Message", nsmap={"ceb": NS},
                         guid=guid, version="1.0")


def _transfer(root: etree._Element, party_code: str, party_name: str, d: Declaration) -> None:
    bt = _el(root, "BaseTransfer")
    _fields(bt, [("copCode", party_code), ("copName", party_name), ("dxpMode", "DXP"),
                 ("dxpId", d.dxp_id or f"DXPENT{d.agent.code}"[:30])])


def _order(d: Declaration, guid: str, app_time: str) -> etree._Element:
    root = _root("CEB311", guid)
    order = _el(root, "Order")
    head = _el(order, "OrderHead")
    _fields(head, [
        ("guid", guid), ("appType", "1"), ("appTime", app_time), ("appStatus", "2"),
        ("orderType", "I"), ("orderNo", d.order_no), ("ebpCode", d.platform.code),
        ("ebpName", d.platform.name), ("ebcCode", d.merchant.code), ("ebcName", d.merchant.name),
        ("goodsValue", d.goods_value), ("freight", d.freight), ("discount", d.discount),
        ("taxTotal", d.tax_total), ("acturalPaid", d.actual_paid),
        ("currency", codes.CURRENCY_CNY), ("buyerRegNo", d.buyer.reg_no or d.buyer.phone),
        ("buyerName", d.buyer.name), ("buyerTelephone", d.buyer.phone), ("buyerIdType", "1"),
        ("buyerIdNumber", d.buyer.id_number.upper()), ("payCode", d.payment.code),
        ("payName", d.payment.name), ("payTransactionId", d.payment.transaction_id),
        ("consignee", d.consignee.name), ("consigneeTelephone", d.consignee.phone),
        ("consigneeAddress", d.consignee.address),
        ("consigneeDistrict", d.consignee.district_code), ("note", d.note),
    ])
    for gnum, line in enumerate(d.lines, start=1):
        _fields(_el(order, "OrderList"), [
            ("gnum", str(gnum)), ("itemNo", line.item_no), ("itemName", line.name),
            ("gmodel", line.model), ("barCode", line.barcode),
            ("unit", codes.unit_code(line.unit, field=f"lines[{gnum - 1}].unit")),
            ("qty", line.qty), ("price", line.price), ("totalPrice", line.total),
            ("currency", codes.CURRENCY_CNY),
            ("country", codes.country_code(line.origin_country,
                                           field=f"lines[{gnum - 1}].origin_country")),
        ])
    _transfer(root, d.platform.code, d.platform.name, d)
    return root


def _payment(d: Declaration, guid: str, app_time: str) -> etree._Element:
    root = _root("CEB411", guid)
    head = _el(_el(root, "Payment"), "PaymentHead")
    _fields(head, [
        ("guid", guid), ("appType", "1"), ("appTime", app_time), ("appStatus", "2"),
        ("payCode", d.payment.code), ("payName", d.payment.name),
        ("payTransactionId", d.payment.transaction_id), ("orderNo", d.order_no),
        ("ebpCode", d.platform.code), ("ebpName", d.platform.name), ("payerIdType", "1"),
        ("payerIdNumber", d.payer.id_number.upper()), ("payerName", d.payer.name),
        ("telephone", d.payer.phone), ("amountPaid", d.payment.amount),
        ("currency", codes.CURRENCY_CNY), ("payTime", stamp(d.payment.paid_at)),
    ])
    _transfer(root, d.payment.code, d.payment.name, d)
    return root


def _waybill(d: Declaration, guid: str, app_time: str) -> etree._Element:
    root = _root("CEB511", guid)
    head = _el(_el(root, "Logistics"), "LogisticsHead")
    goods = ";".join(f"{x.name}*{x.qty}" for x in d.lines)[:200]
    _fields(head, [
        ("guid", guid), ("appType", "1"), ("appTime", app_time), ("appStatus", "2"),
        ("logisticsCode", d.logistics.code), ("logisticsName", d.logistics.name),
        ("logisticsNo", d.logistics.no),
        ("billNo", d.transport.bill_no if d.transport else None), ("orderNo", d.order_no),
        ("freight", d.freight), ("insuredFee", d.insurance), ("currency", codes.CURRENCY_CNY),
        ("weight", d.gross_weight_kg), ("packNo", "1"), ("goodsInfo", goods),
        ("consignee", d.consignee.name), ("consigneeAddress", d.consignee.address),
        ("consigneeTelephone", d.consignee.phone),
    ])
    _transfer(root, d.logistics.code, d.logistics.name, d)
    return root


def _legal_qty(d: Declaration, line: Line) -> tuple[str, Decimal]:
    """Legal unit and quantity: the line's own, else its share of the net weight in kg."""
    if line.legal_unit and line.legal_qty is not None:
        return codes.unit_code(line.legal_unit), line.legal_qty
    total_qty = sum(x.qty for x in d.lines)
    return "035", (d.net_weight_kg * line.qty / total_qty)


def _inventory(d: Declaration, guid: str, app_time: str, decl_day: str) -> etree._Element:
    root = _root("CEB621", guid)
    inv = _el(root, "Inventory")
    head = _el(inv, "InventoryHead")
    bonded = d.trade_mode == "1210"
    wh = d.warehouse
    t = d.transport
    departure = d.departure_country or d.lines[0].origin_country
    _fields(head, [
        ("guid", guid), ("appType", "1"), ("appTime", app_time), ("appStatus", "2"),
        ("orderNo", d.order_no), ("ebpCode", d.platform.code), ("ebpName", d.platform.name),
        ("ebcCode", d.merchant.code), ("ebcName", d.merchant.name),
        ("logisticsNo", d.logistics.no), ("logisticsCode", d.logistics.code),
        ("logisticsName", d.logistics.name), ("copNo", d.cop_no or d.order_no[:20]),
        ("assureCode", d.agent.code), ("emsNo", wh.ems_no if (bonded and wh) else None),
        ("ieFlag", "I"), ("declTime", decl_day), ("customsCode", d.customs_code),
        ("portCode", d.port_code), ("buyerIdType", "1"),
        ("buyerIdNumber", d.buyer.id_number.upper()), ("buyerName", d.buyer.name),
        ("buyerTelephone", d.buyer.phone), ("consigneeAddress", d.consignee.address),
        ("agentCode", d.agent.code), ("agentName", d.agent.name),
        ("areaCode", wh.code if (bonded and wh) else None),
        ("areaName", wh.name if (bonded and wh) else None), ("tradeMode", d.trade_mode),
        ("trafMode", d.transport_mode or ("4" if bonded else "5")),
        ("trafNo", t.no if t else None), ("voyageNo", t.voyage if t else None),
        ("billNo", t.bill_no if t else None),
        ("country", codes.CURRENCY_CNY if bonded else codes.country_code(
            departure, field="departure_country")),
        ("freight", d.freight), ("insuredFee", d.insurance), ("currency", codes.CURRENCY_CNY),
        ("packNo", "1"), ("grossWeight", d.gross_weight_kg), ("netWeight", d.net_weight_kg),
        ("note", d.note),
    ])
    for gnum, line in enumerate(d.lines, start=1):
        unit1, qty1 = _legal_qty(d, line)
        _fields(_el(inv, "InventoryList"), [
            ("gnum", str(gnum)), ("itemRecordNo", line.record_no), ("itemNo", line.item_no),
            ("itemName", line.name), ("gcode", line.hs_code), ("gname", line.name),
            ("gmodel", line.model), ("barCode", line.barcode or "无"),
            ("country", codes.country_code(line.origin_country)),
            ("currency", codes.CURRENCY_CNY), ("qty", line.qty),
            ("unit", codes.unit_code(line.unit)), ("qty1", qty1), ("unit1", unit1),
            ("price", line.price), ("totalPrice", line.total),
        ])
    _transfer(root, d.agent.code, d.agent.name, d)
    return root


def stamp(moment: datetime) -> str:
    """YYYYMMDDhhmmss in China time, customs' clock (a naive time is taken as China time)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA)
    return moment.strftime("%Y%m%d%H%M%S")


def identity_problems(d: Declaration) -> list[dict]:
    """The buyer's ID must be a valid resident ID (payer = buyer is part of the match)."""
    if is_valid_id(d.buyer.id_number):
        return []
    return [{"field": "buyer.id_number", "reason": "not a valid 18-digit resident ID number"}]


@computable(InvalidDeclaration, "declaration")
def build_messages(declaration: Declaration | dict[str, Any], *, now: datetime,
                   guid: Callable[[], str] = new_guid) -> list[Message]:
    """The four messages, each schema-valid, the set matched; else an error naming each field."""
    d = declaration if isinstance(declaration, Declaration) else Declaration.parse(declaration)
    ident = identity_problems(d)
    if ident:
        raise InvalidDeclaration("buyer identity refused", ident)
    app_time = stamp(now)
    trees = {}
    for message_type, build in (("CEB311", _order), ("CEB411", _payment), ("CEB511", _waybill)):
        trees[message_type] = build(d, guid(), app_time)
    trees["CEB621"] = _inventory(d, guid(), app_time, now.strftime("%Y%m%d"))
    messages = [Message(t, d.order_no, root.get("guid"),
                        etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                       pretty_print=True))
                for t, root in trees.items()]
    check_messages(messages)
    return messages


def check_messages(messages: list[Message]) -> None:
    """Schema first (each message), then the three-document match across the set."""
    problems = []
    for m in messages:
        problems += [{"field": f"{m.message_type}.{p['field']}", "reason": p["reason"]}
                     for p in schema_problems(m.xml)]
    if problems:
        raise SchemaInvalid("message fails the CEB schema", problems)
    mismatch = match.mismatches({m.message_type: etree.fromstring(m.xml) for m in messages})
    if mismatch:
        raise DocumentMismatch("order, payment, waybill and inventory list disagree", mismatch)
