"""The web pages' form posts (the planning board, the scan station), read strictly: a
page's own fields, never a JSON body.

Starlette's form parser would need python-multipart and takes what `int()` takes ("１２",
" 12_0 "); these forms post a handful of short ASCII fields, so they are read by hand and
every fault is a FormProblem naming its field (the page is shown again with it).
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from fastapi import Request

from fulfilment.api.deps import ROW_ID_MAX
from inventory import purchasing_catalogue as catalogue
from inventory.planning_errors import PlanningError

FORM_MAX_BYTES = 64 * 1024  # the pages' forms post a handful of short fields
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: int() would take "１２" or " 12_0 "


class FormProblem(PlanningError):
    """A form field that cannot be taken; the page is shown again naming it. `fields` holds
    the fields read before it (a page's own hidden fields come first: which station)."""

    def __init__(self, message: str, problems: list[dict] | None = None, *,
                 code: str | None = None, fields: dict[str, str] | None = None) -> None:
        super().__init__(message, problems, code=code)
        self.fields = dict(fields or {})


async def page_form(request: Request) -> dict[str, str] | FormProblem:
    """The posted form's fields, or the first problem with it (a body that is not a form, a
    field that is not UTF-8 or holds a NUL, a field given twice). Never raises, so a bad form
    is answered with the page, not the API's JSON."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return FormProblem("not a form", [{"field": "body", "reason":
                                           "send the page's form (application/x-www-form-"
                                           "urlencoded)"}], code="invalid_request")
    body = await request.body()
    if len(body) > FORM_MAX_BYTES:
        return FormProblem("form too large", [{"field": "body", "reason":
                                               f"is over {FORM_MAX_BYTES} bytes"}],
                           code="invalid_request")
    fields: dict[str, str] = {}
    for part in body.split(b"&"):
        if not part:
            continue
        raw_name, _, raw_value = part.partition(b"=")
        try:
            name = _form_text(raw_name)
        except UnicodeDecodeError:
            return FormProblem("bad form", [{"field": "body", "reason":
                                             "a field name is not UTF-8 text"}],
                               code="invalid_request")
        field = name.replace("\x00", "\\x00")  # the answer names it printably
        try:
            value = _form_text(raw_value)
        except UnicodeDecodeError:
            return FormProblem("bad form", [{"field": field, "reason":
                                             "is not UTF-8 text (or holds a lone surrogate)"}],
                               code="invalid_request", fields=fields)
        if "\x00" in name or "\x00" in value:
            return FormProblem("bad form", [{"field": field, "reason":
                                             "holds a NUL character (%00)"}],
                               code="invalid_request", fields=fields)
        if name in fields:
            return FormProblem("bad form", [{"field": field, "reason": "is given twice"}],
                               code="invalid_request", fields=fields)
        fields[name] = value
    return fields


def _form_text(raw: bytes) -> str:
    return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")


def form_id(fields: dict[str, str], name: str) -> int:
    raw = fields.get(name, "").strip()
    if not _DIGITS.fullmatch(raw) or len(raw.lstrip("0")) > 10 or not \
            1 <= int(raw) <= ROW_ID_MAX:
        raise FormProblem(f"bad {name}", [{"field": name, "reason":
                                           f"must be a whole number from 1 to {ROW_ID_MAX}"}],
                          code="invalid_request")
    return int(raw)


def form_qty(raw: str) -> int:
    raw = raw.strip()
    if not _DIGITS.fullmatch(raw):
        raise FormProblem("bad qty", [{"field": "qty", "reason": "enter a whole number of units "
                                       "(0 to drop the line)"}], code="invalid_quantity")
    if len(raw.lstrip("0")) > len(str(catalogue.MAX_UNITS)) or int(raw) > catalogue.MAX_UNITS:
        raise FormProblem("bad qty", [{"field": "qty", "reason":
                                       f"must be at most {catalogue.MAX_UNITS} units"}],
                          code="invalid_quantity")
    return int(raw)
