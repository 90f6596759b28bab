"""A wave no price can mean (1e400 reads as infinity) at the edges: one line and exit 2 on the
command line, 422 over HTTP, like every other invalid wave; never a traceback or a 500."""

from __future__ import annotations

from typer.testing import CliRunner

from fulfilment.cli import app
from tests.routing.test_problem import with_number

REASON = "lanes[0].first_kg: must be a finite amount from 0 to 1,000,000 CNY"


def test_cli_rejects_infinite_money_in_one_line(tmp_path):
    bad = tmp_path / "inf.json"
    bad.write_text(with_number(("lanes", 0, "first_kg"), "1e400"))
    r = CliRunner().invoke(app, ["route", "solve", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert r.output == f"error: {bad}: {REASON}\n"
    assert not (tmp_path / "o").exists()


def test_http_rejects_infinite_money_with_422(client, headers):
    r = client.post("/allocations/solve", content=with_number(("lanes", 0, "first_kg"), "1e400"),
                    headers={**headers("order-service"), "content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["error"] == "invalid_wave"
    assert r.json()["detail"] == [{"field": "lanes[0].first_kg",
                                   "reason": REASON.split(": ", 1)[1]}]


def test_cli_rejects_transit_days_past_ten_years_and_json_nested_too_deeply(tmp_path):
    # 1e19 transit days overflowed the solver's cost check: a logged traceback and exit 0
    days = tmp_path / "days.json"
    days.write_text(with_number(("lanes", 0, "transit_days"), "10000000000000000000"))
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)  # json's decoder raised RecursionError
    for bad, reason in [(days, "lanes[0].transit_days: Input should be less than or equal to "
                               "3650"),
                        (deep, "$: not valid JSON: nested too deeply")]:
        r = CliRunner().invoke(app, ["route", "solve", str(bad), "--out", str(tmp_path / "o")])
        assert r.exit_code == 2
        assert r.output == f"error: {bad}: {reason}\n"
        assert not (tmp_path / "o").exists()


def test_cli_reads_a_wave_as_utf8_only(tmp_path):
    from tests.routing.test_problem import EXAMPLE

    text = EXAMPLE.read_text(encoding="utf-8")
    utf16, bom = tmp_path / "utf16.json", tmp_path / "bom.json"
    utf16.write_bytes(text.encode("utf-16"))  # json.loads(bytes) used to guess it and go on
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    r = CliRunner().invoke(app, ["route", "solve", str(utf16), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert r.output == f"error: {utf16} is not UTF-8 text: byte 0xff at offset 0\n"
    r = CliRunner().invoke(app, ["route", "solve", str(bom), "--out", str(tmp_path / "o"),
                                 "--time-limit", "5"])
    assert r.exit_code == 0 and (tmp_path / "o").exists()
