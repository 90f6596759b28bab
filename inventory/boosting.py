"""A gradient-boosted Poisson model whose feature bins are cut here, in one pass per feature.

scikit-learn cuts each weighted feature at 254 weighted quantiles with one call per quantile,
each re-sorting the column (scikit-learn 1.9): about 8 of the 9 seconds a 46,000-row fit takes.
The same edges computed at once, and each value replaced by its bin number, give the booster
the same bins, so the same trees, several times faster.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

_MAX_BINS = 255  # scikit-learn's default max_bins: values that are not missing
_ALMOST_INF = 1e300  # scikit-learn's cap on an edge: +inf edges only split off missing values
_EPS = np.finfo(np.float64).eps


def weighted_edges(column: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Bin edges of one feature: value v is in bin i when edges[i-1] < v <= edges[i].

    Midpoints between distinct values when there are at most 255 of them, else the weighted
    quantiles at 1/255, ..., 254/255 by the averaged inverted CDF, as scikit-learn cuts them.
    """
    keep = ~np.isnan(column) & (weight != 0)
    values, weight = column[keep], weight[keep]
    order = np.argsort(values)
    values, weight = values[order], weight[order]
    distinct = np.unique(values)
    if len(distinct) <= 1:
        return np.array([])
    if len(distinct) <= _MAX_BINS:
        edges = (distinct[:-1] + distinct[1:]) / 2
    else:
        # scikit-learn sorts the sorted column again (unstably) before summing the weights;
        # doing the same keeps the sums, and so the edges, bit for bit
        again = np.argsort(values)
        values, cdf = values[again], np.cumsum(weight[again])
        ranks = np.linspace(0, 100, num=_MAX_BINS + 1)[1:-1] / 100 * cdf[-1]
        at = np.clip(np.searchsorted(cdf, ranks), 0, len(values) - 1)
        after = np.clip(at + 1, 0, len(values) - 1)
        edges = np.where(cdf[at] - ranks > _EPS, values[at], (values[at] + values[after]) / 2)
        edges = np.unique(edges)
    return np.clip(edges, None, _ALMOST_INF)


class PoissonBooster:
    """`HistGradientBoostingRegressor(loss="poisson")` fitted on bin numbers cut by
    `weighted_edges`; predicts from raw feature rows."""

    def __init__(self, *, categorical: Sequence[int], seed: int, **params: float) -> None:
        self._categorical = list(categorical)
        self._model = HistGradientBoostingRegressor(
            loss="poisson", early_stopping=False, categorical_features=self._categorical or None,
            random_state=seed, max_bins=_MAX_BINS, **params)
        self._edges: dict[int, np.ndarray] = {}
        self._blank: list[int] = []

    def fit(self, x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> PoissonBooster:
        # a feature missing on every row (no signals at all) tells nothing; scikit-learn 1.9
        # fails on it (it looks for the midpoint of no values), so it becomes a constant
        self._blank = [column for column in range(x.shape[1]) if np.isnan(x[:, column]).all()]
        self._edges = {column: weighted_edges(x[:, column], weight)
                       for column in range(x.shape[1])
                       if column not in self._categorical and column not in self._blank}
        self._model.fit(self._binned(x), y, sample_weight=weight)
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self._model.predict(self._binned(x))

    def _binned(self, x: np.ndarray) -> np.ndarray:
        x = np.array(x, dtype=float)
        for column, edges in self._edges.items():
            values = x[:, column]
            x[:, column] = np.where(np.isnan(values), np.nan,
                                    np.searchsorted(edges, values, side="left"))
        x[:, self._blank] = 0.0
        return x
