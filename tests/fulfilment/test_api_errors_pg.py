"""A value the database cannot hold is the request's fault: a 422, nothing stored."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from fulfilment.api import errors


def test_a_value_too_long_for_its_column_is_a_422(pg_engine) -> None:  # noqa: ANN001
    app = FastAPI()
    errors.install(app)

    @app.post("/too-long")
    def too_long() -> dict:
        with pg_engine.begin() as conn:
            conn.execute(text("INSERT INTO signal_day (sku_id, day, notes, likes, saves, "
                              "comments, shares, searches) VALUES (:s, '2026-11-01', 0, 0, 0, "
                              "0, 0, 0)"), {"s": "X" * 65})
        return {}

    got = TestClient(app).post("/too-long")
    assert got.status_code == 422
    assert got.json()["detail"][0]["reason"].startswith("a value does not fit the database")
    assert "XXXX" not in got.text
    with pg_engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM signal_day")) == 0
