"""Courier hand-over of a cage: wave sheets (`WAVE-<id>`) and parcel codes in, what left and why
the rest did not out. One function for the hand-over endpoint and the station's WAVE scan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from fulfilment import floor, station
from fulfilment.tables import Parcel, Wave

LEFT = ("packed", "shipped")  # a parcel that is past waiting to be packed


@dataclass(frozen=True)
class HandOver:
    shipped: int
    not_shipped: list[dict]  # {"code", "reason"}, in the order the codes came
    waiting: int  # the waves' parcels not packed yet
    refused: list[str]  # why each packed parcel its pick tasks do not cover stayed behind


def not_packed(parcel: Parcel) -> str:
    if parcel.status == "shipped":
        return f"parcel {parcel.id} is already shipped"
    return f"parcel {parcel.id} is {parcel.status}, not packed"


def hand_over(session: Session, codes: list[str], *, now: datetime, actor: str) -> HandOver:
    """Ship the packed parcels of every wave sheet and parcel code given; name each code that
    did not ship, each wave parcel still waiting to be packed and each packed one left behind."""
    waves = [c for c in codes if station.WAVE_CODE.match(c.strip())]
    parcels: list[Parcel] = []
    missed: list[dict] = []
    named: set[int] = set()  # parcels already said not to be packed
    waiting = 0
    for code in waves:  # sheets first: their unpacked parcels are named under their own code
        digits = station.WAVE_CODE.match(code.strip()).group(1)
        wave_id = station.row_id(digits)
        if wave_id is None or session.get(Wave, wave_id) is None:
            missed.append({"code": code, "reason": f"no wave {digits[:20]}"})
            continue
        mine = floor.wave_parcels(session, wave_id=wave_id)
        parcels += mine
        unpacked = [p for p in mine if p.status not in LEFT]
        waiting += len(unpacked)
        missed += [{"code": f"P{p.id}", "reason": not_packed(p)} for p in unpacked]
        named |= {p.id for p in unpacked}
    for code in (c for c in codes if c not in waves):
        try:
            parcel = station.find_parcel(session, code.strip())
        except station.AmbiguousCode as exc:
            missed.append({"code": code, "reason": str(exc)})
            continue
        if parcel is None:
            missed.append({"code": code, "reason": f"no parcel has the code {code!r}"})
        elif parcel.status != "packed":
            if parcel.id not in named:
                missed.append({"code": code, "reason": not_packed(parcel)})
            named.add(parcel.id)
        else:
            parcels.append(parcel)
    shipped = floor.ship(session, parcels, now=now, actor=actor)
    missed += [{"code": f"P{r['parcel_id']}", "reason": r["reason"]} for r in shipped.refused]
    return HandOver(shipped.count, missed, waiting, [r["reason"] for r in shipped.refused])
