"""The booster on its own bin edges grows the trees scikit-learn grows on the raw values."""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

from inventory import boosting

PARAMS = {"learning_rate": 0.1, "max_iter": 30, "max_leaf_nodes": 15, "min_samples_leaf": 20}


def _data(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = 3000
    x = np.column_stack([
        rng.integers(0, 7, n).astype(float),  # a categorical weekday
        rng.lognormal(0.0, 1.0, n),  # thousands of distinct values: cut at weighted quantiles
        np.round(rng.lognormal(0.0, 1.0, n), 1),  # hundreds, with ties
        rng.integers(0, 5, n).astype(float),  # a handful
        np.full(n, 2.0),  # one value
    ])
    x[rng.random(n) < 0.1, 1] = np.nan
    weight = rng.lognormal(0.0, 1.0, n)
    y = rng.poisson(np.exp(0.3 * np.log(x[:, 2] + 1) + 0.1 * x[:, 0]) * weight) / weight
    return x, y, weight


def test_same_predictions_as_scikit_learn_on_raw_values() -> None:
    for seed in range(3):
        x, y, weight = _data(seed)
        plain = HistGradientBoostingRegressor(
            loss="poisson", early_stopping=False, categorical_features=[0], random_state=seed,
            **PARAMS).fit(x, y, sample_weight=weight)
        ours = boosting.PoissonBooster(categorical=[0], seed=seed, **PARAMS).fit(x, y, weight)
        unseen, _, _ = _data(seed + 100)
        unseen[:, 1] *= 3.0  # beyond the training range too
        np.testing.assert_array_equal(ours.predict(unseen), plain.predict(unseen))


def test_edges_put_each_value_in_the_bin_scikit_learn_documents() -> None:
    column = np.array([1.0, 1.0, 2.0, np.nan, 3.0])
    edges = boosting.weighted_edges(column, np.ones(5))
    np.testing.assert_array_equal(edges, [1.5, 2.5])
    assert len(boosting.weighted_edges(np.array([4.0, 4.0]), np.ones(2))) == 0


def test_a_feature_missing_on_every_row_is_ignored_not_a_crash() -> None:
    x, y, weight = _data(7)
    x[:, 3] = np.nan
    ours = boosting.PoissonBooster(categorical=[0], seed=0, **PARAMS).fit(x, y, weight)
    other = x.copy()
    other[:, 3] = 5.0
    np.testing.assert_array_equal(ours.predict(other), ours.predict(x))
