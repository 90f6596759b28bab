"""The solver against the contract: the example's optimum, brute force, random waves checked by
an independent checker, edge cases, and the fallback when the solver fails."""

import itertools
import json
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings

import routing
from routing import cost as costing
from routing import index as indexing
from routing.cost import Pick
from tests.routing.checker import check
from tests.routing.test_problem import EXAMPLE
from tests.routing.waves import lane_mixes, waves

FAST = {"workers": 1, "seed": 0, "time_limit_s": 10.0}


def solved(data: dict) -> tuple[routing.Solution, dict]:
    wave = routing.parse(data)
    sol = routing.solve(wave, **FAST)
    return sol, json.loads(sol.to_json())


def test_example_optimum_is_found():
    sol, raw = solved(json.loads(EXAMPLE.read_text()))
    assert sol.objective == 1128.32
    assert sol.status is routing.Status.OPTIMAL
    assert sol.lower_bound == 1128.32
    assert sol.baseline_objective == 1128.84
    assert str(check(json.loads(EXAMPLE.read_text()), raw)) == "1128.32"
    # one order split across NGB and JP-TYO, one unit unfulfilled
    assert sorted(p.warehouse for p in sol.parcels if p.order == "R1001") == ["JP-TYO", "NGB"]
    assert sum(u.qty for u in sol.unfulfilled) == 1


def test_greedy_on_example_is_the_rule():
    raw = json.loads(routing.greedy.allocate(routing.Wave.from_json(EXAMPLE.read_text()))
                     .to_json())
    assert raw["status"] == "baseline"
    assert str(check(json.loads(EXAMPLE.read_text()), raw)) == "1128.84"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(waves())
def test_random_waves_are_feasible_exact_and_no_worse_than_greedy(data):
    sol, raw = solved(data)
    total = check(data, raw)
    greedy = json.loads(routing.greedy.allocate(routing.parse(data)).to_json())
    assert check(data, greedy) >= total
    assert sol.baseline_objective == greedy["objective"]
    assert sol.status is routing.Status.OPTIMAL


def _options(index, order):
    """Every parcel set one order could get: per warehouse, nothing or a courier and units."""
    need = index.demand(order)
    per_wh = []
    for w in index.pick_cap:
        choices = [None]
        for lane in index.lanes_to.get((w, order.zone), ()):
            for qs in itertools.product(*(range(q + 1) for q in need.values())):
                lines = {s: q for s, q in zip(need, qs, strict=True) if q}
                if lines:
                    choices.append(Pick(order.id, w, lane.courier, lines))
        per_wh.append(choices)
    for combo in itertools.product(*per_wh):
        yield [p for p in combo if p is not None]


def brute_force(wave: routing.Wave) -> Fraction:
    """The exact optimum by enumeration. The cost adds up order by order; only stock and
    capacities tie orders together, so each order's parcel sets are costed once, cheapest
    first, and combinations are checked only while they could still beat the best."""
    index = indexing.build(wave)
    per_order = []
    for order in wave.orders:
        alone = indexing.build(wave.model_copy(update={"orders": [order]}))
        options = [(costing.cost(alone, picks).total, picks) for picks in _options(index, order)
                   if not costing.problems(alone, picks)]
        per_order.append(sorted(options, key=lambda option: option[0]))
    best = None
    for combo in itertools.product(*per_order):
        total = sum((c for c, _ in combo), Fraction(0))
        if best is not None and total >= best:
            continue
        if not costing.problems(index, [p for _, picks in combo for p in picks]):
            best = total
    return best


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(waves(max_orders=2))
def test_small_waves_match_brute_force(data):
    data["warehouses"] = data["warehouses"][:2]
    data["lanes"] = [x for x in data["lanes"] if x["warehouse"] != "JP"]
    data["courier_capacity"] = [x for x in data["courier_capacity"] if x["warehouse"] != "JP"]
    data["stock"] = [x for x in data["stock"] if x["warehouse"] != "JP"]
    for o in data["orders"]:
        o["lines"] = [dict(line, qty=min(line["qty"], 2)) for line in o["lines"][:2]]
    sol, raw = solved(data)
    check(data, raw)
    best = brute_force(routing.parse(data))
    assert sol.objective == costing.round_cny(best)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lane_mixes())
def test_flat_and_per_kg_lanes_match_brute_force(data):
    """Every lane costs first_kg + extra_kg per started kilogram past the first, whatever the
    other lanes from its warehouse charge: the model alone (no greedy start to fall back on)
    finds the optimum, and no bound passes it."""
    wave = routing.parse(data)
    best = brute_force(wave)
    index = indexing.build(wave)
    picks, status, bound = routing.solver.solve_index(index, [], time_limit_s=10, workers=1,
                                                      seed=0)
    assert status is routing.Status.OPTIMAL and costing.cost(index, picks).total == best
    assert bound is None or bound <= best
    sol, raw = solved(data)
    check(data, raw)
    assert sol.objective == costing.round_cny(best) and sol.lower_bound <= sol.objective


def test_flat_rate_lane_carries_heavy_parcels_beside_a_per_kg_lane():
    """Two 3 kg orders: O1 from A by FLAT (10), O2 from B, the only one reaching BJ (9): 19.
    Not 29 by A's per-kg courier; greedy sends O1 to B and leaves O2 unfulfilled (1009)."""
    lane = {"zone": "ZJ", "first_kg": 10.0, "extra_kg": 0, "transit_days": 1}
    data = {
        "wave_id": "W-FLAT",
        "warehouses": [{"id": w, "kind": "bonded", "customs_mode": "1210"} for w in "AB"],
        "couriers": [{"id": "FLAT"}, {"id": "KG"}],
        "lanes": [dict(lane, warehouse="A", courier="FLAT"),
                  dict(lane, warehouse="A", courier="KG", extra_kg=5.0),
                  dict(lane, warehouse="B", courier="FLAT", first_kg=9.0),
                  dict(lane, warehouse="B", courier="FLAT", first_kg=9.0, zone="BJ")],
        "skus": [{"id": "P", "weight_g": 1500}],
        "stock": [{"warehouse": w, "sku": "P", "qty": 2} for w in "AB"],
        "orders": [{"id": "O1", "zone": "ZJ", "days_left": 3, "lines": [{"sku": "P", "qty": 2}]},
                   {"id": "O2", "zone": "BJ", "days_left": 3, "lines": [{"sku": "P", "qty": 2}]}],
        "penalties": {"extra_parcel": 8.0, "late_per_day": 15.0, "unfulfilled_unit": 500.0},
    }
    sol, raw = solved(data)
    assert check(data, raw) == 19
    assert sol.status is routing.Status.OPTIMAL and sol.lower_bound == 19.0
    assert sol.baseline_objective == 1009.0
    assert [(p.warehouse, p.courier) for p in sol.parcels] == [("A", "FLAT"), ("B", "FLAT")]


def base(**changes) -> dict:
    data = json.loads(EXAMPLE.read_text())
    data.update(changes)
    return data


def test_no_stock_anywhere_leaves_everything_unfulfilled():
    data = base(stock=[])
    sol, raw = solved(data)
    assert sol.parcels == [] and check(data, raw) == 10 * 500


def test_no_lane_to_a_province_leaves_its_orders_unfulfilled():
    data = base(lanes=[x for x in base()["lanes"] if x["zone"] != "BJ"])
    sol, raw = solved(data)
    check(data, raw)
    assert not any(p.order in ("R1002", "R1003") for p in sol.parcels)


def test_capacity_zero_is_respected():
    data = base(courier_capacity=[{"warehouse": w, "courier": c, "parcels": 0}
                                  for w in ("NGB", "ZZ", "JP-TYO")
                                  for c in ("SF", "ZTO", "EMS")])
    sol, raw = solved(data)
    assert sol.parcels == [] and check(data, raw) == 10 * 500
    data = base(warehouses=[dict(w, pick_capacity_units=0) for w in base()["warehouses"]])
    sol, raw = solved(data)
    assert sol.parcels == []


def test_order_bigger_than_any_warehouse_is_split_up_to_the_limit():
    data = base(orders=[{"id": "BIG", "zone": "BJ", "days_left": 9,
                         "lines": [{"sku": "SUNSCREEN-50G", "qty": 9}]}])
    sol, raw = solved(data)
    check(data, raw)
    assert {p.warehouse for p in sol.parcels} == {"NGB", "ZZ"}
    assert sol.unfulfilled[0].qty == 2
    data["max_parcels_per_order"] = 1
    sol, raw = solved(data)
    check(data, raw)
    assert len(sol.parcels) == 1 and sol.unfulfilled[0].qty == 4


def test_step_pricing_is_per_started_kilogram():
    lane = routing.problem.Lane(warehouse="W", courier="C", zone="Z", first_kg=10.0,
                                extra_kg=2.5, transit_days=1)
    assert [costing.shipping(lane, g) for g in (0, 1, 1000, 1001, 2000, 2001)] == \
        [10, 10, 10, 12.5, 12.5, 15]


def test_solver_failure_returns_the_greedy_answer_marked_baseline(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(routing.solver, "solve_index", broken)
    sol, raw = solved(json.loads(EXAMPLE.read_text()))
    assert sol.status is routing.Status.BASELINE
    assert sol.objective == sol.baseline_objective == 1128.84
    check(json.loads(EXAMPLE.read_text()), raw)


def test_highs_ending_at_its_limit_without_a_solution_leaves_the_given_answer(monkeypatch):
    """HiGHS gets no MIP start: when it finds nothing by its limit, the caller's answer (the
    greedy one) comes back as feasible with HiGHS's bound, as the start used to; with no answer
    to fall back on, that is a SolverError."""
    from routing import highs

    def nothing_found(a, **kw):
        return highs.Result(reason="NO_SOLUTION_FOUND", values=None, objective=None,
                            dual_bound=float("-inf"), unit=1)

    monkeypatch.setattr(highs, "solve", nothing_found)
    index = indexing.build(routing.parse(json.loads(EXAMPLE.read_text())))
    rule = routing.greedy.plan(index)
    picks, status, bound = routing.solver.solve_index(index, rule, time_limit_s=10, workers=1,
                                                      seed=0)
    assert picks == rule and status is routing.Status.FEASIBLE and bound is None
    with pytest.raises(highs.SolverError, match="NO_SOLUTION_FOUND without a solution"):
        routing.solver.solve_index(index, [], time_limit_s=10, workers=1, seed=0)


def test_highs_stopped_on_an_answer_dearer_than_the_given_one_keeps_the_given_one(monkeypatch):
    """Without a MIP start, HiGHS stopped at its limit may hold an answer dearer than the
    caller's (a sub-wave's greedy one): the caller's stands, marked feasible."""
    from dataclasses import replace

    from routing import highs

    index = indexing.build(routing.parse(json.loads(EXAMPLE.read_text())))
    best, _, _ = routing.solver.solve_index(index, [], time_limit_s=10, workers=1, seed=0)
    dearer = routing.greedy.plan(index)
    assert costing.cost(index, dearer).total > costing.cost(index, best).total
    real = highs.solve
    monkeypatch.setattr(highs, "solve", lambda a, **kw: replace(real(a, **kw),
                                                                reason="TIME_LIMIT"))
    monkeypatch.setattr(routing.solver, "read", lambda index, v, x: dearer)
    picks, status, _ = routing.solver.solve_index(index, best, time_limit_s=10, workers=1,
                                                  seed=0)
    assert picks is best and status is routing.Status.FEASIBLE
    picks, _, _ = routing.solver.solve_index(index, [], time_limit_s=10, workers=1, seed=0)
    assert picks is dearer  # nothing to fall back on: HiGHS's answer it is


@pytest.mark.parametrize("chunk", [1, 2])
def test_decomposed_waves_stay_feasible(chunk):
    from routing import decompose

    wave = routing.parse(base())
    index = indexing.build(wave)
    picks, status, bound = decompose.solve_index(index, [], time_limit_s=5, workers=1, seed=0,
                                                 chunk=chunk, whole=0)
    assert costing.problems(index, picks) == []
    assert bound is not None and bound <= costing.cost(index, picks).total


def test_decomposed_wave_is_then_solved_whole_from_its_answer():
    """Past `whole` orders the sub-waves' answer is followed by the whole wave's model, which,
    given the time, proves the optimum: the answer is not left at a sub-wave split marked
    feasible."""
    from routing import decompose

    index = indexing.build(routing.parse(base()))
    picks, status, bound = decompose.solve_index(index, [], time_limit_s=10, workers=1, seed=0,
                                                 chunk=1, whole=0)
    assert status is routing.Status.OPTIMAL
    assert costing.round_cny(costing.cost(index, picks).total) == 1128.32
    assert bound is not None and bound <= costing.cost(index, picks).total


def test_decomposition_answer_stands_when_the_whole_model_fails(monkeypatch):
    from routing import decompose

    index = indexing.build(routing.parse(base()))
    real = routing.solver.solve_index

    def sub_waves_only(sub, start, **options):
        if len(sub.wave.orders) == len(index.wave.orders):
            raise RuntimeError("HiGHS ended without a solution")
        return real(sub, start, **options)

    monkeypatch.setattr(routing.solver, "solve_index", sub_waves_only)
    picks, status, bound = decompose.solve_index(index, [], time_limit_s=10, workers=1, seed=0,
                                                 chunk=1, whole=0)
    assert status is routing.Status.FEASIBLE and costing.problems(index, picks) == []
    assert picks and bound is not None and bound <= costing.cost(index, picks).total


def test_the_solver_needs_no_highspy():
    """HiGHS comes from ortools via MathOpt: with highspy unimportable the example is still
    solved to its optimum (a crash in HiGHS would kill the child)."""
    import subprocess
    import sys

    code = ("import sys, json; sys.modules['highspy'] = None\n"
            "import routing\n"
            f"sol = routing.solve(routing.parse(json.loads(open({str(EXAMPLE)!r}).read())),"
            " time_limit_s=20, workers=1)\n"
            "print(sol.status.value, sol.objective)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["optimal", "1128.32"]


def test_very_large_waves_go_through_blocks_and_stay_feasible(monkeypatch):
    from routing import decompose

    monkeypatch.setattr(decompose, "BLOCK", 2)  # 4 orders -> 2 blocks of 2
    wave = routing.parse(base())
    index = indexing.build(wave)
    picks, status, bound = decompose.solve_index(index, [], time_limit_s=5, workers=1, seed=0,
                                                 chunk=1, whole=0)
    assert costing.problems(index, picks) == []
    assert status is routing.Status.FEASIBLE and bound is None
    assert costing.cost(index, picks).total <= costing.cost(index, routing.greedy.plan(index)).total


def test_a_bound_cut_short_below_zero_is_reported_as_zero(monkeypatch):
    """Every cost is >= 0: a negative bound from a search stopped early proves less than 0."""
    from routing import decompose

    real = decompose.solve_index

    def cut_short(index, baseline, **kw):
        picks, _, _ = real(index, baseline, **kw)
        return picks, routing.Status.FEASIBLE, -42359.33

    monkeypatch.setattr(decompose, "solve_index", cut_short)
    sol, raw = solved(json.loads(EXAMPLE.read_text()))
    assert sol.status is routing.Status.FEASIBLE and raw["lower_bound"] == 0
