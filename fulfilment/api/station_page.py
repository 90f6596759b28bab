"""The scan station page: sign-in, the scan box and the parcel being packed.

With JavaScript the page posts each scan to `/station/scan` as JSON and redraws itself; without
it (a script blocked, a locked-down handheld) the scan box is a plain form posted here, and the
page comes back with what the scan did. Both run the same `station` calls and print alike.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlmodel import Session

from fulfilment import station
from fulfilment.api.deps import COOKIE, ONE_LINE, SessionDep, SettingsDep, page_key, signed_in
from fulfilment.api.floor import (
    CODE_MAX,
    STATION_MAX,
    WAREHOUSE_MAX,
    station_answer,
    user_of,
)
from fulfilment.api.page_forms import FormProblem, page_form
from inventory.tables import Warehouse

router = APIRouter(tags=["floor"])
TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "web" / "templates")


def _takes(value: str, longest: int) -> bool:
    """What `ScanIn` takes for a station or warehouse name."""
    return 0 < len(value) <= longest and re.fullmatch(ONE_LINE, value) is not None


def _page(request: Request, context: dict, status: int = 200) -> Response:
    return TEMPLATES.TemplateResponse(request, "station.html", context, status_code=status)


def _unfit(request: Request, session: Session, name: str, warehouse: str) -> Response | None:
    """The sign-in page naming what is wrong with the station's name or warehouse (every
    scan from it would be refused: say so before the first), or None."""
    if not _takes(name, STATION_MAX):
        return _page(request, {"login": True, "station": "", "bad_name": name[:STATION_MAX],
                               "warehouse": "", "error": f"name: a station name is 1 to "
                               f"{STATION_MAX} characters, without control characters"}, 422)
    if warehouse and not _takes(warehouse, WAREHOUSE_MAX):
        return _page(request, {"login": True, "station": name, "warehouse": "",
                               "error": f"warehouse: a warehouse code is 1 to {WAREHOUSE_MAX} "
                                        "characters, without control characters"}, 422)
    if warehouse and session.get(Warehouse, warehouse) is None:
        return _page(request, {"login": True, "station": name, "warehouse": "",
                               "error": f"warehouse: there is no warehouse {warehouse}"}, 422)
    return None


def _station(request: Request, session: Session, name: str, warehouse: str, outcome: dict,
             user: str, status: int = 200) -> Response:
    # a station without a warehouse is offered each, to open only that one's parcels
    choices = [] if warehouse else list(session.execute(
        select(Warehouse.id).order_by(Warehouse.id)).scalars())
    return _page(request, {
        "login": False, "station": name, "user": user, "warehouse": warehouse,
        "outcome": outcome, "choices": [
            (w, "/station?" + urlencode({"name": name, "warehouse": w})) for w in choices]},
                 status)


@router.get("/station", response_class=HTMLResponse, include_in_schema=False)
def station_page(request: Request, session: SessionDep, settings: SettingsDep,
                 key: str | None = None, name: str = "station-1",
                 warehouse: str = "") -> Response:
    """The scan station. `?key=` logs in once (cookie) and redirects to a clean URL;
    `?warehouse=NGB` makes it open only that warehouse's parcels."""
    unfit = _unfit(request, session, name, warehouse)
    if unfit is not None:
        return unfit
    if key:
        if page_key(session, key, "warehouse") is None:
            return _page(request, {"login": True, "error": "that key is not a warehouse key",
                                   "station": name, "warehouse": warehouse}, 401)
        # the name quoted: "a&key=x" or "a#b" must come back as the same station name
        return signed_in("/station?" + urlencode({"name": name, "warehouse": warehouse}
                                                  if warehouse else {"name": name}), key)
    row = page_key(session, request.cookies.get(COOKIE), "warehouse")
    if row is None:
        return _page(request, {"login": True, "error": "", "station": name,
                               "warehouse": warehouse})
    shown = station_answer(session, settings, station.state(session, station=name))
    return _station(request, session, name, warehouse, shown, row.name)


@router.post("/station", response_class=HTMLResponse, include_in_schema=False)
def station_post(request: Request, session: SessionDep, settings: SettingsDep,
                 form: Annotated[dict[str, str] | FormProblem, Depends(page_form)]) -> Response:
    """The scan box without JavaScript: one code (`UNDO`, or the undo button, takes back the
    last item), and the page again with what it did."""
    refused = isinstance(form, FormProblem)
    fields = form.fields if refused else form  # which station, even from a refused form
    problem = form.problems[0] if refused else None
    if "name" not in fields:  # not this page's form: no station to show it on
        problem = problem or {"field": "name", "reason": "is missing"}
        return _page(request, {"login": True, "station": "", "warehouse": "", "bad_name": "",
                               "error": f"{problem['field']}: {problem['reason']}"}, 422)
    name, warehouse = fields["name"], fields.get("warehouse", "")
    unfit = _unfit(request, session, name, warehouse)
    if unfit is not None:
        return unfit
    key = page_key(session, request.cookies.get(COOKIE), "warehouse")
    if key is None:
        return _page(request, {"login": True, "station": name, "warehouse": warehouse,
                               "error": "sign in with a warehouse key: nothing was scanned"}, 401)
    code = fields.get("code", "").strip()
    if problem is None and len(code) > CODE_MAX:
        problem = {"field": "code", "reason": f"is over {CODE_MAX} characters"}
    if problem is not None:  # shown as a refused scan over the parcel still open
        shown = station_answer(session, settings, station.state(session, station=name))
        shown.update(result="refused", message=f"{problem['field']}: {problem['reason']}")
        return _station(request, session, name, warehouse, shown, key.name, 422)
    now, user = datetime.now(UTC), user_of(key)
    if "undo" in fields or code.upper() == "UNDO":
        out = station.undo(session, station=name, user=user, now=now)
    elif code:
        out = station.scan(session, station=name, user=user, code=code, now=now,
                           warehouse=warehouse or None)
    else:
        out = station.state(session, station=name)
    shown = station_answer(session, settings, out)
    return _station(request, session, name, warehouse, shown, key.name)
