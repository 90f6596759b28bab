"""The time limit bounds every step: the model is not built when the time left cannot cover it,
the decomposition stops at its deadline and hands the rest to the greedy rule, HiGHS is not
waited for past the hard deadline, and every fallback says why (log and solution note).

No test here measures time: the steps' estimates and HiGHS are stood in for where it matters;
the figures are measured by the scripts in the report."""

from __future__ import annotations

import json
import logging
import time

import pytest

import routing
from routing import cost as costing
from routing import decompose, highs, solver
from routing import index as indexing
from tests.routing.checker import check
from tests.routing.test_problem import example


def test_a_limit_too_short_for_the_model_gives_the_greedy_answer_without_building_it(
        monkeypatch, caplog):
    def no_model(*args, **kwargs):
        raise AssertionError("the model was built")

    monkeypatch.setattr(solver, "build", no_model)
    data = example()
    with caplog.at_level(logging.WARNING, logger="routing.solver"):
        sol = routing.solve(routing.parse(data), time_limit_s=0.001, workers=1)
    assert sol.status is routing.Status.BASELINE
    assert sol.objective == sol.baseline_objective == 1128.84
    assert sol.note.startswith("time limit 0.001 s too short for the solver")
    assert "greedy answer took" in sol.note
    assert [r.getMessage() for r in caplog.records] == [
        f"wave W-EXAMPLE-1: {sol.note}; greedy answer used"]
    check(data, json.loads(sol.to_json()))


def test_the_note_is_not_part_of_the_contract_json():
    sol = routing.solve(routing.parse(example()), time_limit_s=0.001, workers=1)
    assert sol.note and "note" not in json.loads(sol.to_json())
    assert "note" not in sol.model_dump(mode="json")


def test_building_the_model_stops_at_its_deadline():
    index = indexing.build(routing.parse(example()))
    with pytest.raises(highs.OutOfTime, match="building the model"):
        solver.build(index, deadline=time.perf_counter() - 1)


def test_the_estimate_grows_with_orders_times_warehouses():
    index = indexing.build(routing.parse(example()))
    assert solver.pairs(index) == 4 * 3
    assert solver.model_seconds(index) > solver.model_seconds(index, integer=False)
    assert solver.model_seconds(index) == pytest.approx(
        solver.MODEL_S_MIN + 12 * (solver.MODEL_S_PER_PAIR + solver.MIP_S_PER_PAIR))


def _one_order_sub_waves(index):  # noqa: ANN001, ANN202
    """The decomposition with a sub-wave per order and no whole-model step."""
    return decompose.solve_index(index, [], time_limit_s=10, workers=1, seed=0, chunk=1,
                                 whole=0)


def test_decomposition_stops_at_its_deadline_and_the_rest_get_the_greedy_rule(
        monkeypatch, caplog):
    """Out of time after the first sub-wave: the other orders are served by the greedy rule
    on what is still free, and the answer is feasible and complete."""
    index = indexing.build(routing.parse(example()))
    real = solver.solve_index
    calls = []

    def one_then_out(sub, start, **kw):
        calls.append(len(sub.wave.orders))
        if len(calls) > 1:
            raise highs.OutOfTime("0.00 s left, the model of 1 orders needs about 0.05 s")
        return real(sub, start, **kw)

    monkeypatch.setattr(solver, "solve_index", one_then_out)
    with caplog.at_level(logging.INFO, logger="routing.decompose"):
        picks, status, bound = _one_order_sub_waves(index)
    assert calls == [1, 1, 4]  # the second sub-wave's model given up on; then the whole one
    assert status is routing.Status.FEASIBLE
    assert costing.problems(index, picks) == []
    served = {p.order for p in picks}
    greedy = {p.order for p in routing.greedy.plan(index)}
    assert served >= greedy - {index.wave.orders[0].id}  # the rest were not dropped
    logged = [r.getMessage() for r in caplog.records]
    assert any("1 of 4 sub-waves solved" in m and "greedy for the rest" in m for m in logged)
    assert any("whole model not solved" in m for m in logged)


def test_no_sub_wave_in_time_is_out_of_time_not_a_silent_greedy_answer(monkeypatch):
    index = indexing.build(routing.parse(example()))
    monkeypatch.setattr(solver, "MODEL_S_MIN", 1e6)  # no model fits
    with pytest.raises(highs.OutOfTime, match="a sub-wave of 1 orders needs about"):
        _one_order_sub_waves(index)


def test_a_failed_lp_relaxation_is_logged_and_the_sub_waves_share_by_demand(monkeypatch,
                                                                             caplog):
    """It used to take the whole wave down to the greedy answer, unexplained."""
    def broken(*args, **kwargs):
        raise highs.SolverError("HiGHS failed: HighsStatus: kError [INTERNAL]")

    monkeypatch.setattr(solver, "relax", broken)
    index = indexing.build(routing.parse(example()))
    with caplog.at_level(logging.WARNING, logger="routing.decompose"):
        picks, status, bound = _one_order_sub_waves(index)
    assert costing.problems(index, picks) == [] and picks
    assert any("LP relaxation failed (HiGHS failed: HighsStatus: kError [INTERNAL])"
               in r.getMessage() for r in caplog.records)


def test_a_failed_sub_wave_keeps_its_greedy_answer_and_says_so(monkeypatch, caplog):
    index = indexing.build(routing.parse(example()))
    real = solver.solve_index

    def whole_only(sub, start, **kw):
        if len(sub.wave.orders) < len(index.wave.orders):
            raise highs.SolverError("HiGHS ended NUMERICAL_ERROR without a solution")
        return real(sub, start, **kw)

    monkeypatch.setattr(solver, "solve_index", whole_only)
    with caplog.at_level(logging.WARNING, logger="routing.decompose"):
        picks, status, bound = _one_order_sub_waves(index)
    assert costing.problems(index, picks) == []
    failed = [r for r in caplog.records if "failed (HiGHS ended NUMERICAL_ERROR" in r.getMessage()]
    assert len(failed) == 4


def test_highs_is_not_waited_for_past_the_hard_deadline(monkeypatch):
    """HiGHS can spend 30-40 s in a root step that checks neither its time limit nor the
    interrupter; at the hard deadline the run is given up on and the interrupter fired."""
    from ortools.math_opt.core.python import solver as core

    fired = []

    def stuck(*args):
        interrupter = args[-1]
        for _ in range(500):  # a stand-in for HiGHS's root: ends when interrupted (or 5 s)
            if interrupter.interrupted:
                fired.append(True)
                break
            time.sleep(0.01)
        raise RuntimeError("interrupted")

    monkeypatch.setattr(core, "solve", stuck)
    index = indexing.build(routing.parse(example()))
    proto = highs.to_proto(solver.build(index), integer=True)
    with pytest.raises(highs.Overran, match="still running"):
        highs.run(proto, time_limit_s=30, seed=0, stop_by=time.perf_counter() + 0.05)
    for _ in range(500):
        if fired:
            break
        time.sleep(0.01)
    assert fired == [True]


def test_an_overrun_gives_the_greedy_answer_with_the_reason(monkeypatch):
    def overran(*args, **kwargs):
        raise highs.Overran("HiGHS was still running 21.0 s into a 17.65 s limit at the "
                            "deadline; given up on")

    monkeypatch.setattr(highs, "run", overran)
    sol = routing.solve(routing.parse(example()), time_limit_s=20, workers=1)
    assert sol.status is routing.Status.BASELINE and sol.objective == 1128.84
    assert sol.note == ("solver ran past the time limit of 20 s (HiGHS was still running 21.0 s"
                        " into a 17.65 s limit at the deadline; given up on)")


def test_the_hard_deadline_reaches_every_highs_run(monkeypatch):
    """solve() hands the end of its limit down; no run of HiGHS may be waited for past it."""
    seen = []
    real = highs.run

    def spy(proto, **kw):
        seen.append(kw["stop_by"])
        return real(proto, **kw)

    monkeypatch.setattr(highs, "run", spy)
    started = time.perf_counter()
    routing.solve(routing.parse(example()), time_limit_s=7, workers=1)
    assert seen and all(s is not None and s <= started + 7.01 for s in seen)
    index = indexing.build(routing.parse(example()))
    seen.clear()
    started = time.perf_counter()
    decompose.solve_index(index, [], time_limit_s=5, workers=1, seed=0, chunk=1, whole=0)
    assert len(seen) > 4 and all(s <= started + 5.01 for s in seen)  # LP, sub-waves, whole


def test_the_limit_counts_from_when_the_caller_started_the_clock():
    """The HTTP route starts the clock before it checks the wave: time spent there is spent."""
    sol = routing.solve(routing.parse(example()), time_limit_s=10, workers=1,
                        started=time.perf_counter() - 10)
    assert sol.status is routing.Status.BASELINE
    assert sol.note.startswith("time limit 10 s too short for the solver")
    assert sol.solve_seconds < 10  # the solver's own time, not the caller's


def test_a_sub_wave_given_up_on_keeps_its_greedy_answer_and_the_next_ones_go_on(monkeypatch):
    index = indexing.build(routing.parse(example()))
    real = solver.solve_index
    stops = []

    def second_stuck(sub, start, **kw):
        stops.append(kw["stop_by"])
        if len(stops) == 2:
            raise highs.Overran("HiGHS was still running 3.1 s into a 1.00 s limit at the "
                                "deadline; given up on")
        return real(sub, start, **kw)

    monkeypatch.setattr(solver, "solve_index", second_stuck)
    picks, status, bound = decompose.solve_index(index, [], time_limit_s=30, workers=1, seed=0,
                                                 chunk=1, whole=0)
    assert len(stops) == 5  # four sub-waves (the second given up on), then the whole model
    assert all(s < time.perf_counter() + 30 for s in stops)
    assert stops[0] < stops[-1]  # a sub-wave's own stop comes before the wave's
    assert costing.problems(index, picks) == []
