"""Service verbs on the command line: db upgrade, demo seed (idempotent), keys create."""

from __future__ import annotations

import os
import subprocess
import sys

from typer.testing import CliRunner

from fulfilment import db
from fulfilment.cli import app
from fulfilment.tables import ApiKey
from inventory import store as stock
from inventory.tables import Sku, Warehouse

runner = CliRunner()


def test_upgrade_seed_and_keys(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FULFILMENT_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    first = runner.invoke(app, ["demo", "seed", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "admin key: ff_" in first.output
    again = runner.invoke(app, ["demo", "seed", "--if-empty"])
    assert again.exit_code == 0 and "already present" in again.output
    made = runner.invoke(app, ["keys", "create", "--role", "warehouse"])
    assert made.exit_code == 0
    key = made.stdout.strip().splitlines()[-1]
    assert key.startswith("ff_") and " " not in key
    bad = runner.invoke(app, ["keys", "create", "--role", "pirate"])
    assert bad.exit_code != 0 and "role" in bad.stderr and "Traceback" not in bad.output
    factory = db.make_session_factory(db.make_engine(url))
    with factory() as s:
        assert s.query(Warehouse).count() == 7
        assert s.query(Sku).count() == 200
        assert s.query(ApiKey).count() == 5
        assert stock.ledger_problems(s) == []


def test_keys_revoke(tmp_path, monkeypatch):
    monkeypatch.setenv("FULFILMENT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    made = runner.invoke(app, ["keys", "create", "--role", "buyer"])
    assert made.exit_code == 0 and "#1" in made.stderr
    done = runner.invoke(app, ["keys", "revoke", "1"])
    assert done.exit_code == 0 and "revoked buyer key #1" in done.output
    missing = runner.invoke(app, ["keys", "revoke", "7"])
    assert missing.exit_code != 0 and "no API key #7" in missing.stderr


def test_an_unmigrated_database_is_one_line_not_a_traceback(tmp_path):
    (tmp_path / "empty.db").touch()  # there, but never upgraded (a missing one is not made)
    env = {**os.environ, "FULFILMENT_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    run = subprocess.run([sys.executable, "-c", "from fulfilment.cli import main; main()",
                          "keys", "create", "--role", "admin"], env=env, capture_output=True,
                         text=True, cwd=tmp_path, timeout=60)
    assert run.returncode == 3
    assert run.stderr.strip().splitlines() == [
        f"error: database sqlite:///{tmp_path / 'empty.db'}: no such table: api_key; "
        "run `fulfilment db upgrade` first"]
