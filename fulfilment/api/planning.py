"""Buyers' planning over HTTP (role `buyer`): signals, forecasts, plans, POs, inbound; the
dock (roles `warehouse` and `buyer`) prints carton labels and receives transfers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlmodel import select

from fulfilment import planning, planning_board, receiving
from fulfilment import planning_documents as documents
from fulfilment.answers import problem_answer
from fulfilment.api.deps import (
    COOKIE,
    ONE_LINE,
    ROW_ID_MAX,
    ApiKeyDep,
    RowId,
    SessionDep,
    page_key,
    require_role,
    signed_in,
)
from fulfilment.api.page_forms import FormProblem, form_id, form_qty, page_form
from fulfilment.localtime import business_day
from inventory import forecast as forecasting
from inventory import money, planning_store
from inventory import purchasing_catalogue as catalogue
from inventory.planning_errors import PlanningError
from inventory.planning_tables import PurchaseOrder

buyer = APIRouter(tags=["planning"], dependencies=[require_role("buyer")])
# the dock's work: warehouse staff print the carton labels and receive the goods
dock = APIRouter(tags=["planning"], dependencies=[require_role("buyer", "warehouse")])
# the board page signs a buyer in itself, as the scan station does: a browser sends no header
router = APIRouter(tags=["planning"])


class SignalsIn(BaseModel):
    """CSV text in the contract's formats; either or both. All-or-nothing, idempotent."""

    # a misspelt key ("sales") was ignored and the answer said 0 rows imported, as if done
    model_config = ConfigDict(extra="forbid")

    signals_csv: str = ""
    sales_csv: str = ""

    @model_validator(mode="after")
    def _a_file(self) -> SignalsIn:
        # a body with no file imports nothing: a client's mistake, not a success
        if not (self.signals_csv or self.sales_csv):
            raise ValueError("give signals_csv or sales_csv (or both): the body holds neither")
        return self


class PlanIn(BaseModel):
    budget: str = Field(description='CNY, e.g. "50000.00"')
    review_days: int = Field(strict=True, default=7, ge=catalogue.MIN_REVIEW_DAYS,
                             le=catalogue.MAX_REVIEW_DAYS)


class LineEdit(BaseModel):
    qty: int | None = Field(strict=True, default=None, ge=0, le=catalogue.MAX_UNITS)
    removed: bool | None = Field(default=None, strict=True)


def _now() -> datetime:
    return datetime.now(UTC)


@buyer.post("/signals")
def post_signals(body: SignalsIn, session: SessionDep) -> dict:
    signals, sales = planning.import_exports(session, signals_csv=body.signals_csv,
                                             sales_csv=body.sales_csv)
    return {"signals": signals, "sales": sales}


@buyer.get("/forecasts")
def get_forecasts(session: SessionDep, sku: str | None = None) -> dict:
    run, days = planning_store.latest_forecast(session)
    return {"run": run.model_dump() if run else None,
            "rows": [{"sku": d.sku_id, "date": d.day.isoformat(), "p10": d.p10, "p50": d.p50,
                      "p90": d.p90} for d in days if sku is None or d.sku_id == sku]}


@buyer.post("/forecasts", status_code=201)
def post_forecast(session: SessionDep,
                  horizon: int = Query(14, ge=1, le=forecasting.MAX_HORIZON)) -> dict:
    run = planning.refresh_forecast(session, now=_now(), horizon=horizon)
    return {"run": run.model_dump()}


def plan_view(session, plan_id: int) -> dict:  # noqa: ANN001
    plan = planning.get_plan(session, plan_id)
    lines = planning_store.plan_lines(session, plan_id)
    # an edit may take the plan over budget; the answer says so, as approval would refuse it
    over, warning = planning.over_budget_fen(plan), planning.over_budget_text(plan)
    return {**plan.model_dump(), "over_budget": over > 0, "over_budget_fen": over,
            "warnings": [warning] if warning else [],
            "lines": [ln.model_dump() for ln in lines]}


@buyer.post("/plans", status_code=201)
def post_plan(body: PlanIn, session: SessionDep) -> dict:
    problems: list[dict] = []
    budget = catalogue.money_fen(body.budget, "budget", problems)
    if problems:
        raise PlanningError("bad budget", problems, code="invalid_budget")
    plan = planning.propose(session, now=_now(), budget_fen=budget, review_days=body.review_days)
    return plan_view(session, plan.id)


@buyer.get("/plans/{plan_id}")
def get_plan(plan_id: RowId, session: SessionDep) -> dict:
    return plan_view(session, plan_id)


@buyer.patch("/plans/{plan_id}/lines/{line_id}")
def patch_line(plan_id: RowId, line_id: RowId, body: LineEdit, session: SessionDep) -> dict:
    planning.update_line(session, plan_id=plan_id, line_id=line_id, qty=body.qty,
                         removed=body.removed)
    return plan_view(session, plan_id)


@buyer.post("/plans/{plan_id}/approve")
def approve(plan_id: RowId, session: SessionDep, key: ApiKeyDep) -> dict:
    ids = planning.approve(session, plan_id=plan_id, now=_now(), actor=key.name)
    return {"plan": plan_view(session, plan_id), "purchase_orders": ids,
            "transfers": receiving.transfer_ids(session, ids)}


@buyer.get("/purchase-orders/{po_id}")
def get_po(po_id: RowId, session: SessionDep) -> dict:
    po, rows = documents.rows(session, po_id)
    return {**po.model_dump(), "lines": [dict(zip(documents.COLUMNS, r, strict=True))
                                         for r in rows],
            "transfers": receiving.transfer_ids(session, [po_id])}


@buyer.get("/purchase-orders/{po_id}/document")
def po_document(po_id: RowId, session: SessionDep,
                format: Literal["pdf", "csv", "xlsx"] = "pdf") -> Response:
    if format == "csv":
        return Response(documents.to_csv(session, po_id), media_type="text/csv")
    if format == "xlsx":
        return Response(documents.to_xlsx(session, po_id), media_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    return Response(documents.to_pdf(session, po_id), media_type="application/pdf")


@buyer.get("/purchase-orders")
def list_pos(session: SessionDep,
             plan_id: Annotated[int | None, Query(ge=1, le=ROW_ID_MAX)] = None) -> list[dict]:
    query = select(PurchaseOrder).order_by(PurchaseOrder.id)
    if plan_id is not None:
        query = query.where(PurchaseOrder.plan_id == plan_id)
    return [po.model_dump() for po in session.exec(query)]


@dock.get("/transfers/{transfer_id}")
def get_transfer(transfer_id: RowId, session: SessionDep) -> dict:
    """The transfer and its cartons (SSCC, SKU, lot, expiry, units): what the dock counts
    against before receiving, and once received what each carton lacked."""
    return receiving.transfer_view(session, transfer_id)


@dock.get("/transfers/{transfer_id}/labels")
def transfer_labels(transfer_id: RowId, session: SessionDep) -> Response:
    """The transfer's carton labels (GS1-128 SSCC), one 100 x 150 mm PDF page per carton."""
    return Response(documents.carton_labels(session, transfer_id), media_type="application/pdf",
                    headers={"Content-Disposition":
                             f'inline; filename="transfer-{transfer_id}-labels.pdf"'})


class CartonFound(BaseModel):
    """What the dock finds in one carton: the units it holds and the lot number and expiry
    read off its goods, each left out where the carton is as shipped and planned."""

    # an unknown field is refused: a misspelt `qty` once received every carton whole
    model_config = ConfigDict(extra="forbid")
    sscc: str = Field(pattern=r"^\d{18}$")
    qty: int | None = Field(default=None, strict=True, ge=0, le=catalogue.MAX_UNITS,
                            description="units received (0: the carton is missing); "
                                        "left out: the carton arrived whole")
    lot: str | None = Field(default=None, min_length=1, max_length=40, pattern=ONE_LINE)
    expiry: date | None = None


class ReceiptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cartons: list[CartonFound] = Field(default_factory=list)

    @field_validator("cartons")
    @classmethod
    def _each_carton_once(cls, cartons: list[CartonFound]) -> list[CartonFound]:
        # two readings of one carton that disagree: which lot is on the shelf is not known
        seen: set[str] = set()
        for carton in cartons:
            if carton.sscc in seen:
                raise ValueError(f"SSCC {carton.sscc} is given more than once")
            seen.add(carton.sscc)
        return cartons


@dock.post("/transfers/{transfer_id}/receive")
def receive(transfer_id: RowId, session: SessionDep, key: ApiKeyDep,
            body: ReceiptIn | None = None) -> dict:
    """Book a transfer's cartons into stock; `cartons` may give each one's units received
    (a carton not named arrived whole; 0: missing) and real lot and expiry (else the planned
    ones: made on the order day). The answer gives each carton's expected, received and
    short units, and the totals."""
    given = body.cartons if body else []
    found = {c.sscc: (c.lot, c.expiry) for c in given}
    counted = {c.sscc: c.qty for c in given if c.qty is not None}
    receiving.receive(session, transfer_id=transfer_id, now=_now(), actor=key.name,
                      found=found, counted=counted)
    view = receiving.transfer_view(session, transfer_id)
    return {"transfer": transfer_id, "received_units": view["received_units"],
            "expected_units": view["expected_units"], "short_units": view["short_units"],
            "cartons": [{"sscc": c["sscc"], "sku": c["sku_id"], "lot": c["lot_no"],
                         "expiry": c["expiry"], "expected_qty": c["qty"],
                         "received_qty": c["received_qty"], "short_qty": c["short_qty"]}
                        for c in view["cartons"]]}


TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "web" / "templates")
TEMPLATES.env.filters["cny"] = money.cny  # money as exact CNY text, never a float


@router.get("/board", response_class=HTMLResponse, include_in_schema=False)
def board_page(request: Request, session: SessionDep, key: str | None = None,
               x_api_key: Annotated[str | None, Header(alias="X-API-Key")] = None) -> Response:
    """The planning board. `?key=` signs a buyer in once (cookie) and redirects to a clean
    URL; without a buyer's key (header or cookie) the page asks for one."""
    if key:
        if page_key(session, key, "buyer") is None:
            return TEMPLATES.TemplateResponse(request, "board_login.html", {
                "error": "that key is not a buyer's key"}, status_code=401)
        return signed_in("/board", key)
    if page_key(session, x_api_key or request.cookies.get(COOKIE), "buyer") is None:
        return TEMPLATES.TemplateResponse(request, "board_login.html", {"error": ""})
    data = planning_board.board(session, today=business_day(_now()))
    return TEMPLATES.TemplateResponse(request, "board.html", data)


# --- The board's own forms: it edits, removes and approves without JavaScript too ----------

def _form_action(session: SessionDep, fields: dict[str, str], actor: str) -> tuple[str, list]:
    """Do what the form asks (one edit or the approval): the message and document links."""
    action = fields.get("action", "")
    if action not in ("edit", "approve"):
        raise FormProblem("bad action", [{"field": "action", "reason":
                                          "must be edit or approve"}], code="invalid_request")
    plan_id = form_id(fields, "plan_id")
    if action == "approve":
        ids = planning.approve(session, plan_id=plan_id, now=_now(), actor=actor)
        links = [(f"/purchase-orders/{po}/document?format={f}", f"PO {po} ({f.upper()})")
                 for po in ids for f in ("pdf", "xlsx")]
        links += [(f"/transfers/{t}/labels", f"carton labels, transfer {t}")
                  for t in receiving.transfer_ids(session, ids)]
        return (f"plan {plan_id} approved: purchase orders "
                f"{', '.join(map(str, ids)) or 'none'}"), links
    line_id = form_id(fields, "line_id")
    qty = form_qty(fields["qty"]) if "qty" in fields else None
    removed = fields.get("removed")
    if removed not in (None, "true", "false"):
        raise FormProblem("bad removed", [{"field": "removed", "reason":
                                           "must be true or false"}], code="invalid_request")
    if qty is None and removed is None:
        raise FormProblem("nothing to do", [{"field": "qty", "reason": "enter a whole number "
                                             "of units (0 to drop the line)"}],
                          code="invalid_quantity")
    line = planning.update_line(session, plan_id=plan_id, line_id=line_id, qty=qty,
                                removed=None if removed is None else removed == "true")
    state = "removed" if line.removed else f"{line.qty} units"
    plan = planning.get_plan(session, plan_id)
    warning = planning.over_budget_text(plan)
    over = f"; over budget: {warning}" if warning else ""
    return f"saved: {line.sku_id} {line.market} to {line.hub}, {state}{over}", []


@router.post("/board", response_class=HTMLResponse, include_in_schema=False)
def board_post(request: Request, session: SessionDep,
               form: Annotated[dict[str, str] | FormProblem, Depends(page_form)],
               x_api_key: Annotated[str | None, Header(alias="X-API-Key")] = None) -> Response:
    """The board's forms without JavaScript (edit a line's qty, remove or restore it, approve):
    the board again with what was done, or with each problem named and nothing changed."""
    key = page_key(session, x_api_key or request.cookies.get(COOKIE), "buyer")
    if key is None:
        return TEMPLATES.TemplateResponse(request, "board_login.html", {
            "error": "sign in with a buyer's key: nothing was changed"}, status_code=401)
    status, message, links, problems = 200, "", [], []
    try:
        if isinstance(form, FormProblem):
            raise form
        with session.begin_nested():  # a refusal leaves nothing of the attempt behind
            message, links = _form_action(session, form, key.name)
    except PlanningError as exc:
        status, body = problem_answer(exc)
        problems = body["detail"]
    data = planning_board.board(session, today=business_day(_now()))
    return TEMPLATES.TemplateResponse(request, "board.html", {
        **data, "message": message, "links": links, "problems": problems}, status_code=status)


router.include_router(buyer)  # last: including copies the routes defined so far
router.include_router(dock)
