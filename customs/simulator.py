"""A customs SIMULATOR for the demo and tests — not customs, and never a substitute for it.

It checks each message set with the same rules the sender uses (schema, three-document match,
buyer identity, single and annual limits) and answers with receipts: order, payment and waybill
are accepted (120); the inventory list is accepted and released (120, then 800) or rejected (100)
with a code and reason in `returnInfo`. The codes in `returnInfo` are the simulator's own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from customs import match
from customs.identity import is_valid_id
from customs.messages import Message, new_guid, schema_problems
from customs.receipts import build_receipt
from customs.rules import RuleBook, default_rules
from customs.types import money

MISMATCH, IDENTITY, SINGLE, ANNUAL, SCHEMA, MISSING = (
    "1301", "1401", "2500", "2600", "9001", "1302")


Answer = Message  # a receipt file is named and carried like any message file


@dataclass
class Simulation:
    answers: list[Answer] = field(default_factory=list)
    # cleared CBEC value per "<id number>:<year>", carried between runs by the caller
    used: dict[str, Decimal] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # unreadable messages, by name


def _type(root: etree._Element) -> str:
    return etree.QName(root).localname.removesuffix("Message")


def simulate(messages: dict[str, bytes], *, now: datetime, used: dict[str, Decimal] | None = None,
             rules: RuleBook | None = None,
             guid: Callable[[], str] = new_guid) -> Simulation:
    """Answer every message (name -> xml) with receipts, as customs would."""
    book = rules or default_rules()
    sim = Simulation(used=dict(used or {}))
    sets: dict[str, dict[str, tuple[bytes, etree._Element]]] = {}
    for name, xml in sorted(messages.items()):
        try:
            root = etree.fromstring(xml)
            order_no = match.text(match.head({_type(root): root}, _type(root)), "orderNo")
        except (etree.XMLSyntaxError, KeyError):
            sim.skipped.append(name)
            continue
        sets.setdefault(order_no, {})[_type(root)] = (xml, root)
    for order_no, docs in sets.items():
        _answer_set(sim, order_no, docs, now=now, book=book, guid=guid)
    return sim


def _reply(sim: Simulation, order_no: str, xml: bytes, status: int, info: str, *,
           now: datetime, guid: Callable[[], str], invt_no: str | None = None) -> None:
    g = guid()
    kind, out = build_receipt(xml, status=status, info=info, now=now, guid=g, invt_no=invt_no)
    sim.answers.append(Answer(kind, order_no, g, out))


def _answer_set(sim: Simulation, order_no: str, docs: dict[str, tuple[bytes, etree._Element]],
                *, now: datetime, book: RuleBook, guid: Callable[[], str]) -> None:
    refusals: dict[str, str] = {}
    for kind, (xml, _) in docs.items():
        problems = schema_problems(xml)
        if problems:
            refusals[kind] = _info(SCHEMA, "报文格式校验未通过", problems)
    for kind in ("CEB311", "CEB411", "CEB511"):
        if kind in docs:
            status, info = (100, refusals[kind]) if kind in refusals else (120, "新增申报成功")
            _reply(sim, order_no, docs[kind][0], status, info, now=now, guid=guid)
    if "CEB621" not in docs:
        return
    inv_xml = docs["CEB621"][0]
    reason = refusals.get("CEB621") or _inventory_refusal(sim, docs, now=now, book=book)
    if reason:
        _reply(sim, order_no, inv_xml, 100, reason, now=now, guid=guid)
        return
    invt_no = _invt_no(docs["CEB621"][1], now)
    _reply(sim, order_no, inv_xml, 120, "清单新增申报成功", now=now, guid=guid, invt_no=invt_no)
    _reply(sim, order_no, inv_xml, 800, "放行", now=now, guid=guid, invt_no=invt_no)


def _inventory_refusal(sim: Simulation, docs: dict[str, tuple[bytes, etree._Element]], *,
                       now: datetime, book: RuleBook) -> str | None:
    """Why customs would reject the inventory list, or None; books the quota when released."""
    missing = [k for k in ("CEB311", "CEB411", "CEB511") if k not in docs]
    if missing:
        return _info(MISSING, "三单对碰失败, 缺少" + "/".join(missing), [])
    roots = {k: root for k, (_, root) in docs.items()}
    mismatch = match.mismatches(roots)
    if mismatch:
        return _info(MISMATCH, "三单信息不一致", mismatch)
    inv = match.head(roots, "CEB621")
    id_number = match.text(inv, "buyerIdNumber")
    if not is_valid_id(id_number):
        return _info(IDENTITY, "订购人身份信息校验未通过", [])
    rules = book.cbec_on(_day(match.text(inv, "declTime"), now))
    lines = roots["CEB621"].findall(f".//{{{match.NS}}}InventoryList")
    value = sum((match.amount(x, "totalPrice") or Decimal(0) for x in lines), Decimal(0))
    value += (match.amount(inv, "freight") or 0) + (match.amount(inv, "insuredFee") or 0)
    single_item = len(lines) == 1 and match.amount(lines[0], "qty") == 1
    if value > rules.single_limit and not (
            single_item and rules.over_limit_single_item == "cbec_full_tax"):
        return _info(SINGLE, f"超过单次交易限值{money(rules.single_limit)}元", [])
    key = f"{id_number}:{now.year}"
    if sim.used.get(key, Decimal(0)) + value > rules.annual_limit:
        return _info(ANNUAL, f"订购人年度交易额超过限值{money(rules.annual_limit)}元", [])
    sim.used[key] = sim.used.get(key, Decimal(0)) + value
    return None


def _day(decl_time: str, now: datetime) -> date:
    try:
        return datetime.strptime(decl_time, "%Y%m%d").date()
    except ValueError:
        return now.date()


def _invt_no(inv_root: etree._Element, now: datetime) -> str:
    """An 18-character inventory number: customs code, year, I, and 9 digits."""
    head = match.head({"CEB621": inv_root}, "CEB621")
    customs_code = (match.text(head, "customsCode") or "0000")[:4]
    digits = str(int(hashlib.sha256(match.text(head, "guid").encode()).hexdigest(), 16) % 10**9)
    digits = digits.zfill(9)
    return f"{customs_code}{now.year}I{digits}"


def _info(code: str, text: str, problems: list[dict]) -> str:
    detail = "; ".join(f"{p['field']}: {p['reason']}" for p in problems)
    return f"[Code:{code};Desc:{text}{(': ' + detail) if detail else ''}]"[:1000]
