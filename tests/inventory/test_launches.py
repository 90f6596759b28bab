"""Launches: start odds from other launches' waits, tilted by a waiting SKU's own intent; what
a launch sells from its intent, and the release of pre-launch demand in its first days."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from inventory import features, launches
from inventory.signals import SaleRow, SignalRow

DAY0 = date(2026, 1, 5)


def panel_of(saves: dict[str, list[int]], units: dict[str, list[int]]) -> features.Panel:
    """A panel from daily saves (the only intent here) and units per SKU, all from DAY0."""
    days = max(len(v) for v in (*saves.values(), *units.values()))
    signals = [SignalRow(DAY0 + timedelta(days=t), sku, 0, 0, n, 0, 0, 0)
               for sku, row in saves.items() for t, n in enumerate(row) if n]
    sales = [SaleRow(DAY0 + timedelta(days=t), sku, n)
             for sku, row in units.items() for t, n in enumerate(row) if n]
    return features.build_panel(signals, sales, start=DAY0 + timedelta(days=days))


def test_start_odds_follow_how_long_other_skus_waited_before_their_first_sale() -> None:
    # four SKUs sold 6, 8, 10 and 12 days after their first signal; one has waited 7 days so far
    first_signal = np.array([1, 1, 1, 1, 14, 1])
    first_sale = np.array([7, 9, 11, 13, features.NEVER, 4])
    odds = launches.start_odds(first_signal, first_sale, origin=21, horizon=6)
    assert (odds[:4] == 1.0).all() and (odds[5] == 1.0).all()  # already selling
    # it has waited 7 days, so gaps 8, 10 and 12 remain (days 22, 24, 26): one in three each
    # by Kaplan-Meier, [0, 1/3, 1/3, 2/3, 2/3, 1]; each day shrunk towards its neighbours
    assert odds[4].tolist() == pytest.approx([0.0, 1 / 3, 1 / 3, 2 / 3, 2 / 3, 1.0], abs=0.14)
    steps = np.diff(odds[4], prepend=0.0)
    assert min(steps[[1, 3, 5]]) > max(steps[[0, 2, 4]])  # the days others started on


def test_skus_seen_from_the_first_day_of_data_do_not_count_as_launches_that_sold_at_once() -> None:
    # six SKUs were there when the data begins and sold on its first days; four launches each
    # waited 10 days; one launch has waited 2 days
    first_signal = np.array([0] * 6 + [10, 12, 14, 16, 30])
    first_sale = np.array([1, 1, 2, 1, 3, 1, 20, 22, 24, 26, features.NEVER])
    odds = launches.start_odds(first_signal, first_sale, origin=32, horizon=10)
    # its tenth day of waiting is day 40 (step 8): nothing before the days around it
    assert odds[10][:5].tolist() == [0.0] * 5 and odds[10][7] < 0.2 and odds[10][8] > 0.75


def test_with_no_launch_seen_yet_a_waiting_sku_may_start_within_four_weeks() -> None:
    # a first export: one SKU sells from day 0, one was first talked about yesterday, one 40
    # days ago. No launch has sold yet to say how long they wait: a first sale on each of
    # days 1-28 after the first signal is as likely (for 80% of SKUs), never later
    first_signal = np.array([0, 40, 1])
    first_sale = np.array([0, features.NEVER, features.NEVER])
    odds = launches.start_odds(first_signal, first_sale, origin=41, horizon=7)
    assert odds[1].tolist() == pytest.approx([0.8 * (h + 1) / 28 for h in range(7)])
    assert (odds[2] == 0.0).all()  # waited 40 days: talked about, not about to start
    assert (odds[0] == 1.0).all()


def test_a_gap_day_nobody_started_on_borrows_its_neighbours_hazard() -> None:
    # ten SKUs at risk each day; starts on gap days 5 and 7, none on 6, none near day 20
    events = np.zeros(25)
    events[[5, 7]] = 2
    at_risk = np.full(25, 10.0)
    hazard = launches.smoothed_hazard(events, at_risk)
    assert 0.0 < hazard[6] < hazard[5] == hazard[7] < 0.2
    assert hazard[20] == 0.0
    # fewer gap days than the neighbourhood is wide
    assert launches.smoothed_hazard(np.array([0, 1, 0]), np.array([3.0, 3.0, 2.0])).shape == (3,)


def test_start_odds_lean_on_a_waiting_skus_own_intent() -> None:
    # loud SKUs made their first sale 4 days after their first signal, quiet ones after 12
    loud = np.arange(12) % 2 == 0
    first_signal = np.concatenate([2 * np.arange(12), [57, 57]])
    first_sale = np.concatenate([2 * np.arange(12) + np.where(loud, 4, 12),
                                 [features.NEVER] * 2])
    level = np.concatenate([np.where(loud, 20.0, 1.0), [20.0, 1.0]])
    intent = np.repeat(level[:, None], 60, axis=1)
    plain = launches.start_odds(first_signal, first_sale, origin=60, horizon=5)
    tilted = launches.start_odds(first_signal, first_sale, origin=60, horizon=5, intent=intent)
    assert plain[12].tolist() == plain[13].tolist()  # waiting time alone cannot tell them apart
    # on day 4 of the wait a loud one has likely started, a quiet one likely not
    assert (tilted[12] > tilted[13]).all() and tilted[12, 1] > 0.5 > tilted[13, 1]
    assert (np.diff(tilted[12:], axis=1) >= 0).all() and (tilted[:12] == 1.0).all()


def test_sales_scale_with_intent_by_the_slope_seen_across_selling_skus() -> None:
    # twelve SKUs selling for 60 days: units = 3 x intent ** 0.7
    shown = {f"S{i}": 50 + 30 * i for i in range(12)}
    saves = {s: [n] * 60 for s, n in shown.items()}
    units = {s: [round(3 * n ** 0.7)] * 60 for s, n in shown.items()}
    assert launches.intent_elasticity(panel_of(saves, units), 60) == pytest.approx(0.7, abs=0.03)
    few = panel_of(dict(list(saves.items())[:5]), dict(list(units.items())[:5]))
    assert launches.intent_elasticity(few, 60) == 1.0  # too few SKUs to measure a slope
    alike = panel_of({s: [100] * 60 for s in shown}, units)
    assert launches.intent_elasticity(alike, 60) == 1.0  # the same intent everywhere: no slope


def release(share: float, pre_launch: float, days: int) -> np.ndarray:
    """Units of pre-launch demand released on each of the first `days` days of sales."""
    return launches.release(share * pre_launch, np.arange(days))


def test_the_release_of_pre_launch_demand_decays_and_sums_to_the_amount() -> None:
    released = launches.release(100.0, np.arange(200))
    assert released.sum() == pytest.approx(100.0) and (np.diff(released) < 0).all()
    assert released[:4].sum() == pytest.approx(100.0 * (1 - np.exp(-1)))  # one time constant


def test_a_launch_in_its_first_days_is_forecast_net_of_the_release_of_pent_up_demand() -> None:
    # LAUNCH: 20 saves a day for 10 days before its first sale on day 30 and after; it sells
    # 0.5 a save plus the release of half its 200 pre-launch saves. STEADY sells 0.5 a save.
    saves = {"LAUNCH": [0] * 20 + [20] * 18, "STEADY": [20] * 38}
    rush = np.round(10 + 0.5 * release(0.5, 200, 8)).astype(int)
    units = {"LAUNCH": [0] * 30 + rush.tolist(), "STEADY": [10] * 38}
    panel = panel_of(saves, units)
    means = launches.early_means(panel, origin=38, horizon=7)
    assert np.isnan(means[1]).all()  # selling for 38 days: not a launch
    # a launch selling with no intent shown at all is left to the model
    silent = panel_of({"STEADY": saves["STEADY"]}, {**units, "SILENT": units["LAUNCH"]})
    assert np.isnan(launches.early_means(silent, origin=38, horizon=7)).all()
    # one with a single save in its history is forecast from its own sales, not that save
    thin = panel_of({**saves, "THIN": [0] * 29 + [1]}, {**units, "THIN": [0] * 30 + [10] * 8})
    assert launches.early_means(thin, origin=38, horizon=7)[2] == pytest.approx(10.0, rel=0.2)
    # its rate is 0.5 a save, not the 0.9 its first 8 days show; the release has mostly passed
    ahead = 0.5 * (20 * launches._EARLY_FADE ** np.arange(1, 8) + release(0.5, 200, 15)[8:])
    assert means[0] == pytest.approx(ahead, rel=0.05)
    assert rush.mean() > 1.3 * means[0, 0] and (np.diff(means[0]) < 0).all()


def test_a_launch_after_one_day_of_sales_is_already_forecast_net_of_the_release() -> None:
    # the model forecast a dip after a big first day; one day already says most of the rate
    saves = {"LAUNCH": [0] * 20 + [20] * 11, "STEADY": [20] * 31}
    first_day = round(10 + 0.5 * release(0.5, 200, 1)[0])
    units = {"LAUNCH": [0] * 30 + [first_day], "STEADY": [10] * 31}
    means = launches.early_means(panel_of(saves, units), origin=31, horizon=7)
    ahead = 0.5 * (20 * launches._EARLY_FADE ** np.arange(1, 8) + release(0.5, 200, 8)[1:])
    assert means[0] == pytest.approx(ahead, rel=0.05) and np.isnan(means[1]).all()


def test_the_share_of_pre_launch_demand_released_is_learned_from_past_launches() -> None:
    # three launches 30 days apart, each with 200 pre-launch saves, a release of 30% of them,
    # then 0.5 units a save for as long as the data runs; STEADY sells from the data's first day
    saves, units = {"STEADY": [20] * 130}, {"STEADY": [10] * 130}
    for j in range(3):
        first = 10 + 30 * j
        saves[f"L{j}"] = [0] * first + [20] * (130 - first)
        flow = 10 + 0.5 * np.concatenate([release(0.3, 200, 60), np.zeros(60)])
        units[f"L{j}"] = [0] * (first + 10) + np.round(flow[:120 - first]).astype(int).tolist()
    panel = panel_of(saves, units)
    assert launches.pent_share(panel, 130) == pytest.approx(0.3, abs=0.05)
    # a day before the third launch has sold for 4 weeks, only two can teach: the default
    assert launches.pent_share(panel, 107) == launches._DEFAULT_SHARE


def launches_with_notes(rate_by_notes: dict[int, float]) -> features.Panel:
    """Eight launches seen from days 5-33 with 20 saves a day and 10 or 1 posts on their first
    day, each selling `rate_by_notes[posts]` units a save from 10 days later; and two SKUs
    waiting since day 50, one with each number of posts."""
    signals, sales = [], []
    for j in range(10):
        first, notes = (5 + 4 * j, 10 if j % 2 else 1) if j < 8 else (50, 10 if j == 8 else 1)
        for t in range(first, 60):
            signals.append(SignalRow(DAY0 + timedelta(days=t), f"L{j}",
                                     notes if t == first else 0, 0, 20, 0, 0, 0))
        if j < 8:
            sales += [SaleRow(DAY0 + timedelta(days=t), f"L{j}", round(20 * rate_by_notes[notes]))
                      for t in range(first + 10, 60)]
    return features.build_panel(signals, sales, start=DAY0 + timedelta(days=60))


def test_a_launch_whose_debut_drew_more_posts_per_save_is_forecast_as_other_such_launches_sold(
) -> None:
    # launches with ten posts on their first day sold twice as much a save as those with one
    panel = launches_with_notes({10: 1.0, 1: 0.5})
    means = launches.launch_means(panel, origin=panel.days, horizon=7)
    assert means is not None and means[9].sum() > 0
    assert means[8] == pytest.approx(2 * means[9], rel=0.1)
    # L0's signals start on the data's first day: its debut may lie before, so no mix
    mix = launches.signal_mix(panel, panel.days)
    assert np.isnan(mix[0]) and not np.isnan(mix[1:]).any()
    # the same rate whatever the posts: the mix is worth nothing and changes nothing
    panel = launches_with_notes({10: 0.75, 1: 0.75})
    alike = launches.launch_means(panel, origin=panel.days, horizon=7)
    assert alike is not None and alike[8] == pytest.approx(alike[9], rel=1e-9)
