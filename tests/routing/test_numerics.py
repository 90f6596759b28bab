"""What made HiGHS end in `kError [INTERNAL]`, and the answers now: money written with float
noise (the exact scale was 10^15 and the costs 10^18), weights x quantities past HiGHS's range
(matrix entries from 1e15), and HiGHS's own errors, which ortools' error path used to hide."""

from __future__ import annotations

import json
import logging
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import routing
from routing import cost as costing
from routing import decompose, highs, solver
from routing import index as indexing
from tests.routing.checker import check
from tests.routing.test_problem import example
from tests.routing.test_solver import brute_force
from tests.routing.waves import waves

FAST = {"workers": 1, "seed": 0, "time_limit_s": 10.0}


def noisy(data: dict) -> dict:
    """The wave with every price as float arithmetic leaves it, 16 significant digits (12.0 +
    1/3 = 12.333333333333334), like a client that computes prices and does not round them."""
    data = json.loads(json.dumps(data))
    for lane in data["lanes"]:
        lane["first_kg"] += 1 / 3
        lane["extra_kg"] += 1 / 3
    for tax in data.get("unit_tax", []):
        tax["amount"] += 1 / 3
    return data


def test_float_noise_makes_the_exact_scale_enormous():
    index = indexing.build(routing.parse(noisy(example())))
    assert index.prices.scale >= 10**16
    v = solver.build(index)
    assert max(v.cost) > highs.MAX_COST * 1000  # what HiGHS was handed before
    assert highs.unit(v) > 1 and max(v.cost) // highs.unit(v) <= highs.MAX_COST


def test_lp_relaxation_of_noisy_prices_is_solved_not_an_internal_error():
    """Handed over as they were, these costs made HiGHS's dual simplex fail even on 4 orders
    ("excessive dual values": kError [INTERNAL])."""
    index = indexing.build(routing.parse(noisy(example())))
    v = solver.build(index)
    with pytest.raises(highs.SolverError, match="kError"):
        highs.run(highs.to_proto(v, integer=False, cost_unit=1), time_limit_s=10, seed=0)
    lp = solver.relax(index, time_limit_s=10)
    assert lp is not None
    best = brute_force(index.wave)
    assert lp[2] <= best + Fraction(1, 10**6)  # the relaxation bounds the optimum


def test_decomposition_of_noisy_prices_keeps_its_lp_bound():
    index = indexing.build(routing.parse(noisy(example())))
    picks, status, bound = decompose.solve_index(index, [], time_limit_s=10, workers=1, seed=0,
                                                 chunk=1, whole=0)
    assert costing.problems(index, picks) == []
    assert bound is not None and bound <= costing.cost(index, picks).total


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(waves(max_orders=2))
def test_noisy_prices_still_find_the_optimum_and_a_sound_bound(data):
    """Costs rounded down to a coarser unit: the model never overprices, so its bound stays
    a bound; `optimal` only where the bound proves the reported cent."""
    data = noisy(data)
    data["warehouses"] = data["warehouses"][:2]
    for key in ("lanes", "courier_capacity", "stock"):
        data[key] = [x for x in data[key] if x["warehouse"] != "JP"]
    for o in data["orders"]:
        o["lines"] = [dict(line, qty=min(line["qty"], 2)) for line in o["lines"][:2]]
    wave = routing.parse(data)
    sol = routing.solve(wave, **FAST)
    total = check(data, json.loads(sol.to_json()))
    best = brute_force(wave)
    assert sol.status is not routing.Status.BASELINE
    assert total <= best + Fraction(1, 100)  # within the unit's rounding, far below a cent
    assert sol.lower_bound is None or sol.lower_bound <= costing.round_cny(best)


@pytest.mark.parametrize("field,path", [
    ("skus[0].weight_g", ("skus", 0, "weight_g")),
    ("stock[0].qty", ("stock", 0, "qty")),
    ("orders[0].lines[0].qty", ("orders", 0, "lines", 0, "qty")),
])
@pytest.mark.parametrize("value", [2**63, 10**30])
def test_quantities_and_weights_no_wave_means_are_refused(field, path, value):
    """2**63 grams or units (the fuzzer's) used to reach HiGHS as matrix entries past 1e15."""
    data = example()
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(routing.InvalidWave) as err:
        routing.parse(data)
    assert {p["field"] for p in err.value.problems} == {field}
    assert "less than or equal to 1000000000" in err.value.problems[0]["reason"]


def test_the_database_ceiling_itself_is_accepted():
    data = example()
    data["skus"][0]["weight_g"] = routing.problem.MAX_UNITS
    data["stock"][0]["qty"] = routing.problem.MAX_UNITS
    routing.parse(data)


def test_a_model_past_highs_range_gets_the_greedy_answer_with_the_reason(caplog):
    """1,000 t x 10,000,000 units, each within the edge's ceilings: a 10^13 kg parcel in the
    model. Never handed to HiGHS (it answered kError, hidden by ortools' crash): the greedy
    answer, marked, logged, explained."""
    data = example()
    data["skus"][0]["weight_g"] = routing.problem.MAX_UNITS
    for row in data["stock"]:
        row["qty"] = 10_000_000
    for order in data["orders"]:
        for line in order["lines"]:
            line["qty"] = 10_000_000
    with caplog.at_level(logging.WARNING, logger="routing.solver"):
        sol = routing.solve(routing.parse(data), **FAST)
    assert sol.status is routing.Status.BASELINE
    assert sol.objective == sol.baseline_objective
    assert "beyond the 1e+12 HiGHS solves reliably" in sol.note
    assert any(sol.note in r.getMessage() for r in caplog.records)
    check(data, json.loads(sol.to_json()))


def test_highs_own_error_is_reported_not_lost_in_ortools_error_path():
    """A matrix entry of 1e16 makes HiGHS refuse the model (StatusNotOk); ortools 9.15's
    mathopt.solve then crashed with AttributeError: 'StatusNotOk' object has no attribute
    'canonical_code'. Its message now reaches the caller."""
    from ortools.math_opt import model_pb2

    proto = model_pb2.ModelProto()
    proto.variables.ids.append(0)
    proto.variables.lower_bounds.append(0.0)
    proto.variables.upper_bounds.append(1.0)
    proto.variables.integers.append(False)
    proto.linear_constraints.ids.append(0)
    proto.linear_constraints.lower_bounds.append(-float("inf"))
    proto.linear_constraints.upper_bounds.append(1.0)
    proto.linear_constraint_matrix.row_ids.append(0)
    proto.linear_constraint_matrix.column_ids.append(0)
    proto.linear_constraint_matrix.coefficients.append(1e16)
    with pytest.raises(highs.SolverError, match=r"HiGHS failed: .*kError"):
        highs.run(proto, time_limit_s=5, seed=0)


@given(st.lists(st.integers(-10**20, 10**20), min_size=1, max_size=20),
       st.integers(0, 10**22))
def test_costs_in_the_coarser_unit_never_exceed_the_true_ones(costs, constant):
    a = highs.Arrays(scale=1, cost=costs, upper=[1] * len(costs), constant=constant)
    unit = highs.unit(a)
    assert all(abs(c // unit) <= highs.MAX_COST + 1 for c in costs)
    assert all((c // unit) * unit <= c for c in costs) and (constant // unit) * unit <= constant
