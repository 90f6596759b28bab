"""Allocation over HTTP: stateless solve for the order service, waves, and explanations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Body, Query

import routing
from fulfilment import waves
from fulfilment.api.deps import RowId, SessionDep, SettingsDep, require_role

router = APIRouter(tags=["allocations"])


@router.post("/allocations/solve", dependencies=[require_role("order-service")])
def post_solve(settings: SettingsDep, problem: dict[str, Any] = Body(
        ..., description="a wave problem of the routing contract"),
        time_limit_s: float | None = Query(None, gt=0, le=300)) -> dict[str, Any]:
    """Solve one wave problem; nothing is stored (the routing contract's solution)."""
    wave = routing.parse(problem)
    solution = routing.solve(wave, time_limit_s=time_limit_s or settings.wave_time_limit_s,
                             workers=2, seed=0)
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
