"""Amounts out of range: a one-line refusal (exit 2) or a 422 naming the field, never a crash."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal, Overflow
from pathlib import Path

import pytest
from typer.testing import CliRunner

from customs import messages, tax
from customs.errors import InvalidBasket, InvalidDeclaration
from customs.messages import build_messages
from customs.receipts import parse_receipts
from customs.simulator import simulate
from fulfilment.cli import app
from tests.builders import EXAMPLES

NOW = datetime(2026, 11, 22, 10, 20, 0)
BIG = "1" + "0" * 30  # a decimal string past any bound


def _basket(**changes: object) -> dict:
    data = json.loads((EXAMPLES / "basket.json").read_text())
    data["lines"][0].update(changes.pop("line", {}))
    return {**data, **changes}


def _declaration() -> dict:
    return json.loads((EXAMPLES / "declaration.json").read_text())


def _errors(output: str) -> list[str]:
    return [x for x in output.splitlines() if x.strip()]


@pytest.mark.parametrize(("basket", "field"), [
    (_basket(line={"unit_price": BIG}), "lines[0].unit_price"),
    (_basket(line={"qty": 10**30}), "lines[0].qty"),
    (_basket(freight=BIG), "freight"),
    (_basket(buyer_annual_used=BIG), "buyer_annual_used"),
])
def test_cli_quote_refuses_a_huge_amount_in_one_line(basket: dict, field: str,
                                                     tmp_path: Path) -> None:
    src = tmp_path / "basket.json"
    src.write_text(json.dumps(basket))
    result = CliRunner().invoke(app, ["customs", "quote", str(src)])
    assert result.exit_code == 2
    assert _errors(result.output) == [
        f"error: {field}: Input should be less than "
        f"{'1000000' if field.endswith('qty') else '1000000000000'}"]


def test_http_quote_answers_422_naming_the_field(client, headers) -> None:  # noqa: ANN001
    for body, field in ((_basket(line={"unit_price": BIG}), "lines[0].unit_price"),
                        (_basket(buyer_annual_used=BIG), "buyer_annual_used")):
        r = client.post("/customs/quote", json=body, headers=headers("buyer"))
        assert r.status_code == 422, r.text
        assert r.json()["error"] == "invalid_basket"
        assert [p["field"] for p in r.json()["detail"]] == [field]


def test_cli_messages_refuses_a_huge_price_in_one_line_and_writes_nothing(
        tmp_path: Path) -> None:
    decl = _declaration()
    decl["lines"][0]["price"] = BIG
    src, out = tmp_path / "declaration.json", tmp_path / "out"
    src.write_text(json.dumps(decl, ensure_ascii=False))
    result = CliRunner().invoke(app, ["customs", "messages", str(src), "--out", str(out)])
    assert result.exit_code == 2
    assert _errors(result.output) == [
        "error: lines[0].price: Input should be less than 1000000000000"]
    assert not out.exists()


@pytest.mark.parametrize(("key", "value"), [("gross_weight_kg", BIG), ("tax_total", BIG)])
def test_declaration_amounts_and_weights_are_bounded(key: str, value: str) -> None:
    decl = _declaration()
    decl[key] = value
    with pytest.raises(InvalidDeclaration) as err:
        build_messages(decl, now=NOW)
    assert [p["field"] for p in err.value.problems] == [key]


def test_any_arithmetic_error_left_is_a_refusal_not_a_crash(
        monkeypatch: pytest.MonkeyPatch, client, headers, tmp_path: Path) -> None:  # noqa: ANN001
    def overflow(*_: object, **__: object) -> None:
        raise Overflow("simulated")

    monkeypatch.setattr(tax, "_cbec", overflow)
    monkeypatch.setattr(messages, "check_messages", overflow)
    with pytest.raises(InvalidBasket) as err:
        tax.quote(_basket())
    assert err.value.problems[0]["field"] == "basket"
    r = client.post("/customs/quote", json=_basket(), headers=headers("buyer"))
    assert (r.status_code, r.json()["error"]) == (422, "invalid_basket")
    src = tmp_path / "basket.json"
    src.write_text(json.dumps(_basket()))
    result = CliRunner().invoke(app, ["customs", "quote", str(src)])
    assert result.exit_code == 2 and _errors(result.output) == [
        "error: basket: an amount or quantity is too large or too precise to compute"]
    with pytest.raises(InvalidDeclaration) as derr:
        build_messages(_declaration(), now=NOW)
    assert derr.value.problems[0]["field"] == "declaration"


def test_simulator_rejects_an_amount_beyond_the_schema_instead_of_overflowing() -> None:
    files = {m.filename: m.xml for m in build_messages(_declaration(), now=NOW)}
    name = next(n for n in files if n.startswith("CEB311"))
    files[name] = files[name].replace(b"<ceb:price>425.00</ceb:price>",
                                      b"<ceb:price>9E+999999</ceb:price>").replace(
        b"<ceb:qty>1</ceb:qty>", b"<ceb:qty>10</ceb:qty>")
    last = parse_receipts(simulate(files, now=NOW).answers[-1].xml)[0]
    assert last.status == 100 and "OrderList[1].totalPrice" in last.info


@pytest.mark.parametrize("amount", ["lots", "NaN", "Infinity", "-1"])
def test_cli_simulate_refuses_an_unreadable_ledger(tmp_path: Path, amount: str) -> None:
    outbox, ledger = tmp_path / "outbox", tmp_path / "ledger.json"
    outbox.mkdir()
    ledger.write_text(json.dumps({"11010519491231002X:2026": amount}))
    result = CliRunner().invoke(app, ["customs", "simulate", "--outbox", str(outbox),
                                      "--inbox", str(tmp_path / "inbox"),
                                      "--ledger", str(ledger)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert _errors(result.output) == [f"error: {ledger}: not a ledger of amounts by buyer and year"]


def test_negative_zero_never_reaches_a_message() -> None:
    decl = _declaration()
    decl["freight"] = decl["discount"] = "-0.00"
    assert all(b">-0" not in m.xml for m in build_messages(decl, now=NOW))
    assert messages.num(Decimal("-0.00")) == "0.00"



def test_cli_messages_refuses_control_characters_in_one_line_and_writes_nothing(
        tmp_path: Path) -> None:
    # lxml refused the NUL with a ValueError while building the XML: a traceback
    decl = _declaration()
    decl["consignee"]["address"] = "文三路\x00 90 号"
    decl["lines"][0]["model"] = "30ml\x1b"
    src, out = tmp_path / "declaration.json", tmp_path / "out"
    src.write_text(json.dumps(decl, ensure_ascii=False))
    result = CliRunner().invoke(app, ["customs", "messages", str(src), "--out", str(out)])
    assert result.exit_code == 2
    assert _errors(result.output) == [
        "error: consignee.address: Value error, must not contain control characters (found "
        "U+0000); lines[0].model: Value error, must not contain control characters (found "
        "U+001B)"]
    assert not out.exists()


def test_cli_messages_names_every_problem_on_one_line(tmp_path: Path) -> None:
    src, out = tmp_path / "declaration.json", tmp_path / "out"
    src.write_text("{}")  # fifteen missing fields were fifteen lines
    result = CliRunner().invoke(app, ["customs", "messages", str(src), "--out", str(out)])
    assert result.exit_code == 2
    assert len(_errors(result.output)) == 1
    assert result.output.startswith("error: order_no: Field required; trade_mode: Field required")


@pytest.mark.parametrize(("text", "reason"), [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),  # RecursionError
    ('{"qty": ' + "9" * 5000 + "}", "Exceeds the limit (4300 digits)"),  # int()'s ValueError
])
def test_cli_quote_refuses_json_python_cannot_read_in_one_line(tmp_path: Path, text: str,
                                                               reason: str) -> None:
    src = tmp_path / "basket.json"
    src.write_text(text)
    result = CliRunner().invoke(app, ["customs", "quote", str(src)])
    assert result.exit_code == 2
    assert len(_errors(result.output)) == 1 and reason in result.output
    assert result.output.startswith(f"error: {src} is not valid JSON: ")


def test_cli_quote_reads_a_basket_saved_with_a_byte_order_mark(tmp_path: Path) -> None:
    src = tmp_path / "basket.json"
    src.write_bytes(b"\xef\xbb\xbf" + (EXAMPLES / "basket.json").read_bytes())
    result = CliRunner().invoke(app, ["customs", "quote", str(src)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["total_tax"] == "100.31"
