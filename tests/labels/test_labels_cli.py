"""`fulfilment labels shipping`: file in, PDF/ZPL out; bad input is one line, never a traceback."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from fulfilment.cli import app

runner = CliRunner()


def test_shipping_pdf_and_zpl_from_a_file(tmp_path, parcel, pdf):
    src = tmp_path / "parcel.json"
    src.write_text(json.dumps(parcel, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "label.pdf"
    res = runner.invoke(app, ["labels", "shipping", str(src), "--format", "pdf", "--out",
                              str(out), "--date", "2026-11-23"])
    assert res.exit_code == 0, res.output
    body = out.read_bytes()
    assert body.startswith(b"%PDF") and ("Code128", parcel["tracking_no"]) in pdf.decode(body)[0]
    assert "2026-11-23" in pdf.texts(body)[0]
    zpl = tmp_path / "label.zpl"
    res = runner.invoke(app, ["labels", "shipping", str(src), "--format", "zpl", "--out",
                              str(zpl)])
    assert res.exit_code == 0, res.output
    text = zpl.read_text(encoding="utf-8")
    assert text.startswith("^XA") and text.rstrip().endswith("^XZ") and "^BC" in text


def test_bad_parcel_is_one_line_and_non_zero(tmp_path, parcel):
    src = tmp_path / "parcel.json"
    src.write_text(json.dumps(dict(parcel, weight_g=-1)), encoding="utf-8")
    res = runner.invoke(app, ["labels", "shipping", str(src), "--out", str(tmp_path / "x.pdf")])
    assert res.exit_code != 0
    assert "weight_g" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "x.pdf").exists()


def test_missing_and_malformed_files(tmp_path):
    res = runner.invoke(app, ["labels", "shipping", str(tmp_path / "nope.json"), "--out",
                              str(tmp_path / "x.pdf")])
    assert res.exit_code != 0 and "cannot read" in res.output
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    res = runner.invoke(app, ["labels", "shipping", str(bad), "--out", str(tmp_path / "x.pdf")])
    assert res.exit_code != 0 and "not valid JSON" in res.output


def test_render_stock_labels_and_documents_from_files(tmp_path, pdf):
    skus = tmp_path / "skus.json"
    skus.write_text(json.dumps([{"sku": "SERUM-30ML", "gtin": "6901234567892"}]))
    out = tmp_path / "skus.pdf"
    res = runner.invoke(app, ["labels", "render", "sku", str(skus), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert ("EAN13", "6901234567892") in pdf.decode(out.read_bytes())[0]
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps({
        "document_no": "INV-9", "order_no": "R9", "issued_on": "2026-11-23", "currency": "CNY",
        "sender": {"name": "Tokyo DC"}, "recipient": {"name": "李小红"},
        "items": [{"description": "Serum", "qty": 1, "unit_value": 10000, "weight_g": 100,
                   "hs_code": "330499", "origin": "JP"}]}, ensure_ascii=False), encoding="utf-8")
    res = runner.invoke(app, ["labels", "render", "cn", str(doc), "--currency-per-sdr", "9.7",
                              "--out", str(tmp_path / "cn.pdf")])
    assert res.exit_code == 0, res.output
    assert "CN22" in res.output
    res = runner.invoke(app, ["labels", "render", "cn", str(doc), "--out", str(tmp_path / "x")])
    assert res.exit_code != 0 and "--currency-per-sdr" in res.output
    res = runner.invoke(app, ["labels", "render", "sku", str(doc), "--out", str(tmp_path / "x")])
    assert res.exit_code != 0 and "JSON list" in res.output


def test_a_huge_name_is_cut_quickly(tmp_path):
    # cutting a character at a time measured 100,000 characters for minutes
    import time

    from labels import fonts

    started = time.perf_counter()
    cut = fonts.fit("x" * 100_000, fonts.measure(fonts.LATIN), 9, 100)
    assert time.perf_counter() - started < 1 and cut.endswith("…") and len(cut) < 100
    pick = tmp_path / "pick.json"
    pick.write_text(json.dumps({"wave_id": "W" * 100_000, "warehouse": "NGB",
                                "printed_on": "2026-11-23", "lines": []}))
    res = runner.invoke(app, ["labels", "render", "picklist", str(pick), "--out",
                              str(tmp_path / "p.pdf")])
    assert res.exit_code == 0, res.output


def test_cn_rate_in_plain_digits_only(tmp_path):
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps({
        "document_no": "INV-9", "order_no": "R9", "issued_on": "2026-11-23", "currency": "CNY",
        "sender": {"name": "Tokyo DC"}, "recipient": {"name": "Li"},
        "items": [{"description": "Serum", "qty": 1, "unit_value": 10000, "weight_g": 100}]}))
    for rate in ("9_7", "９.７"):  # Decimal() read them as 97 and 9.7
        res = runner.invoke(app, ["labels", "render", "cn", str(doc), "--currency-per-sdr", rate,
                                  "--out", str(tmp_path / "cn.pdf")])
        assert res.exit_code == 2 and res.output.count("\n") == 1
        assert "--currency-per-sdr in plain digits" in res.output
        assert not (tmp_path / "cn.pdf").exists()


def test_nested_or_bom_json(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    res = runner.invoke(app, ["labels", "shipping", str(deep), "--out", str(tmp_path / "x.pdf")])
    assert res.exit_code == 2
    assert res.output == f"error: {deep} is not valid JSON: nested too deeply\n"
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps({"sku": "A"}).join("[]").encode())
    res = runner.invoke(app, ["labels", "render", "sku", str(bom), "--out",
                              str(tmp_path / "s.pdf")])
    assert res.exit_code == 0, res.output
