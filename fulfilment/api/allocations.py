"""Allocation over HTTP: stateless solve for the order service, waves, and explanations."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Body, Query, Response

import routing
from fulfilment import waves
from fulfilment.api.deps import RowId, SessionDep, SettingsDep, require_role

router = APIRouter(tags=["allocations"])

# The largest wave the stateless solve takes. 20,000 orders is the size benchmarked
# (docs/performance.md) and the wave job's own batch; 20 warehouses is what has been measured
# at 8,000 orders (the platform has 7); the model grows with orders x warehouses x lines. The
# checks run on the decoded body, before the wave is validated or solved.
MAX_ORDERS = 20_000
MAX_WAREHOUSES = 20
MAX_ORDER_LINES = 60_000  # in all orders: 3 per order on average (the benchmark's: 1.8)
MAX_LANES = 20_000  # warehouse x courier x zone: 20 x 10 x 31 is 6,200
LIMITS = {"orders": MAX_ORDERS, "warehouses": MAX_WAREHOUSES, "lanes": MAX_LANES}


def _too_big(problem: dict[str, Any]) -> list[dict]:
    """Each count of the wave past its limit, as the routing errors name problems."""
    out = []
    for name, limit in LIMITS.items():
        items = problem.get(name)
        if isinstance(items, list) and len(items) > limit:
            out.append({"field": name, "reason": f"{len(items):,} {name}: at most {limit:,} "
                                                 f"in one solve"})
    orders = problem.get("orders")
    if isinstance(orders, list):
        lines = sum(len(o["lines"]) for o in orders
                    if isinstance(o, dict) and isinstance(o.get("lines"), list))
        if lines > MAX_ORDER_LINES:
            out.append({"field": "orders[].lines", "reason": f"{lines:,} order lines: at most "
                                                            f"{MAX_ORDER_LINES:,} in one solve"})
    return out


@router.post("/allocations/solve", dependencies=[require_role("order-service")])
def post_solve(settings: SettingsDep, response: Response, problem: dict[str, Any] = Body(
        ..., description="a wave problem of the routing contract; at most 20,000 orders, 20 "
                         "warehouses, 60,000 order lines and 20,000 lanes"),
        time_limit_s: float | None = Query(None, gt=0, le=300)) -> dict[str, Any]:
    """Solve one wave problem; nothing is stored (the routing contract's solution). The time
    limit covers checking and solving the wave (the greedy rule's time included); status
    `baseline` means the greedy answer, and the `X-Allocation-Note` header says why."""
    started = time.perf_counter()
    too_big = _too_big(problem)
    if too_big:
        raise routing.InvalidWave(too_big)
    wave = routing.parse(problem)
    solution = routing.solve(wave, time_limit_s=time_limit_s or settings.wave_time_limit_s,
                             workers=2, seed=0, started=started)
    if solution.note:  # a header holds one line of latin-1
        response.headers["X-Allocation-Note"] = " ".join(
            solution.note.encode("ascii", "replace").decode().split())
    return solution.model_dump(mode="json")


@router.post("/allocations/waves", status_code=201, dependencies=[require_role("warehouse")])
def post_wave(session: SessionDep, settings: SettingsDep,
              hub: str | None = Query(None, max_length=16, description="one warehouse only"),
              time_limit_s: float | None = Query(None, gt=0, le=300)) -> dict[str, Any]:
    """Run a wave now over the reserved, paid orders; parcels are stored with it."""
    row = waves.run_wave(session, now=datetime.now(UTC), hub=hub,
                         time_limit_s=time_limit_s or settings.wave_time_limit_s)
    return waves.view(row)


@router.get("/allocations/waves/{wave_id}",
            dependencies=[require_role("warehouse", "order-service")])
def get_wave(wave_id: RowId, session: SessionDep) -> dict[str, Any]:
    """A wave's status, cost by component, greedy cost, gap and timing."""
    return waves.view(waves.get(session, wave_id))


@router.get("/orders/{order_id}/allocation",
            dependencies=[require_role("order-service", "warehouse")])
def get_order_allocation(order_id: RowId, session: SessionDep) -> dict[str, Any]:
    """Each parcel's cost by component and what the greedy rule would have chosen."""
    return waves.order_allocation(session, order_id)
