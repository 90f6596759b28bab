"""The three-document match over parsed messages: order, payment, waybill (and inventory list).

Works on the XML itself so the sender and the customs simulator apply the very same checks.
Each problem names the field that differs: {"field": "PaymentHead.amountPaid", "reason": ...}.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from lxml import etree

NS = "http://www.chinaport.gov.cn/ceb"
_HEADS = {"CEB311": "OrderHead", "CEB411": "PaymentHead", "CEB511": "LogisticsHead",
          "CEB621": "InventoryHead"}
MAX_AMOUNT = Decimal(10) ** 14  # decimal(19,5): at most 14 digits before the point


def _find(root: etree._Element, path: str) -> etree._Element | None:
    return root.find(".//" + "/".join(f"{{{NS}}}{p}" for p in path.split("/")))


def text(el: etree._Element | None, tag: str) -> str:
    if el is None:
        return ""
    child = el.find(f"{{{NS}}}{tag}")
    return (child.text or "").strip() if child is not None else ""


def amount(el: etree._Element | None, tag: str) -> Decimal | None:
    """The element's number, or None when it is not one the schema's decimal(19,5) can hold
    (so no sum or product of amounts read from a message can overflow)."""
    try:
        value = Decimal(text(el, tag) or "0")
    except InvalidOperation:
        return None
    return value if value.is_finite() and abs(value) < MAX_AMOUNT else None


def head(docs: dict[str, etree._Element], message_type: str) -> etree._Element | None:
    root = docs.get(message_type)
    return None if root is None else _find(root, _HEADS[message_type])


def _lists(root: etree._Element | None, tag: str) -> list[etree._Element]:
    return [] if root is None else root.findall(f".//{{{NS}}}{tag}")


def _same(problems: list[dict], a: etree._Element | None, a_name: str, a_tag: str,
          b: etree._Element | None, b_name: str, b_tag: str, *, money: bool = False) -> None:
    if a is None or b is None:
        return
    left = amount(a, a_tag) if money else text(a, a_tag)
    right = amount(b, b_tag) if money else text(b, b_tag)
    if left != right:
        problems.append({"field": f"{b_name}.{b_tag}",
                         "reason": f"{text(b, b_tag)!r} differs from {a_name}.{a_tag} "
                                   f"{text(a, a_tag)!r}"})


def mismatches(docs: dict[str, etree._Element]) -> list[dict]:
    """Every disagreement between the documents present (at least the order is needed)."""
    order, pay = head(docs, "CEB311"), head(docs, "CEB411")
    way, inv = head(docs, "CEB511"), head(docs, "CEB621")
    if order is None:
        return [{"field": "CEB311", "reason": "the order message is missing"}]
    problems = _amounts(order)
    for other, name in ((pay, "PaymentHead"), (way, "LogisticsHead"), (inv, "InventoryHead")):
        _same(problems, order, "OrderHead", "orderNo", other, name, "orderNo")
    _same(problems, order, "OrderHead", "acturalPaid", pay, "PaymentHead", "amountPaid",
          money=True)
    _same(problems, order, "OrderHead", "payTransactionId", pay, "PaymentHead",
          "payTransactionId")
    _same(problems, order, "OrderHead", "buyerName", pay, "PaymentHead", "payerName")
    _same(problems, order, "OrderHead", "buyerIdNumber", pay, "PaymentHead", "payerIdNumber")
    _same(problems, order, "OrderHead", "ebpCode", pay, "PaymentHead", "ebpCode")
    for tag in ("consignee", "consigneeTelephone", "consigneeAddress"):
        _same(problems, order, "OrderHead", tag, way, "LogisticsHead", tag)
    _same(problems, order, "OrderHead", "freight", way, "LogisticsHead", "freight", money=True)
    for tag in ("buyerName", "buyerIdNumber", "buyerTelephone", "ebpCode", "ebcCode"):
        _same(problems, order, "OrderHead", tag, inv, "InventoryHead", tag)
    _same(problems, order, "OrderHead", "freight", inv, "InventoryHead", "freight", money=True)
    _same(problems, order, "OrderHead", "consigneeAddress", inv, "InventoryHead",
          "consigneeAddress")
    for tag in ("logisticsNo", "logisticsCode"):
        _same(problems, way, "LogisticsHead", tag, inv, "InventoryHead", tag)
    if inv is not None:
        problems += _goods(docs["CEB311"], docs["CEB621"])
    return problems


def _amounts(order: etree._Element) -> list[dict]:
    """acturalPaid = goodsValue + freight + taxTotal - discount, goodsValue = sum of lines."""
    problems = []
    values = {t: amount(order, t) for t in ("goodsValue", "freight", "taxTotal", "discount",
                                            "acturalPaid")}
    bad = [t for t, v in values.items() if v is None]
    if bad:
        return [{"field": f"OrderHead.{t}", "reason": "not a number"} for t in bad]
    expected = (values["goodsValue"] + values["freight"] + values["taxTotal"]
                - values["discount"])
    if values["acturalPaid"] != expected:
        problems.append({"field": "OrderHead.acturalPaid", "reason": (
            f"{values['acturalPaid']} is not goodsValue + freight + taxTotal - discount "
            f"= {expected}")})
    return problems


def _goods(order_root: etree._Element, inv_root: etree._Element) -> list[dict]:
    problems = []
    order_lines = _lists(order_root, "OrderList")
    total = Decimal(0)
    by_gnum = {}
    for line in order_lines:
        gnum = text(line, "gnum")
        by_gnum[gnum] = line
        price, qty, line_total = (amount(line, t) for t in ("price", "qty", "totalPrice"))
        if None in (price, qty, line_total) or price * qty != line_total:
            problems.append({"field": f"OrderList[{gnum}].totalPrice",
                             "reason": "is not price * qty"})
        total += line_total or 0
    order_head = _find(order_root, "OrderHead")
    if amount(order_head, "goodsValue") != total:
        problems.append({"field": "OrderHead.goodsValue",
                         "reason": f"differs from the sum of OrderList.totalPrice {total}"})
    inv_lines = _lists(inv_root, "InventoryList")
    seen = set()
    for line in inv_lines:
        gnum = text(line, "gnum")
        seen.add(gnum)
        twin = by_gnum.get(gnum)
        if twin is None:
            problems.append({"field": f"InventoryList[{gnum}].gnum",
                             "reason": "no OrderList line with this gnum"})
            continue
        if text(line, "gname") != text(twin, "itemName"):
            problems.append({"field": f"InventoryList[{gnum}].gname",
                             "reason": f"differs from OrderList[{gnum}].itemName"})
        for tag in ("qty", "totalPrice"):
            if amount(line, tag) != amount(twin, tag):
                problems.append({"field": f"InventoryList[{gnum}].{tag}",
                                 "reason": f"differs from OrderList[{gnum}].{tag}"})
    for gnum in by_gnum.keys() - seen:
        problems.append({"field": f"OrderList[{gnum}].gnum",
                         "reason": "no InventoryList line with this gnum"})
    return problems
