"""The planning board's data: SKUs ranked by momentum and forecast, each with an SVG chart."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlmodel import Session, select

from fulfilment import planning
from inventory import planning_store
from inventory.planning_tables import PurchasePlan

W, H, PAD = 360, 110, 4


CHARTED = 100  # cards drawn; 2,000 charts made a 9.5 MB page


def board(session: Session, *, today: date, history_days: int = 42) -> dict:
    """Charts per SKU (sales, saves, forecast band), ranked; the latest proposed plan."""
    since = today - timedelta(days=history_days)
    sales: dict[str, dict[date, int]] = defaultdict(dict)
    for r in planning.sales_history(session, since=since):
        sales[r.sku][r.day] = r.units
    saves: dict[str, dict[date, int]] = defaultdict(dict)
    for r in planning_store.load_signals(session, since=since):
        saves[r.sku][r.day] = r.saves + r.searches
    run, days = planning_store.latest_forecast(session)
    band: dict[str, list[tuple[date, int, int, int]]] = defaultdict(list)
    for d in days:
        band[d.sku_id].append((d.day, d.p10, d.p50, d.p90))
    ranked = sorted(((momentum(saves[sku], today=today), sum(p for _, _, p, _ in band[sku]), sku)
                     for sku in set(sales) | set(saves) | set(band)),
                    key=lambda c: (-c[0] * (c[1] + 1), c[2]))
    cards = [{"sku": sku, "momentum": round(m, 2), "forecast": ahead,
              "svg": chart(sales[sku], saves[sku], band[sku], since=since)}
             for m, ahead, sku in ranked[:CHARTED]]
    plan = session.exec(select(PurchasePlan).where(PurchasePlan.status == "proposed")
                        .order_by(PurchasePlan.id.desc())).first()
    lines = planning_store.plan_lines(session, plan.id) if plan else []
    # an edited plan may cost more than its budget: the board warns, as approval would refuse
    over = planning.over_budget_text(plan) if plan else ""
    return {"cards": cards, "more": len(ranked) - len(cards), "plan": plan, "lines": lines,
            "run": run, "over_budget": over}


def momentum(intent: dict[date, int], *, today: date) -> float:
    """The last 7 days' intent against the weekly mean of the days before them that the SKU
    has signals for (+1 each, so a quiet SKU is 1.0). Divided by a fixed five weeks, a SKU
    with two weeks of flat signals ranked 4.7 times one with six."""
    week = today - timedelta(days=7)
    recent = sum(v for d, v in intent.items() if week <= d < today)
    earlier = [d for d in intent if d < week]
    weeks = (week - min(earlier)).days / 7 if earlier else 0.0
    before = sum(intent[d] for d in earlier) / max(weeks, 1.0)
    return (recent + 1) / (before + 1)


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
