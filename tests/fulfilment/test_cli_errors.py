"""The command line's failures: one readable line, a non-zero exit, and no half-written file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fulfilment import cli
from fulfilment.cli import common
from inventory import purchasing_catalogue
from inventory.planning_errors import InvalidSignals
from tests.builders import EXAMPLES

runner = CliRunner()


def _forecast(sales: Path, out: Path):  # noqa: ANN202
    return runner.invoke(cli.app, ["forecast", "--signals", str(EXAMPLES / "signals.csv"),
                                   "--sales", str(sales), "--start", "2026-06-22",
                                   "--out", str(out)])


def test_a_cell_past_csvs_field_limit_is_a_refusal_naming_the_file_not_a_crash(
        tmp_path: Path) -> None:
    # a stray opening quote makes the rest of the export one cell
    sales = tmp_path / "sales.csv"
    sales.write_text("date,sku,units\n2026-06-01,\"SERUM-30ML,7\n"
                     + "2026-06-02,SERUM-30ML,3\n" * 8000)
    got = _forecast(sales, tmp_path / "f.csv")
    assert got.exit_code == 2
    assert got.stderr.count("\n") == 1
    assert got.stderr.startswith(f"error: {sales}: sales file is not readable CSV at line ")
    assert not (tmp_path / "f.csv").exists()


def test_the_catalogue_reader_refuses_an_unreadable_cell_too() -> None:
    with pytest.raises(ValueError, match="not readable CSV"):
        purchasing_catalogue.parse_forecast("sku,date,p10,p50,p90\n\"A" + "x" * 200_000 + "\n")


def test_a_failed_write_leaves_the_old_file_and_no_part_file(tmp_path: Path,
                                                             monkeypatch) -> None:  # noqa: ANN001
    out = tmp_path / "forecast.csv"
    out.write_text("the earlier forecast\n")

    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    got = _forecast(EXAMPLES / "sales.csv", out)
    assert got.exit_code == 2
    assert got.stderr == f"error: cannot write {out}: No space left on device\n"
    assert out.read_text() == "the earlier forecast\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forecast.csv"]


def test_thousands_of_problems_make_one_short_line() -> None:
    exc = InvalidSignals("sales file refused", [{"field": f"row {n}.units", "reason": "negative"}
                                                for n in range(2, 5002)])
    line = common.describe(exc)
    assert line.endswith("; ... and 4980 more") and len(line) < 1000


@pytest.mark.parametrize("args, says", [
    (["forecast", "--horizon", "abc"], "error: Invalid value for '--horizon'"),
    (["nosuch"], "error: No such command 'nosuch'."),
    (["forecast", "--bogus"], "error: No such option: --bogus"),
])
def test_a_usage_error_is_one_line(args: list[str], says: str, monkeypatch,  # noqa: ANN001
                                   capsys) -> None:  # noqa: ANN001
    monkeypatch.setattr(sys, "argv", ["fulfilment", *args])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(says) and err.count("\n") == 1


def test_run_once_help_names_every_scheduled_job(settings) -> None:  # noqa: ANN001
    from fulfilment import scheduler

    shown = " ".join(runner.invoke(cli.app, ["scheduler", "run-once", "--help"],
                                   terminal_width=400).output.split())
    for job in scheduler.jobs(settings):
        assert job in shown


def test_an_output_that_is_a_pipe_is_written_to_not_replaced(tmp_path: Path) -> None:
    # renaming over it put a regular file in its place: `--out /dev/null` as root replaced
    # /dev/null itself, and `--out /dev/full` "succeeded"
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    common.write_whole(fifo, "sku,date\n")
    reader.join(timeout=10)
    assert got == [b"sku,date\n"] and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_an_output_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_text("old\n")
    (tmp_path / "link.csv").symlink_to(tmp_path / "real.csv")
    common.write_whole(tmp_path / "link.csv", "new\n")
    assert (tmp_path / "link.csv").is_symlink()
    assert (tmp_path / "real.csv").read_text() == "new\n"


def test_an_output_file_gets_the_usual_mode_and_a_replaced_one_keeps_its_own(
        tmp_path: Path) -> None:
    # the temporary file of mkstemp is 0600: another user's program could not read a forecast
    old = os.umask(0o022)
    try:
        common.write_whole(tmp_path / "new.csv", "a\n")
    finally:
        os.umask(old)
    assert (tmp_path / "new.csv").stat().st_mode & 0o777 == 0o644
    (tmp_path / "kept.csv").write_text("old\n")
    (tmp_path / "kept.csv").chmod(0o640)
    common.write_whole(tmp_path / "kept.csv", "new\n")
    assert (tmp_path / "kept.csv").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("args", [
    ["keys", "revoke", str(2**63)],  # SQLite: OverflowError, a traceback
    ["labels", "wave", str(2**63), "--out", "w.pdf"],
])
def test_an_id_past_the_id_columns_is_a_usage_error(args: list[str], monkeypatch,  # noqa: ANN001
                                                    capsys, tmp_path: Path) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FULFILMENT_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    monkeypatch.setattr(sys, "argv", ["fulfilment", *args])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Invalid value for") and err.count("\n") == 1
    assert "2147483647" in err and not (tmp_path / "w.pdf").exists()


@pytest.mark.parametrize(("revision", "says"), [
    ("bogus", "error: revision 'bogus': Can't locate revision identified by 'bogus'\n"),
    ("", "error: revision must not be empty (head, or a revision id)\n"),  # AssertionError
])
def test_db_upgrade_to_an_unknown_revision_is_one_line(revision: str, says: str,
                                                       monkeypatch, tmp_path: Path) -> None:  # noqa: ANN001
    monkeypatch.setenv("FULFILMENT_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    got = runner.invoke(cli.app, ["db", "upgrade", revision])
    assert got.exit_code == 2 and got.stderr == says


@pytest.mark.parametrize("args", [
    ["signals", "import", "sales.csv"],
    ["keys", "create", "--role", "buyer"],
    ["couriers", "import", "couriers.csv"],
    ["labels", "wave", "1", "--out", "w.pdf"],
])
def test_a_command_needing_the_database_creates_no_empty_one(
        args: list[str], monkeypatch, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    # run outside the repository, it made ./var/fulfilment.db empty, then asked for an upgrade
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FULFILMENT_DATABASE_URL", raising=False)  # var/fulfilment.db
    (tmp_path / "sales.csv").write_text("date,sku,units\n2026-06-01,X,4\n")
    (tmp_path / "couriers.csv").write_text("id,name\nSF,SF Express\n")
    monkeypatch.setattr(sys, "argv", ["fulfilment", *args])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 3
    err = capsys.readouterr().err
    assert err == ("error: database sqlite:///var/fulfilment.db: no database file at "
                   "var/fulfilment.db; run `fulfilment db upgrade` first\n")
    assert not (tmp_path / "var").exists() and not (tmp_path / "w.pdf").exists()


def test_db_upgrade_still_creates_the_database(monkeypatch, capsys,  # noqa: ANN001
                                               tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FULFILMENT_DATABASE_URL", raising=False)
    (tmp_path / "sales.csv").write_text("date,sku,units\n2026-06-01,X,4\n")
    for args in (["db", "upgrade"], ["signals", "import", "sales.csv"]):
        monkeypatch.setattr(sys, "argv", ["fulfilment", *args])
        with pytest.raises(SystemExit) as exit_:
            cli.main()
        assert exit_.value.code == 0, capsys.readouterr().err
    assert "imported 1 sales rows" in capsys.readouterr().out
    assert (tmp_path / "var" / "fulfilment.db").is_file()
