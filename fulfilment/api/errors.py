"""Domain exceptions -> HTTP status and a JSON body, in one place. Routers never catch them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException

from fulfilment.answers import problem_answer

log = logging.getLogger("fulfilment.api")


def _field(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out or "body"


async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    # Never echo the input: it may hold an ID number or a phone.
    detail = [{"field": "body" if e.get("type") == "json_invalid"  # loc is a byte offset
               else _field(tuple(e.get("loc", ()))), "reason": e.get("msg", "invalid")}
              for e in exc.errors()]
    return JSONResponse({"error": "invalid_request", "detail": detail}, status_code=422)


async def _domain(_: Request, exc: ValueError) -> JSONResponse:
    if getattr(exc, "problems", None) is None:
        raise exc
    status, body = problem_answer(exc)
    return JSONResponse(body, status_code=status)


async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
    constraint = str(exc.orig).splitlines()[0] if exc.orig else "constraint"
    log.warning("integrity error: %s", constraint)
    return JSONResponse({"error": "conflict", "detail": [
        {"field": "body", "reason": "conflicts with existing data"}]}, status_code=409)


async def _data(_: Request, exc: DataError) -> JSONResponse:
    # a value the database cannot hold (too long, out of range) that no check caught first:
    # the request's fault, and its transaction is rolled back; never echo the value
    log.warning("data error: %s", str(exc.orig).splitlines()[0] if exc.orig else "value")
    return JSONResponse({"error": "invalid_request", "detail": [
        {"field": "body", "reason": "a value does not fit the database (too long or too "
                                    "large)"}]}, status_code=422)


_HTTP_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "body_too_large"}


async def _http(request: Request, exc: HTTPException) -> JSONResponse:
    """Starlette's own refusals (no such route, wrong method) and the key checks, in the same
    shape as every other refusal: the bare `{"detail": "Not Found"}` named nothing."""
    if isinstance(exc.detail, list):
        detail = exc.detail
    elif exc.status_code == 405:
        detail = [{"field": "method", "reason": f"{request.method} is not allowed on this path"}]
    elif exc.status_code == 404:  # the path is not echoed: it may not even be encodable
        detail = [{"field": "path", "reason": "no such route"}]
    else:
        detail = [{"field": "request", "reason": str(exc.detail)}]
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return JSONResponse({"error": code, "detail": detail}, status_code=exc.status_code,
                        headers=getattr(exc, "headers", None))


# What every 4xx answer holds (the handlers above); FastAPI's own 422 schema, {detail: [{loc,
# msg, type}]}, would tell a client generated from /openapi.json to read fields that never come.
PROBLEM_SCHEMA = {
    "title": "Problem", "type": "object", "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "a code, e.g. invalid_request"},
        "detail": {"type": "array", "items": {
            "type": "object", "required": ["field", "reason"],
            "properties": {"field": {"type": "string"}, "reason": {"type": "string"}}}}}}


def _openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """FastAPI's own schema (built once, cached on the app), its 422 body put right."""
    built = app.openapi

    def schema() -> dict[str, Any]:
        fresh = app.openapi_schema is None
        spec = built()
        schemas = spec.get("components", {}).get("schemas", {})
        if fresh and "HTTPValidationError" in schemas:
            schemas["HTTPValidationError"] = PROBLEM_SCHEMA
            schemas.pop("ValidationError", None)
        if fresh:
            _document_refusals(spec)
        return spec

    return schema


_PROBLEM_REF = {"application/json": {
    "schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}


def _document_refusals(spec: dict[str, Any]) -> None:
    """The refusals every route of a kind may answer, in the same problem shape: 401/403 where
    a key is asked for, 404 where the path names a row, 413 where a body is read."""
    for operations in spec.get("paths", {}).values():
        for op in operations.values():
            params = {(p.get("in"), p.get("name")) for p in op.get("parameters", ())}
            answers = op.setdefault("responses", {})
            extra = []
            if ("header", "X-API-Key") in params:
                extra += [("401", "no API key, or one unknown or revoked"),
                          ("403", "a key of a role this route does not serve")]
            if any(where == "path" for where, _ in params):
                extra.append(("404", "nothing has the id or code in the path"))
            if "requestBody" in op:
                extra.append(("413", "a body over FULFILMENT_MAX_BODY_MB"))
            for status, description in extra:
                answers.setdefault(status, {"description": description, "content": _PROBLEM_REF})


def install(app: FastAPI) -> None:
    app.openapi = _openapi(app)  # type: ignore[method-assign]
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(ValueError, _domain)  # type: ignore[arg-type]
    app.add_exception_handler(IntegrityError, _integrity)  # type: ignore[arg-type]
    app.add_exception_handler(DataError, _data)  # type: ignore[arg-type]
