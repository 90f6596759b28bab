"""Refuse JSON bodies holding text that nothing downstream can store or hash.

JSON may spell a lone UTF-16 surrogate (`"\\ud800"`) or a NUL (`"\\u0000"`); Python decodes both
into a `str`, pydantic passes them, and they fail far from the edge: hashing an ID number, the
idempotency digest, PostgreSQL's text columns. One check here, before any route, answers 422
naming the field, and a body that is not UTF-8 gets the same shape instead of Starlette's 400.
"""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_METHODS = {"POST", "PUT", "PATCH"}


def text_problem(value: Any, field: str = "") -> dict | None:
    """The first string (key or value) in a decoded JSON value no store can hold, as a problem
    naming its field the way validation errors do (`lines[0].name`); None when all are fine."""
    if isinstance(value, str):
        return _string_problem(value, field or "body")
    if isinstance(value, list):
        for i, item in enumerate(value):
            if (found := text_problem(item, f"{field}[{i}]" if field else f"[{i}]")) is not None:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{field}.{key}" if field else str(key)
            found = _string_problem(key, name) or text_problem(item, name)
            if found is not None:
                return found
    return None


def _string_problem(text: str, field: str) -> dict | None:
    if "\x00" in text:
        return {"field": _printable(field), "reason": "holds a NUL character (\\u0000)"}
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return {"field": _printable(field),
                "reason": "holds a lone UTF-16 surrogate (\\ud800-\\udfff): not valid Unicode"}
    return None


def _printable(field: str) -> str:
    """The field's name as the answer can carry it: a bad key must not break the answer too."""
    return field.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def body_problem(body: bytes) -> dict | None:
    """Why a JSON body cannot be taken, or None (malformed JSON is left to the route's own
    validation, which names the position)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return {"field": "body", "reason": "is not UTF-8"}
    if "\\u" not in text:  # both faults can only be spelt as \u escapes in valid JSON
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return text_problem(value)


class TextGuard:
    """ASGI middleware: reads a JSON request's body once, answers 422 for `body_problem`, and
    otherwise hands the same bytes on to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (problem := url_problem(scope)) is not None:
            page = scope.get("path") in PAGES  # a person at a browser: a page, not JSON
            await (refuse_page if page else refuse)(send, problem)
            return
        if scope["type"] != "http" or scope["method"] not in _METHODS or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client left: nothing to answer
                await self.app(scope, replay([], message, receive), send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        problem = body_problem(body)
        if problem is not None:
            await refuse(send, problem)
            return
        await self.app(scope, replay([body], None, receive), send)


def url_problem(scope: Scope) -> dict | None:
    """A NUL in the path or a query parameter (`?warehouse=N%00B`): no column holds it either."""
    if "\x00" in scope.get("path", ""):
        return {"field": "path", "reason": "holds a NUL character (%00)"}
    query = scope.get("query_string", b"")
    if b"%00" not in query and b"\x00" not in query:
        return None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True,
                                 encoding="utf-8", errors="replace"):
        if "\x00" in name or "\x00" in value:
            return {"field": _printable(name), "reason": "holds a NUL character (%00)"}
    return None


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            kind = value.split(b";", 1)[0].strip().lower()
            return kind == b"application/json" or kind.endswith(b"+json")
    return False


def replay(bodies: list[bytes], last: Message | None, receive: Receive) -> Receive:
    """A `receive` that gives the app the body already read, then defers to the real one."""
    pending: list[Message] = [{"type": "http.request", "body": b, "more_body": False}
                              for b in bodies] + ([last] if last is not None else [])

    async def next_message() -> Message:
        return pending.pop(0) if pending else await receive()

    return next_message


PAGES = frozenset({"/", "/station", "/board"})  # the web pages people open


async def refuse_page(send: Send, problem: dict) -> None:
    """The refusal as a small HTML page naming the field, for a page's own address."""
    text = html.escape(f"{problem['field']}: {problem['reason']}")
    body = (f'<!doctype html><html lang="en"><meta charset="utf-8"><title>Refused</title>'
            f'<p id="message">{text}</p></html>').encode()
    await send({"type": "http.response.start", "status": 422,
                "headers": [(b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def refuse(send: Send, problem: dict, *, status: int = 422,
                 error: str = "invalid_request") -> None:
    """Answer with the API's error shape (`{error, detail: [{field, reason}]}`)."""
    body = json.dumps({"error": error, "detail": [problem]},
                      ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
