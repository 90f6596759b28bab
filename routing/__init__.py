"""Allocation waves: source orders to warehouses and couriers at the least contract cost."""

from routing import greedy
from routing.cost import Breakdown, Pick
from routing.errors import InvalidSolution, InvalidWave, RoutingError
from routing.problem import Wave, parse
from routing.solution import Cost, Parcel, Solution, Status
from routing.solver import solve

__all__ = [
    "Breakdown", "Cost", "InvalidSolution", "InvalidWave", "Parcel", "Pick", "RoutingError",
    "Solution", "Status", "Wave", "greedy", "parse", "solve",
]
