"""Refuse request bodies larger than the configured limit before anything reads them whole.

Every route reads its body into memory (JSON, a CSV export inside JSON, a form), so without a
cap one client could exhaust a worker's memory. A declared Content-Length over the limit is
refused unread; a chunked body is read up to the limit and refused as soon as it passes it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from fulfilment.api.text_guard import refuse, replay


def too_large(limit: int) -> dict:
    return {"field": "body", "reason": f"is larger than the limit of {limit:,} bytes"}


class BodyLimit:
    """ASGI middleware answering 413 (the API's error shape) for a body over `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None:
            # the server holds the body to its declared length, so checking the header suffices
            if declared > self.max_bytes:
                await refuse(send, too_large(self.max_bytes), status=413,
                             error="body_too_large")
                return
            await self.app(scope, receive, send)
            return
        if not _chunked(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client left: nothing to answer
                await self.app(scope, replay([], message, receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await refuse(send, too_large(self.max_bytes), status=413,
                             error="body_too_large")
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        await self.app(scope, replay([b"".join(chunks)], None, receive), send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length before we see it
    return None


def _chunked(scope: Scope) -> bool:
    return any(name == b"transfer-encoding" and b"chunked" in value.lower()
               for name, value in scope.get("headers", ()))
