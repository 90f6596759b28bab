"""Rate cards in the database: CSV import (all rows or none), demo rate cards, the CLI verbs."""

from __future__ import annotations

import json
import sys

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from fulfilment import cli, db
from fulfilment.cli import app
from routing import demo, store
from routing.tables import CourierCapacityRow, CourierRow, LaneRow
from tests.builders import a_warehouse
from tests.conftest import NOW
from tests.routing.test_problem import EXAMPLE

COURIERS = "id,name\nSF,SF Express\nZTO,ZTO Express\n"
LANES = ("warehouse,courier,zone,first_kg,extra_kg,transit_days\n"
         "NGB,SF,浙江省,12.00,2.50,1\nNGB,ZTO,BJ,6,1.5,3\n")


def test_import_couriers_lanes_capacities(session):
    a_warehouse(session, "NGB")
    assert store.import_csv(session, COURIERS, now=NOW) == "imported 2 couriers"
    assert store.import_csv(session, LANES, now=NOW) == "imported 2 lanes"
    store.import_csv(session, "warehouse,courier,parcels_per_day\nNGB,SF,300\n", now=NOW)
    lanes = store.lanes(session)
    assert [(x.zone, x.first_kg, x.extra_kg) for x in lanes] == [("ZJ", 12.0, 2.5),
                                                                 ("BJ", 6.0, 1.5)]
    assert store.daily_capacity(session) == {("NGB", "SF"): 300}
    store.import_csv(session, LANES.replace("12.00", "13.00"), now=NOW)  # re-import updates
    assert session.execute(select(func.count()).select_from(LaneRow)).scalar_one() == 2


def test_bad_rows_are_named_and_nothing_is_imported(session):
    a_warehouse(session, "NGB")
    store.import_csv(session, COURIERS, now=NOW)
    bad = LANES + "XX,SF,ZJ,1,1,1\nNGB,UPS,Atlantis,1.234,-1,x\n"
    with pytest.raises(store.InvalidRateCard) as err:
        store.import_csv(session, bad, now=NOW)
    fields = {p["field"] for p in err.value.problems}
    assert {"line 4.warehouse", "line 5.courier", "line 5.zone", "line 5.first_kg",
            "line 5.extra_kg", "line 5.transit_days"} <= fields
    with pytest.raises(store.InvalidRateCard):
        store.import_csv(session, "what,is,this\n1,2,3\n", now=NOW)


def test_a_line_repeating_another_lines_key_is_refused(session):
    a_warehouse(session, "NGB")
    store.import_csv(session, COURIERS, now=NOW)
    with pytest.raises(store.InvalidRateCard) as err:  # ZJ is 浙江省: two prices for one lane
        store.import_csv(session, LANES + "NGB,SF,ZJ,13.00,2.50,1\n", now=NOW)
    assert err.value.problems == [{"field": "line 4", "reason": "repeats line 2's warehouse "
                                   "'NGB', courier 'SF', zone 'ZJ'"}]
    with pytest.raises(store.InvalidRateCard) as err:
        store.import_csv(session, COURIERS + "SF,Shunfeng\n", now=NOW)
    assert err.value.problems[0]["field"] == "line 4"
    assert session.execute(select(func.count()).select_from(LaneRow)).scalar_one() == 0


def test_a_reimport_updates_rows_the_session_already_holds(session):
    a_warehouse(session, "NGB")
    store.import_csv(session, COURIERS, now=NOW)
    store.import_csv(session, LANES, now=NOW)
    store.import_csv(session, "warehouse,courier,parcels_per_day\nNGB,SF,300\n", now=NOW)
    assert store.lanes(session)[0].first_kg == 12.0  # loaded into the session
    store.import_csv(session, LANES.replace("12.00", "13.00") + "NGB,SF,SH,9,1,2\n", now=NOW)
    store.import_csv(session, "warehouse,courier,parcels_per_day\nNGB,SF,250\n", now=NOW)
    store.import_csv(session, "id,name\nSF,Shunfeng\n", now=NOW)
    assert [(x.zone, x.first_kg) for x in store.lanes(session)] == [("ZJ", 13.0), ("BJ", 6.0),
                                                                    ("SH", 9.0)]
    assert store.daily_capacity(session) == {("NGB", "SF"): 250}
    assert session.get(CourierRow, "SF").name == "Shunfeng"


def test_rate_card_amounts_a_wave_would_refuse_are_refused(session):
    a_warehouse(session, "NGB")
    store.import_csv(session, COURIERS, now=NOW)
    with pytest.raises(store.InvalidRateCard) as err:
        store.import_csv(session, LANES + "NGB,SF,SH,1000000.01,Infinity,1\n", now=NOW)
    assert {p["field"] for p in err.value.problems} == {"line 4.first_kg", "line 4.extra_kg"}
    assert "from 0 to 1,000,000" in err.value.problems[0]["reason"]
    store.import_csv(session, LANES + "NGB,SF,SH,1000000,0,1\n", now=NOW)
    assert max(x.first_kg for x in store.lanes(session)) == 1_000_000


def test_demo_rate_cards_cover_every_province(session):
    a_warehouse(session, "NGB")
    a_warehouse(session, "JP-TYO", kind="overseas", mode="9610", country="JP")
    line = demo.seed(session, now=NOW)
    assert "lanes" in line
    zones = {x.zone for x in store.lanes(session) if x.warehouse == "JP-TYO"}
    assert len(zones) == 31
    assert session.execute(select(func.count()).select_from(CourierCapacityRow)).scalar_one() == 4


def test_cli_route_solve_writes_the_solution(tmp_path):
    out = tmp_path / "solution.json"
    r = CliRunner().invoke(app, ["route", "solve", str(EXAMPLE), "--out", str(out),
                                 "--workers", "1", "--time-limit", "10"])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text())["objective"] == 1128.32


def test_cli_route_solve_bad_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"wave_id": "x"}))
    r = CliRunner().invoke(app, ["route", "solve", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code != 0 and "warehouses" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "o").exists()


def test_cli_couriers_import(tmp_path, settings, engine, monkeypatch):
    monkeypatch.setenv("FULFILMENT_DATABASE_URL", settings.database_url)
    with db.transaction(db.make_session_factory(engine)) as s:
        a_warehouse(s, "NGB")
    (tmp_path / "c.csv").write_text(COURIERS)
    (tmp_path / "l.csv").write_text(LANES.replace("NGB,ZTO", "NOPE,ZTO"))
    r = CliRunner().invoke(app, ["couriers", "import", str(tmp_path / "c.csv")])
    assert r.exit_code == 0 and "imported 2 couriers" in r.output
    r = CliRunner().invoke(app, ["couriers", "import", str(tmp_path / "l.csv")])
    assert r.exit_code != 0 and "line 3.warehouse" in r.output


@pytest.mark.parametrize(("row", "field"), [
    ("NGB,SF,SH,１２,1,1", "line 4.first_kg"),  # fullwidth digits: Decimal() read them
    ("NGB,SF,SH,1_000,1,1", "line 4.first_kg"),  # and read this as 1000
    ("NGB,SF,SH,1e3,1,1", "line 4.first_kg"),
    ("NGB,SF,SH,1,1,²", "line 4.transit_days"),  # isdigit() passed it, int() raised
    ("NGB,SF,SH,1,1,99999999999999999999", "line 4.transit_days"),  # SQLite OverflowError
    ("NGB,SF,SH,1,1,3651", "line 4.transit_days"),  # more than a wave accepts
])
def test_rate_card_numbers_are_plain_ascii_and_bounded(session, row, field):
    a_warehouse(session, "NGB")
    store.import_csv(session, COURIERS, now=NOW)
    with pytest.raises(store.InvalidRateCard) as err:
        store.import_csv(session, LANES + row + "\n", now=NOW)
    assert [p["field"] for p in err.value.problems] == [field]
    with pytest.raises(store.InvalidRateCard) as err:
        store.import_csv(session, "warehouse,courier,parcels_per_day\nNGB,SF,10000000000\n",
                         now=NOW)
    assert [p["field"] for p in err.value.problems] == ["line 2.parcels_per_day"]


def test_rate_card_text_a_column_twice_and_unreadable_csv_are_refused(session):
    a_warehouse(session, "NGB")
    for content, field in [("id,name\nX\x00,Nul\n", "line 2.id"),
                           ("id,name\n" + "X" * 17 + ",Long\n", "line 2.id"),
                           ("id,name,name\nX,A,B\n", "header"),
                           ("id,name\nX,\"" + "n" * 200_000 + "\n", "line 2")]:
        with pytest.raises(store.InvalidRateCard) as err:
            store.import_csv(session, content, now=NOW)
        assert [p["field"] for p in err.value.problems] == [field], content[:20]
    assert store.import_csv(session, "\ufeff" + COURIERS, now=NOW) == "imported 2 couriers"


def test_cli_couriers_import_of_a_file_not_utf8_is_one_line(tmp_path, settings, monkeypatch):
    monkeypatch.setenv("FULFILMENT_DATABASE_URL", settings.database_url)
    bad = tmp_path / "c.csv"
    bad.write_bytes(COURIERS.encode("utf-16"))
    r = CliRunner().invoke(app, ["couriers", "import", str(bad)])
    assert r.exit_code == 2
    assert r.output == f"error: {bad} is not UTF-8 text: byte 0xff at offset 0\n"


@pytest.mark.parametrize(("option", "value"), [("--time-limit", "inf"),
                                               ("--time-limit", "3601"),
                                               ("--seed", str(2**31)), ("--seed", "-1")])
def test_cli_route_solve_refuses_a_limit_or_seed_the_solver_cannot_take(
        tmp_path, option, value, monkeypatch, capsys):
    # inf overflowed HiGHS's time limit and 2**31 its seed: a traceback in the log, exit 0
    monkeypatch.setattr(sys, "argv", ["fulfilment", "route", "solve", str(EXAMPLE), "--out",
                                      str(tmp_path / "o"), option, value])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: Invalid value for '{option}'") and err.count("\n") == 1
    assert not (tmp_path / "o").exists()
