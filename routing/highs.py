"""HiGHS (the release inside ortools) through MathOpt's core: the model's arrays in, values out.

Not `mathopt.solve`: it needs a `mathopt.Model`, so the model was copied from our proto into
Python objects and back (1.2-1.5 s per 300,000 columns, outside any time limit), and in ortools
9.15 its error path crashes on pybind11_abseil's `StatusNotOk` (no `canonical_code`,
google/or-tools#4606), so HiGHS's own message was lost. The core takes the proto as is, and
its `StatusNotOk` is caught here and turned into a `SolverError` that says what HiGHS said.

Numbers: the model's money is exact integers of 1/scale CNY, and the scale is whatever makes
every figure of the wave whole: 100 for prices in fen, but 10^16 for a float such as
12.345678901234567. HiGHS's dual simplex fails on costs that large ("excessive dual values",
kError [INTERNAL]) and rejects matrix entries from 1e15, so costs are handed over in a coarser
`unit`, rounded down (every variable is >= 0, so the model's cost never exceeds the true one
and its bound stays a proven lower bound), and entries past `MAX_ENTRY` are refused up front.

Time: HiGHS is run in a thread and not waited for past the caller's hard deadline (see run).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np

MAX_COST = 10**9  # largest |cost coefficient| handed to HiGHS, in model units
MAX_OFFSET = 10**12  # largest objective constant: objective values stay exact in a double
MAX_ENTRY = 10**12  # largest |matrix entry| or bound: HiGHS refuses 1e15 and is unsteady before


class SolverError(RuntimeError):
    """HiGHS could not be used on this model, or failed on it; the message says why."""


class OutOfTime(SolverError):
    """Too little of the time limit is left for a step: it was not started, or given up on."""


class Overran(OutOfTime):
    """HiGHS was still running at the hard deadline: given up on (it stops at its next check)."""


@dataclass
class Arrays:
    """A MIP as arrays: columns (upper bound, cost), rows (bounds, sparse terms), constant.
    Money is in exact whole units of 1/scale CNY."""

    scale: int
    upper: list[int] = field(default_factory=list)
    cost: list[int] = field(default_factory=list)
    row_lo: list[float] = field(default_factory=list)
    row_hi: list[float] = field(default_factory=list)
    starts: list[int] = field(default_factory=lambda: [0])
    cols: list[int] = field(default_factory=list)
    coefs: list[int] = field(default_factory=list)
    constant: int = 0

    def var(self, most: int) -> int:
        self.upper.append(most)
        self.cost.append(0)
        return len(self.upper) - 1

    def row(self, terms: list, lo: float = -float("inf"), hi: float = float("inf")) -> None:
        """Add lo <= sum(coef * var) <= hi."""
        for var, coef in terms:
            self.cols.append(var)
            self.coefs.append(coef)
        self.starts.append(len(self.cols))
        self.row_lo.append(lo)
        self.row_hi.append(hi)

    def pay(self, var: int, amount: int) -> None:
        self.cost[var] += amount


@dataclass
class Result:
    """What HiGHS ended with, objective figures in model units (times `unit` for 1/scale CNY)."""

    reason: str                   # MathOpt's termination reason: OPTIMAL, TIME_LIMIT, ...
    values: list[float] | None    # the best solution found, None if none
    objective: float | None       # its cost
    dual_bound: float             # proven lower bound (-inf if none)
    unit: int                     # model cost unit, in 1/scale CNY (1: exact)

    @property
    def optimal(self) -> bool:
        return self.reason == "OPTIMAL"


def unit(a: Arrays) -> int:
    """The least power of ten to divide the costs by so HiGHS gets figures it can handle."""
    top = max(max(a.cost, default=0), -min(a.cost, default=0))
    u = 1
    while top // u > MAX_COST or abs(a.constant) // u > MAX_OFFSET:
        u *= 10
    return u


def check_range(a: Arrays) -> None:
    """Refuse a model HiGHS would fail on: huge weights x quantities make huge entries."""
    big = max(max(a.coefs, default=0), -min(a.coefs, default=0), max(a.upper, default=0))
    if big > MAX_ENTRY:
        raise SolverError(f"a model coefficient of {big:.3g} (weights x quantities) is beyond "
                          f"the {MAX_ENTRY:.0e} HiGHS solves reliably")


def to_proto(a: Arrays, *, integer: bool, cost_unit: int = 1):
    """The model as MathOpt's ModelProto; costs divided by `cost_unit`, rounded down."""
    from ortools.math_opt import model_pb2

    check_range(a)
    n, m = len(a.upper), len(a.row_lo)
    proto = model_pb2.ModelProto()
    proto.variables.ids.extend(range(n))
    proto.variables.lower_bounds.extend([0.0] * n)
    proto.variables.upper_bounds.extend(np.asarray(a.upper, dtype=np.float64).tolist())
    proto.variables.integers.extend([integer] * n)
    costs = a.cost if cost_unit == 1 else [c // cost_unit for c in a.cost]
    proto.objective.offset = float(a.constant // cost_unit)
    paid = [j for j, c in enumerate(costs) if c]
    proto.objective.linear_coefficients.ids.extend(paid)
    proto.objective.linear_coefficients.values.extend(float(costs[j]) for j in paid)
    proto.linear_constraints.ids.extend(range(m))
    proto.linear_constraints.lower_bounds.extend(a.row_lo)
    proto.linear_constraints.upper_bounds.extend(a.row_hi)
    # MathOpt wants the entries sorted by row, then column, each (row, column) once: a column
    # can appear twice in a row (a lone courier is its parcel's variable), so merge by sum
    rows = np.repeat(np.arange(m, dtype=np.int64), np.diff(np.asarray(a.starts, dtype=np.int64)))
    cols = np.asarray(a.cols, dtype=np.int64)
    coefs = np.asarray(a.coefs, dtype=np.float64)
    order = np.lexsort((cols, rows))
    rows, cols, coefs = rows[order], cols[order], coefs[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    at = np.flatnonzero(first)
    coefs = np.add.reduceat(coefs, at) if len(at) else coefs
    rows, cols = rows[at], cols[at]
    kept = coefs != 0
    proto.linear_constraint_matrix.row_ids.extend(rows[kept].tolist())
    proto.linear_constraint_matrix.column_ids.extend(cols[kept].tolist())
    proto.linear_constraint_matrix.coefficients.extend(coefs[kept].tolist())
    return proto


def run(proto, *, time_limit_s: float, seed: int, cost_unit: int = 1,
        stop_by: float | None = None) -> Result:
    """HiGHS on the proto: exact optimum (costs are whole), quiet, no MIP start (see the
    solver's docstring). Raises SolverError with HiGHS's message if it fails.

    HiGHS checks its time limit between steps, and a step it does not interrupt can run on past
    it (its presolve and root LP on a large model; with a MIP start, a root step on a 200-order,
    20-warehouse wave: limit 6 s, ended at 32 s; neither the limit nor MathOpt's interrupter
    reaches it). So it runs in a thread (the call releases the GIL) and is waited for only until
    `stop_by` (a time.perf_counter() value; default: the limit, plus as much again, plus 1 s).
    Past it, the interrupter is fired, the run is left to end at HiGHS's next check, and
    Overran is raised.
    """
    from ortools.math_opt import model_parameters_pb2
    from ortools.math_opt.python import mathopt
    from ortools.util.python.solve_interrupter import SolveInterrupter

    limit = max(0.01, time_limit_s)
    params = mathopt.SolveParameters(
        time_limit=timedelta(seconds=limit), random_seed=seed,
        relative_gap_tolerance=0.0, absolute_gap_tolerance=0.5)
    model_params = model_parameters_pb2.ModelSolveParametersProto()
    model_params.variable_values_filter.skip_zero_values = True
    interrupter = SolveInterrupter()
    done: dict = {}
    worker = threading.Thread(target=_solve, name="highs", daemon=True,
                              args=(proto, params.to_proto(), model_params, interrupter, done))
    started = time.perf_counter()
    worker.start()
    worker.join(max(0.0, (stop_by if stop_by is not None else started + 2 * limit + 1.0)
                    - started))
    if worker.is_alive():
        interrupter.interrupt()
        raise Overran(f"HiGHS was still running {time.perf_counter() - started:.1f} s into a "
                      f"{limit:.2f} s limit at the deadline; given up on")
    if "error" in done:
        raise done["error"]
    return _read(done["out"], len(proto.variables.ids), cost_unit)


def solve(a: Arrays, *, integer: bool, seed: int, time_limit_s: float,
          stop_by: float | None = None) -> Result:
    """`run` on the arrays' proto, costs in the coarsest `unit` HiGHS needs (Result.unit)."""
    cost_unit = unit(a)
    return run(to_proto(a, integer=integer, cost_unit=cost_unit), seed=seed,
               time_limit_s=time_limit_s, cost_unit=cost_unit, stop_by=stop_by)


def _solve(proto, params, model_params, interrupter, done: dict) -> None:
    """The worker: MathOpt's core on HiGHS; its answer or its error into `done`."""
    from ortools.math_opt.core.python import solver as core
    from ortools.math_opt.python import callback, init_arguments, mathopt
    from pybind11_abseil.status import StatusNotOk

    try:
        done["out"] = core.solve(proto, mathopt.SolverType.HIGHS.value,
                                 init_arguments.StreamableSolverInitArguments().to_proto(),
                                 params, model_params, None,
                                 callback.CallbackRegistration().to_proto(), None,
                                 interrupter.pybind_interrupter)
    except StatusNotOk as exc:  # e.g. "HighsStatus: kError [INTERNAL]"
        done["error"] = SolverError(f"HiGHS failed: {exc}")
    except Exception as exc:  # noqa: BLE001 - e.g. MemoryError (std::bad_alloc): not lost
        done["error"] = SolverError(f"HiGHS failed: {type(exc).__name__}: {exc}")


def _read(out, n: int, cost_unit: int) -> Result:
    """The SolveResultProto as a Result: the best feasible solution, the bound."""
    from ortools.math_opt import result_pb2, solution_pb2

    reason = result_pb2.TerminationReasonProto.Name(out.termination.reason)
    reason = reason.removeprefix("TERMINATION_REASON_")
    values = objective = None
    for found in out.solutions:  # best first
        primal = found.primal_solution
        if (found.HasField("primal_solution")
                and primal.feasibility_status == solution_pb2.SOLUTION_STATUS_FEASIBLE):
            values = [0.0] * n
            for j, x in zip(primal.variable_values.ids, primal.variable_values.values,
                            strict=True):
                values[j] = x
            objective = primal.objective_value
            break
    return Result(reason=reason, values=values, objective=objective,
                  dual_bound=out.termination.objective_bounds.dual_bound, unit=cost_unit)
