"""A landing page pointing people to the API docs and the two web pages."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["health"])

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Cross-border fulfilment</title>
<style>body{font:16px system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem}
a{display:block;margin:.6rem 0;font-size:1.2rem}</style></head><body>
<h1>Cross-border fulfilment</h1>
<p>Order intake, allocation waves, customs clearance, the warehouse floor and buyers' planning.</p>
<a href="/docs">API documentation (OpenAPI)</a>
<a href="/station">Scan station (warehouse staff)</a>
<a href="/board">Planning board (buyers' team)</a>
<p>Every API route but <code>/health</code> needs an <code>X-API-Key</code>; the pages ask for
one once and keep it in a cookie.</p></body></html>"""


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home() -> str:
    return _PAGE
