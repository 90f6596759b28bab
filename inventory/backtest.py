"""Replay the forecast at several origins and score it against the sales-only baselines.

WAPE = sum |units - forecast| / sum units, pooled over SKUs, days and origins. Baselines: the
mean of the last 28 days and the same weekday of the last observed week. Launches are SKUs
with fewer than `launch_days` days since their first sale at the origin (or none at all);
they are also scored in two parts, those not selling yet and those that have begun to sell,
whose errors have different causes (when the first sale comes; how fast a new seller fades).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from inventory import forecast
from inventory.planning_errors import PlanningError
from inventory.signals import SaleRow, SignalRow

UNCATEGORISED = "uncategorised"  # the group of SKUs the categories do not name


@dataclass
class Scores:
    """Sums behind WAPE for the model and both baselines, and the p10-p90 coverage count."""

    units: float = 0.0
    model: float = 0.0
    mean28: float = 0.0
    last_week: float = 0.0
    inside: int = 0
    cells: int = 0

    def add(self, actual: int, row: forecast.ForecastRow, mean28: float, last_week: int) -> None:
        self.units += actual
        self.model += abs(actual - row.p50)
        self.mean28 += abs(actual - mean28)
        self.last_week += abs(actual - last_week)
        self.inside += row.p10 <= actual <= row.p90
        self.cells += 1

    def ratio(self, baseline: str = "mean28") -> float:
        """Model WAPE over a baseline's (`mean28`, `last_week`); nan where it made no error."""
        base = getattr(self, baseline)
        return self.model / base if base else float("nan")

    def wape(self, which: str = "model") -> float:
        """WAPE of the model or of a baseline (`mean28`, `last_week`); nan without sales."""
        return getattr(self, which) / self.units if self.units else float("nan")

    @property
    def coverage(self) -> float:
        """Share of actual values inside [p10, p90]."""
        return self.inside / self.cells if self.cells else float("nan")


@dataclass
class Report:
    """Scores overall, on launches (and their two parts) and per category, over every origin
    (`categories` is empty when none were given; SKUs they do not name are `UNCATEGORISED`)."""

    origins: list[date]
    horizon: int
    overall: Scores = field(default_factory=Scores)
    launches: Scores = field(default_factory=Scores)
    not_selling: Scores = field(default_factory=Scores)  # launches with no sale before the origin
    new_sellers: Scores = field(default_factory=Scores)  # launches that have begun to sell
    categories: dict[str, Scores] = field(default_factory=lambda: defaultdict(Scores))

    def fixed(self) -> list[tuple[str, Scores]]:
        """The groups every report has, named as `describe` prints them."""
        return [("overall", self.overall), ("launches", self.launches),
                ("- not selling", self.not_selling), ("- new sellers", self.new_sellers)]


def backtest(signals: list[SignalRow], sales: list[SaleRow], *, origins: list[date],
             horizon: int, categories: dict[str, str] | None = None, launch_days: int = 14,
             seed: int = 0, predict: Callable[..., list[forecast.ForecastRow]] | None = None,
             **options: int) -> Report:
    """Forecast at each origin from the rows before it and score the next `horizon` days
    (with `predict`, a stand-in for `forecast.forecast` taking the same arguments: an oracle
    that knows a generated world's true means, scored exactly as the model is)."""
    if not origins:
        raise PlanningError("a backtest needs at least one origin",
                            [{"field": "origins", "reason": "must not be empty"}],
                            code="invalid_backtest")
    units, first_sale = index_sales(sales)
    report = Report(origins=sorted(origins), horizon=horizon)
    for origin in report.origins:
        rows = (predict or forecast.forecast)(signals, sales, start=origin, horizon=horizon,
                                              seed=seed, **options)
        for row in rows:
            actual = units[(row.sku, row.day)]
            back = 7 * ((row.day - origin).days // 7 + 1)
            last_week = units[(row.sku, row.day - timedelta(days=back))]
            groups = [report.overall]
            if categories:  # without any, a category group would only repeat "overall"
                groups.append(report.categories[categories.get(row.sku, UNCATEGORISED)])
            sold = first_sale.get(row.sku)
            if is_launch(sold, origin, launch_days):
                selling = sold is not None and sold < origin
                groups += [report.launches, report.new_sellers if selling else report.not_selling]
            for group in groups:
                group.add(actual, row, mean28(units, row.sku, origin), last_week)
    return report


def index_sales(sales: list[SaleRow]) -> tuple[dict[tuple[str, date], int], dict[str, date]]:
    """Units per (SKU, day), zero where nothing sold, and each SKU's first day with a sale."""
    units: dict[tuple[str, date], int] = defaultdict(int)
    first_sale: dict[str, date] = {}
    for r in sorted(sales, key=lambda r: r.day):
        units[(r.sku, r.day)] += r.units
        if r.units > 0:
            first_sale.setdefault(r.sku, r.day)
    return units, first_sale


def is_launch(first_sale: date | None, origin: date, launch_days: int = 14) -> bool:
    """No sale before `origin`, or the first fewer than `launch_days` days before it."""
    return first_sale is None or first_sale >= origin - timedelta(days=launch_days - 1)


def mean28(units: dict[tuple[str, date], int], sku: str, origin: date) -> float:
    """The 28-day-mean baseline: mean daily units over the 28 days before `origin`."""
    return sum(units[(sku, origin - timedelta(days=k))] for k in range(1, 29)) / 28


def describe(report: Report) -> list[str]:
    """Readable lines: WAPE of the model and baselines, ratio to the 28-day mean, coverage."""
    lines = [f"origins {len(report.origins)} ({report.origins[0]} .. {report.origins[-1]}), "
             f"horizon {report.horizon} days",
             f"{'group':<14}{'units':>9}{'model':>8}{'mean28':>8}{'lastwk':>8}"
             f"{'x mean28':>10}{'p10-p90':>9}"]
    # the categories by name, the SKUs none of them names last
    groups = report.fixed() + sorted(report.categories.items(),
                                     key=lambda item: (item[0] == UNCATEGORISED, item[0]))
    for name, s in groups:
        lines.append(f"{name:<14}{s.units:>9.0f}{s.wape():>8.3f}{s.wape('mean28'):>8.3f}"
                     f"{s.wape('last_week'):>8.3f}{s.ratio():>10.3f}{s.coverage:>9.3f}")
    return lines
