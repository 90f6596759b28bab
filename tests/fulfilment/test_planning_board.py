"""The board's ranking and what it loads."""

from __future__ import annotations

from datetime import date, timedelta

from fulfilment import planning, planning_board

TODAY = date(2026, 11, 22)


def _flat(days: int, per_day: int = 10) -> dict[date, int]:
    return {TODAY - timedelta(days=k): per_day for k in range(1, days + 1)}


def test_momentum_compares_a_week_with_the_weeks_the_sku_has() -> None:
    assert planning_board.momentum(_flat(42), today=TODAY) == 1.0
    assert planning_board.momentum(_flat(14), today=TODAY) == 1.0  # was 4.7: five weeks assumed
    rising = {**_flat(42, 10), **{TODAY - timedelta(days=k): 30 for k in range(1, 8)}}
    assert planning_board.momentum(rising, today=TODAY) == (210 + 1) / (70 + 1)
    assert planning_board.momentum({TODAY: 500}, today=TODAY) == 1.0  # today is not a week yet


def test_the_board_charts_the_top_skus_and_reads_only_its_window(session,
                                                                monkeypatch) -> None:  # noqa: ANN001
    text = "date,sku,units\n" + "".join(
        f"{TODAY - timedelta(days=d)},S{n:03d},{n + 1}\n" for n in range(130) for d in (1, 90))
    planning.import_sales(session, text=text)
    session.commit()
    monkeypatch.setattr(planning_board, "CHARTED", 100)
    data = planning_board.board(session, today=TODAY)
    assert len(data["cards"]) == 100 and data["more"] == 30
    history = planning.sales_history(session, since=TODAY - timedelta(days=42))
    assert {r.day for r in history} == {TODAY - timedelta(days=1)}
