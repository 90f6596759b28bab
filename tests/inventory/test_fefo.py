"""FEFO lot choice: earliest expiry first, never a lot short of minimum shelf life, bin walk."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from inventory.fefo import LotStock, is_fresh_enough, pick_lots, plan, walking_order

DISPATCH = date(2026, 11, 23)


def lot(lot_id: str, qty: int, expiry: date | None, bin_: str = "A-01", sku: str = "SERUM-30ML"):
    return LotStock(lot_id=lot_id, sku=sku, bin=bin_, qty=qty, expiry=expiry)


def test_takes_the_lot_that_expires_first():
    lots = [lot("L2", 10, date(2027, 6, 1)), lot("L1", 10, date(2027, 1, 1))]
    got = pick_lots(lots, sku="SERUM-30ML", qty=4, dispatch_on=DISPATCH)
    assert [(p.lot_id, p.qty) for p in got.picks] == [("L1", 4)] and got.short == 0


def test_spills_into_the_next_lot_when_the_first_runs_out():
    lots = [lot("L2", 10, date(2027, 6, 1)), lot("L1", 3, date(2027, 1, 1))]
    got = pick_lots(lots, sku="SERUM-30ML", qty=5, dispatch_on=DISPATCH)
    assert [(p.lot_id, p.qty) for p in got.picks] == [("L1", 3), ("L2", 2)]


def test_never_picks_a_lot_short_of_minimum_remaining_shelf_life():
    lots = [lot("OLD", 50, DISPATCH + timedelta(days=89)), lot("NEW", 5, date(2028, 1, 1))]
    got = pick_lots(lots, sku="SERUM-30ML", qty=8, dispatch_on=DISPATCH, min_remaining_days=90)
    assert [(p.lot_id, p.qty) for p in got.picks] == [("NEW", 5)]
    assert got.short == 3


def test_lot_exactly_at_the_minimum_is_allowed():
    assert is_fresh_enough(DISPATCH + timedelta(days=90), dispatch_on=DISPATCH,
                           min_remaining_days=90)
    assert not is_fresh_enough(DISPATCH + timedelta(days=89), dispatch_on=DISPATCH,
                               min_remaining_days=90)


def test_lots_without_expiry_go_last():
    lots = [lot("NOEXP", 10, None), lot("EXP", 10, date(2030, 1, 1))]
    got = pick_lots(lots, sku="SERUM-30ML", qty=12, dispatch_on=DISPATCH)
    assert [p.lot_id for p in got.picks] == ["EXP", "NOEXP"]


def test_equal_expiry_prefers_the_bin_met_first_on_the_walk():
    exp = date(2027, 1, 1)
    lots = [lot("L1", 5, exp, "Z-99"), lot("L1", 5, exp, "A-01")]
    got = pick_lots(lots, sku="SERUM-30ML", qty=3, dispatch_on=DISPATCH,
                    walk_order={"A-01": 1, "Z-99": 2})
    assert got.picks[0].bin == "A-01"


def test_other_skus_are_ignored():
    lots = [lot("X", 10, date(2026, 12, 1), sku="CREAM")]
    assert pick_lots(lots, sku="SERUM-30ML", qty=1, dispatch_on=DISPATCH).short == 1


def test_plan_draws_lots_down_across_lines_and_walking_order_sorts_by_bin_sequence():
    lots = [lot("L1", 4, date(2027, 1, 1), "B-02"), lot("L2", 10, date(2027, 5, 1), "A-01")]
    lines = plan([("SERUM-30ML", 3), ("SERUM-30ML", 3)], lots, dispatch_on=DISPATCH,
                 walk_order={"A-01": 1, "B-02": 2})
    assert [(p.lot_id, p.qty) for p in lines[0].picks] == [("L1", 3)]
    assert [(p.lot_id, p.qty) for p in lines[1].picks] == [("L1", 1), ("L2", 2)]
    walk = walking_order([p for line in lines for p in line.picks], {"A-01": 1, "B-02": 2})
    assert [p.bin for p in walk] == ["A-01", "B-02", "B-02"]


lots_strategy = st.lists(
    st.builds(lot, st.sampled_from(["L1", "L2", "L3", "L4"]), st.integers(0, 20),
              st.one_of(st.none(), st.dates(date(2026, 10, 1), date(2028, 1, 1))),
              st.sampled_from(["A-01", "B-02", "C-03"])),
    max_size=8, unique_by=lambda x: (x.lot_id, x.bin))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(lots_strategy, st.integers(0, 60), st.integers(0, 120))
def test_fefo_properties(lots, qty, min_days):
    got = pick_lots(lots, sku="SERUM-30ML", qty=qty, dispatch_on=DISPATCH,
                    min_remaining_days=min_days)
    fresh = [x for x in lots if is_fresh_enough(x.expiry, dispatch_on=DISPATCH,
                                                min_remaining_days=min_days)]
    # Quantities add up; never more than a lot holds; never a stale lot.
    assert sum(p.qty for p in got.picks) + got.short == qty
    assert got.short == max(0, qty - sum(x.qty for x in fresh))
    held = {(x.lot_id, x.bin): x.qty for x in fresh}
    assert all(0 < p.qty <= held[(p.lot_id, p.bin)] for p in got.picks)
    # First-expired first-out: no unpicked fresh stock expires before a picked lot.
    picked = {(p.lot_id, p.bin): p.qty for p in got.picks}
    latest = max((p.expiry or date.max for p in got.picks), default=date.min)
    for x in fresh:
        if picked.get((x.lot_id, x.bin), 0) < x.qty:
            assert (x.expiry or date.max) >= latest
