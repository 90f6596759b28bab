"""`fulfilment labels wave`: the wave's labels or pick list from the database."""

from __future__ import annotations

from typer.testing import CliRunner

from fulfilment.cli import app
from tests.conftest import NOW
from tests.fulfilment.floor_builders import allocated_parcel, floor_stock

runner = CliRunner()


def test_wave_labels_and_picklist(session, settings, tmp_path, monkeypatch):
    monkeypatch.setenv("FULFILMENT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("FULFILMENT_SECRET_KEY", settings.secret_key)
    floor_stock(session, NOW)
    parcel = allocated_parcel(session, NOW, lines={"SERUM-30ML": 1}, settings=settings)
    session.commit()
    out = tmp_path / "wave.pdf"
    res = runner.invoke(app, ["labels", "wave", str(parcel.wave_id), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_bytes().startswith(b"%PDF")
    pick = tmp_path / "pick.pdf"
    res = runner.invoke(app, ["labels", "wave", str(parcel.wave_id), "--picklist", "NGB",
                              "--out", str(pick)])
    assert res.exit_code == 0, res.output
    assert pick.read_bytes().startswith(b"%PDF")
    res = runner.invoke(app, ["labels", "wave", "424242", "--out", str(tmp_path / "x.pdf")])
    assert res.exit_code != 0 and "no parcels" in res.output and "Traceback" not in res.output
