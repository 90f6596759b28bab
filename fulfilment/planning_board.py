"""The planning board's data: SKUs ranked by momentum and forecast, each with an SVG chart."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlmodel import Session, select

from fulfilment import planning
from inventory import planning_store
from inventory.planning_tables import PurchasePlan

W, H, PAD = 360, 110, 4


def board(session: Session, *, today: date, history_days: int = 42) -> dict:
    """Charts per SKU (sales, saves, forecast band), ranked; the latest proposed plan."""
    since = today - timedelta(days=history_days)
    sales: dict[str, dict[date, int]] = defaultdict(dict)
    for r in planning.sales_history(session):
        if r.day >= since:
            sales[r.sku][r.day] = r.units
    saves: dict[str, dict[date, int]] = defaultdict(dict)
    for r in planning_store.load_signals(session):
        if r.day >= since:
            saves[r.sku][r.day] = r.saves + r.searches
    run, days = planning_store.latest_forecast(session)
    band: dict[str, list[tuple[date, int, int, int]]] = defaultdict(list)
    for d in days:
        band[d.sku_id].append((d.day, d.p10, d.p50, d.p90))
    skus = set(sales) | set(saves) | set(band)
    cards = []
    for sku in skus:
        recent = sum(v for d, v in saves[sku].items() if d >= today - timedelta(days=7))
        before = sum(v for d, v in saves[sku].items() if d < today - timedelta(days=7)) / 5
        momentum = (recent + 1) / (before + 1)
        ahead = sum(p50 for _, _, p50, _ in band[sku])
        cards.append({"sku": sku, "momentum": round(momentum, 2), "forecast": ahead,
                      "svg": chart(sales[sku], saves[sku], band[sku], since=since)})
    cards.sort(key=lambda c: (-c["momentum"] * (c["forecast"] + 1), c["sku"]))
    plan = session.exec(select(PurchasePlan).where(PurchasePlan.status == "proposed")
                        .order_by(PurchasePlan.id.desc())).first()
    lines = planning_store.plan_lines(session, plan.id) if plan else []
    return {"cards": cards, "plan": plan, "lines": lines, "run": run}


def chart(sales: dict[date, int], intent: dict[date, int],
          band: list[tuple[date, int, int, int]], *, since: date) -> str:
    """Inline SVG: sales bars, intent (saves + searches) line, forecast p10-p90 band and p50."""
    span = (max([d for d, *_ in band], default=since) - since).days + 1
    span = max(span, (max(sales, default=since) - since).days + 1, 2)
    top = max([*sales.values(), *(p90 for *_, p90 in band), 1])
    top_intent = max([*intent.values(), 1])

    def x(d: date) -> float:
        return PAD + (d - since).days * (W - 2 * PAD) / span

    def y(v: float, scale: float = top) -> float:
        return H - PAD - v * (H - 2 * PAD) / scale

    bar = (W - 2 * PAD) / span * 0.8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
             f'viewBox="0 0 {W} {H}" role="img" class="chart">']
    for d, v in sorted(sales.items()):
        parts.append(f'<rect class="sales" x="{x(d):.1f}" y="{y(v):.1f}" width="{bar:.1f}" '
                     f'height="{H - PAD - y(v):.1f}" fill="#7a9cc6"/>')
    if band:
        upper = " ".join(f"{x(d):.1f},{y(p90):.1f}" for d, _, _, p90 in band)
        lower = " ".join(f"{x(d):.1f},{y(p10):.1f}" for d, p10, _, _ in reversed(band))
        parts.append(f'<polygon class="band" points="{upper} {lower}" fill="#f4b183" '
                     f'fill-opacity="0.5"/>')
        mid = " ".join(f"{x(d):.1f},{y(p50):.1f}" for d, _, p50, _ in band)
        parts.append(f'<polyline class="p50" points="{mid}" fill="none" stroke="#c55a11"/>')
    if intent:
        line = " ".join(f"{x(d):.1f},{y(v, top_intent):.1f}" for d, v in sorted(intent.items()))
        parts.append(f'<polyline class="signals" points="{line}" fill="none" stroke="#548235" '
                     f'stroke-dasharray="3 2"/>')
    parts.append("</svg>")
    return "".join(parts)
