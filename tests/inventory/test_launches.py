"""Launches: start odds from other launches' waits, tilted by a waiting SKU's own intent."""

from __future__ import annotations

import numpy as np
import pytest

from inventory import features, launches


def test_start_odds_follow_how_long_other_skus_waited_before_their_first_sale() -> None:
    # four SKUs sold 6, 8, 10 and 12 days after their first signal; one has waited 7 days so far
    first_signal = np.array([1, 1, 1, 1, 14, 1])
    first_sale = np.array([7, 9, 11, 13, features.NEVER, 4])
    odds = launches.start_odds(first_signal, first_sale, origin=21, horizon=6)
    assert (odds[:4] == 1.0).all() and (odds[5] == 1.0).all()  # already selling
    # it has waited 7 days, so gaps 8, 10 and 12 remain (days 22, 24, 26): one in three each
    assert odds[4].tolist() == pytest.approx([0.0, 1 / 3, 1 / 3, 2 / 3, 2 / 3, 1.0])


def test_skus_seen_from_the_first_day_of_data_do_not_count_as_launches_that_sold_at_once() -> None:
    # six SKUs were there when the data begins and sold on its first days; four launches each
    # waited 10 days; one launch has waited 2 days
    first_signal = np.array([0] * 6 + [10, 12, 14, 16, 30])
    first_sale = np.array([1, 1, 2, 1, 3, 1, 20, 22, 24, 26, features.NEVER])
    odds = launches.start_odds(first_signal, first_sale, origin=32, horizon=10)
    assert odds[10].tolist() == [0.0] * 8 + [1.0, 1.0]  # its tenth day of waiting is day 40


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
