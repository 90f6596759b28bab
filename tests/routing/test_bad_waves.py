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
