"""CEB messages: schema-valid, matched, tampering refused; receipts; the simulator; the CLI."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from customs import match
from customs.errors import DocumentMismatch, InvalidDeclaration, InvalidReceipt, SchemaInvalid
from customs.messages import NS, build_messages, check_messages, schema_problems
from customs.receipts import outcome, parse_receipts
from customs.simulator import simulate
from fulfilment.cli import app
from tests.builders import EXAMPLES

NOW = datetime(2026, 11, 22, 10, 20, 0)


@pytest.fixture
def decl() -> dict:
    return json.loads((EXAMPLES / "declaration.json").read_text())


def two_lines(decl: dict) -> dict:
    d = copy.deepcopy(decl)
    d["lines"].append({"item_no": "CREAM-50G", "name": "Night Cream 50g",
                       "hs_code": "3304990099", "model": "50g/jar", "origin_country": "KR",
                       "unit": "box", "qty": 2, "price": "150.00"})
    d["tax_total"] = "150.00"
    d["payment"]["amount"] = str(Decimal("425") + 300 + 150)
    return d


def test_every_message_validates_against_the_xsd(decl: dict) -> None:
    for d in (decl, two_lines(decl)):
        built = build_messages(d, now=NOW)
        assert [m.message_type for m in built] == ["CEB311", "CEB411", "CEB511", "CEB621"]
        for m in built:
            assert schema_problems(m.xml) == []
            root = etree.fromstring(m.xml)
            assert root.tag == f"{{{NS}}}{m.message_type}Message"
            assert len(m.guid) == 36 and m.guid == m.guid.upper()
            assert m.filename == f"{m.message_type}_R1001_{m.guid}.xml"
            assert root.find(f"{{{NS}}}BaseTransfer") is not None


def test_codes_are_translated_and_fixed_values_set(decl: dict) -> None:
    order = etree.fromstring(build_messages(decl, now=NOW)[0].xml)
    head = order.find(f".//{{{NS}}}OrderHead")
    assert match.text(head, "currency") == "142" and match.text(head, "orderType") == "I"
    assert match.text(head, "appTime") == "20261122102000"
    assert match.text(head, "acturalPaid") == "523.00"
    lst = order.find(f".//{{{NS}}}OrderList")
    assert (match.text(lst, "country"), match.text(lst, "unit")) == ("116", "007")


def test_payment_that_disagrees_is_refused_naming_the_field(decl: dict) -> None:
    decl["payment"]["amount"] = "520.00"
    with pytest.raises(DocumentMismatch) as err:
        build_messages(decl, now=NOW)
    assert [p["field"] for p in err.value.problems] == ["PaymentHead.amountPaid"]


def test_payer_must_be_the_buyer(decl: dict) -> None:
    decl["payer"]["name"] = "王小明"
    decl["payer"]["id_number"] = "110105194912310021"
    with pytest.raises(DocumentMismatch) as err:
        build_messages(decl, now=NOW)
    assert {p["field"] for p in err.value.problems} == {"PaymentHead.payerName",
                                                        "PaymentHead.payerIdNumber"}


def test_invalid_buyer_id_is_refused(decl: dict) -> None:
    decl["buyer"]["id_number"] = decl["payer"]["id_number"] = "110105194912310021"
    with pytest.raises(InvalidDeclaration) as err:
        build_messages(decl, now=NOW)
    assert err.value.problems[0]["field"] == "buyer.id_number"


def test_tampered_messages_are_refused(decl: dict) -> None:
    built = build_messages(decl, now=NOW)
    waybill = built[2]
    tampered = waybill.__class__(waybill.message_type, waybill.order_no, waybill.guid,
                                 waybill.xml.replace("李小红".encode(), "张三".encode()))
    with pytest.raises(DocumentMismatch) as err:
        check_messages([*built[:2], tampered, built[3]])
    assert [p["field"] for p in err.value.problems] == ["LogisticsHead.consignee"]
    broken = waybill.__class__(waybill.message_type, waybill.order_no, waybill.guid,
                               waybill.xml.replace(b"<ceb:packNo>1</ceb:packNo>", b""))
    with pytest.raises(SchemaInvalid):
        check_messages([*built[:2], broken, built[3]])


def test_inventory_lines_must_map_onto_order_lines(decl: dict) -> None:
    built = build_messages(two_lines(decl), now=NOW)
    inv = built[3]
    bad = inv.xml.replace(b"Night Cream 50g</ceb:gname>", b"Other</ceb:gname>")
    with pytest.raises(DocumentMismatch) as err:
        check_messages([*built[:3], inv.__class__("CEB621", "R1001", inv.guid, bad)])
    assert [p["field"] for p in err.value.problems] == ["InventoryList[2].gname"]


def test_simulator_releases_a_good_set(decl: dict) -> None:
    built = build_messages(decl, now=NOW)
    sim = simulate({m.filename: m.xml for m in built}, now=NOW)
    got = [(r.message_type, r.status) for a in sim.answers for r in parse_receipts(a.xml)]
    assert got == [("CEB312", 120), ("CEB412", 120), ("CEB512", 120), ("CEB622", 120),
                   ("CEB622", 800)]
    assert sim.used == {"11010519491231002X:2026": Decimal("425.00")}
    released = parse_receipts(sim.answers[-1].xml)[0]
    assert released.outcome == "released" and released.order_no == "R1001"
    assert len(released.invt_no or "") == 18


def test_simulator_rejects_a_buyer_over_quota(decl: dict) -> None:
    built = build_messages(decl, now=NOW)
    sim = simulate({m.filename: m.xml for m in built}, now=NOW,
                   used={"11010519491231002X:2026": Decimal("25800")})
    last = parse_receipts(sim.answers[-1].xml)[0]
    assert (last.message_type, last.status, last.outcome) == ("CEB622", 100, "rejected")
    assert "2600" in last.info and "26000" in last.info


def test_simulator_rejects_a_tampered_set(decl: dict) -> None:
    files = {m.filename: m.xml for m in build_messages(decl, now=NOW)}
    name = next(n for n in files if n.startswith("CEB411"))
    files[name] = files[name].replace(b"523.00", b"500.00")
    last = parse_receipts(simulate(files, now=NOW).answers[-1].xml)[0]
    assert last.status == 100 and "PaymentHead.amountPaid" in last.info


def test_receipt_outcomes_and_bad_receipts() -> None:
    assert outcome("CEB622", 800) == "released" and outcome("CEB622", 899) == "released"
    assert outcome("CEB312", 120) == "accepted" and outcome("CEB622", 100) == "rejected"
    assert outcome("CEB622", 500) == "pending" and outcome("CEB622", 502) == "held"
    assert outcome("CEB412", -1) == "failed"
    with pytest.raises(InvalidReceipt):
        parse_receipts(b"<not-a-receipt/>")


def test_cli_messages_writes_four_files(decl: dict, tmp_path: Path) -> None:
    src = tmp_path / "declaration.json"
    src.write_text(json.dumps(decl, ensure_ascii=False))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["customs", "messages", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert [n[:6] for n in names] == ["CEB311", "CEB411", "CEB511", "CEB621"]
    assert all(schema_problems((out / n).read_bytes()) == [] for n in names)


def test_cli_messages_refuses_and_writes_nothing(decl: dict, tmp_path: Path) -> None:
    decl["payment"]["amount"] = "1.00"
    decl["consignee"]["phone"] = "x" * 60
    src = tmp_path / "declaration.json"
    src.write_text(json.dumps(decl, ensure_ascii=False))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["customs", "messages", str(src), "--out", str(out)])
    assert result.exit_code != 0
    assert "consignee.phone" in result.output
    assert not out.exists() or not any(out.iterdir())


def test_cli_quote_and_simulate(decl: dict, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["customs", "quote", str(EXAMPLES / "basket.json")])
    assert result.exit_code == 0 and json.loads(result.output)["total_tax"] == "100.31"
    bad = runner.invoke(app, ["customs", "quote", str(tmp_path / "missing.json")])
    assert bad.exit_code != 0 and "Traceback" not in bad.output
    src = tmp_path / "d.json"
    src.write_text(json.dumps(decl, ensure_ascii=False))
    outbox, inbox = tmp_path / "outbox", tmp_path / "inbox"
    assert runner.invoke(app, ["customs", "messages", str(src), "--out", str(outbox)]
                         ).exit_code == 0
    result = runner.invoke(app, ["customs", "simulate", "--outbox", str(outbox),
                                 "--inbox", str(inbox)])
    assert result.exit_code == 0, result.output
    receipts = sorted(p.name[:6] for p in inbox.glob("*.xml"))
    assert receipts == ["CEB312", "CEB412", "CEB512", "CEB622", "CEB622"]
    assert not list(outbox.glob("*.xml"))


def test_cli_names_every_mismatched_field_on_one_line(decl: dict, tmp_path: Path) -> None:
    # the house rule: one line however many fields (it was one line per field)
    decl["payment"]["amount"] = "500.00"
    decl["payer"]["name"] = "王小明"
    src = tmp_path / "declaration.json"
    src.write_text(json.dumps(decl, ensure_ascii=False))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["customs", "messages", str(src), "--out", str(out)])
    assert result.exit_code != 0 and not out.exists()
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert [p.split(":")[0].strip() for p in lines[0].removeprefix("error: ").split("; ")] == [
        "PaymentHead.amountPaid", "PaymentHead.payerName"]


def test_times_are_stamped_in_china_time(decl: dict) -> None:
    from datetime import UTC

    decl["payment"]["paid_at"] = "2026-11-22T02:15:00Z"  # 10:15 in Shanghai
    built = build_messages(decl, now=datetime(2026, 11, 22, 2, 20, tzinfo=UTC))
    order, payment = (etree.fromstring(m.xml) for m in built[:2])
    assert match.text(order.find(f".//{{{NS}}}OrderHead"), "appTime") == "20261122102000"
    assert match.text(payment.find(f".//{{{NS}}}PaymentHead"), "payTime") == "20261122101500"


def test_cli_simulate_stopped_before_moving_answers_nothing_twice(decl: dict, tmp_path: Path,
                                                                   monkeypatch) -> None:
    from fulfilment import customs_simulation

    runner = CliRunner()
    src = tmp_path / "d.json"
    src.write_text(json.dumps(decl, ensure_ascii=False))
    outbox, inbox = tmp_path / "outbox", tmp_path / "inbox"
    runner.invoke(app, ["customs", "messages", str(src), "--out", str(outbox)])
    args = ["customs", "simulate", "--outbox", str(outbox), "--inbox", str(inbox)]

    def stopped(*_: object, **__: object) -> None:
        raise OSError("stopped")

    with monkeypatch.context() as m:  # receipts and ledger written, messages not yet moved
        m.setattr(customs_simulation, "move_done", stopped)
        assert runner.invoke(app, args).exit_code == 2
    assert len(list(outbox.glob("*.xml"))) == 4 and len(list(inbox.glob("*.xml"))) == 5
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and "4 answered before and moved now" in again.output
    assert not list(outbox.glob("*.xml")) and len(list(inbox.glob("*.xml"))) == 5
    ledger = json.loads((outbox / "sent" / "simulator-ledger.json").read_text())
    assert list(ledger["used"].values()) == ["425.00"]  # counted once
    assert ledger["answered"] == []
