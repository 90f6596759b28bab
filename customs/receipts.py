"""Customs receipts CEB312/412/512/622: parsed (schema-checked), and built for the simulator.

Status codes (`returnStatus`): 2 declaring, 3 sent, 4 send failed, 100 rejected, 120 accepted,
399 concluded; for the inventory list also 300 manual review, 500 inspection, 501-599 detained,
700 returned, 800 released, 899 closed. Negative codes are processing errors.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from customs.errors import InvalidReceipt
from customs.match import NS, text
from customs.messages import schema_problems

RETURN_OF = {"CEB311": "CEB312", "CEB411": "CEB412", "CEB511": "CEB512", "CEB621": "CEB622"}
ORIGINAL_OF = {v: k for k, v in RETURN_OF.items()}
_ELEMENT = {"CEB312": "OrderReturn", "CEB412": "PaymentReturn", "CEB512": "LogisticsReturn",
            "CEB622": "InventoryReturn"}

PENDING, ACCEPTED, REJECTED, RELEASED, FAILED, HELD = (
    "pending", "accepted", "rejected", "released", "failed", "held")


@dataclass(frozen=True)
class Receipt:
    message_type: str  # CEB312 | CEB412 | CEB512 | CEB622
    guid: str
    status: int
    info: str
    time: str  # YYYYMMDDhhmmssSSS
    order_no: str | None = None  # CEB312; CEB622 carries copNo (our order number)
    pay_transaction_id: str | None = None
    logistics_no: str | None = None
    invt_no: str | None = None

    @property
    def original_type(self) -> str:
        return ORIGINAL_OF[self.message_type]

    @property
    def outcome(self) -> str:
        return outcome(self.message_type, self.status)

    @property
    def key(self) -> str:
        """Identifies one receipt for apply-once bookkeeping."""
        raw = f"{self.message_type}|{self.guid}|{self.status}|{self.time}"
        return hashlib.sha256(raw.encode()).hexdigest()[:32]


def outcome(message_type: str, status: int) -> str:
    """What a status means for the declaration: pending, accepted, rejected, released ..."""
    if status < 0 or status == 4:
        return FAILED
    if status == 100:
        return REJECTED
    if status in (120, 399):
        return ACCEPTED
    if message_type == "CEB622":
        if status in (800, 899):
            return RELEASED
        if status == 700:
            return REJECTED
        if 501 <= status <= 599:
            return HELD
    return PENDING


def parse_receipts(xml: bytes) -> list[Receipt]:
    """Every return in a receipt message; InvalidReceipt if it is not a schema-valid receipt."""
    problems = schema_problems(xml)
    if problems:
        raise InvalidReceipt("receipt fails the CEB schema", problems)
    root = etree.fromstring(xml)
    message_type = etree.QName(root).localname.removesuffix("Message")
    if message_type not in _ELEMENT:
        raise InvalidReceipt("not a receipt", [
            {"field": "xml", "reason": f"{message_type} is not CEB312/412/512/622"}])
    out = []
    for el in root.iter(f"{{{NS}}}{_ELEMENT[message_type]}"):
        try:
            status = int(text(el, "returnStatus"))
        except ValueError:
            raise InvalidReceipt("bad status", [
                {"field": "returnStatus", "reason": "not an integer"}]) from None
        out.append(Receipt(
            message_type=message_type, guid=text(el, "guid"), status=status,
            info=text(el, "returnInfo"), time=text(el, "returnTime"),
            order_no=text(el, "orderNo") or text(el, "copNo") or None,
            pay_transaction_id=text(el, "payTransactionId") or None,
            logistics_no=text(el, "logisticsNo") or None, invt_no=text(el, "invtNo") or None))
    return out


def _add(parent: etree._Element, tag: str, value: str | None) -> None:
    if value:
        etree.SubElement(parent, f"{{{NS}}}{tag}").text = value


def build_receipt(original: bytes, *, status: int, info: str, now: datetime, guid: str,
                  invt_no: str | None = None) -> tuple[str, bytes]:
    """A schema-valid receipt answering one of our messages: (receipt message type, xml)."""
    root = etree.fromstring(original)
    sent = etree.QName(root).localname.removesuffix("Message")
    kind = RETURN_OF[sent]
    head = _head(root, sent)
    out = etree.Element(f"{{{NS}}}{kind}Message", nsmap={"ceb": NS}, guid=guid, version="1.0")
    ret = etree.SubElement(out, f"{{{NS}}}{_ELEMENT[kind]}")
    when = now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}"
    _add(ret, "guid", text(head, "guid"))
    if kind == "CEB312":
        for tag in ("ebpCode", "ebcCode", "orderNo"):
            _add(ret, tag, text(head, tag))
    elif kind == "CEB412":
        for tag in ("payCode", "payTransactionId"):
            _add(ret, tag, text(head, tag))
    elif kind == "CEB512":
        for tag in ("logisticsCode", "logisticsNo"):
            _add(ret, tag, text(head, tag))
    else:
        for tag in ("customsCode", "ebpCode", "ebcCode", "agentCode"):
            _add(ret, tag, text(head, tag))
        _add(ret, "copNo", text(head, "copNo") or text(head, "orderNo")[:20])
        _add(ret, "preNo", ("B" + hashlib.sha256(text(head, "guid").encode()).hexdigest())[:18]
             .upper())
        _add(ret, "invtNo", invt_no)
    _add(ret, "returnStatus", str(status))
    _add(ret, "returnTime", when)
    _add(ret, "returnInfo", info or "-")
    xml = etree.tostring(out, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    problems = schema_problems(xml)
    if problems:
        raise InvalidReceipt("built receipt fails the schema", problems)
    return kind, xml


def _head(root: etree._Element, sent: str) -> etree._Element:
    tag = {"CEB311": "OrderHead", "CEB411": "PaymentHead", "CEB511": "LogisticsHead",
           "CEB621": "InventoryHead"}[sent]
    found = root.find(f".//{{{NS}}}{tag}")
    if found is None:
        raise InvalidReceipt("message without head", [{"field": tag, "reason": "missing"}])
    return found
