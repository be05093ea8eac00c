"""Headers: pages carry the strict CSP and friends; static files are cached (vendored ones
forever, the project's own for an hour) and revalidate with 304."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response

from modelatlas.web import STATIC_DIR
from modelatlas.web.headers import (
    CONTENT_SECURITY_POLICY,
    IMMUTABLE,
    REVALIDATED,
    StaticAssets,
    secure_headers,
)

REACT = "/static/vendor/react-18.3.1/react.production.min.js"
BOOT = "/static/graphiql/graphiql-boot.js"


pytestmark = pytest.mark.anyio


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.mount("/static", StaticAssets(directory=STATIC_DIR), name="static")

    @app.get("/page")
    def page() -> Response:
        return secure_headers(HTMLResponse("<!doctype html><title>t</title>"))

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://web") as http:
        yield http


async def test_pages_get_the_strict_policy(client: httpx.AsyncClient) -> None:
    headers = (await client.get("/page")).headers
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert (
        "script-src 'self';" in CONTENT_SECURITY_POLICY and "unsafe" not in CONTENT_SECURITY_POLICY
    )
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"


async def test_vendored_files_are_immutable_and_revalidate(client: httpx.AsyncClient) -> None:
    first = await client.get(REACT)
    assert first.status_code == 200 and first.text.startswith("/**")
    assert "javascript" in first.headers["content-type"]
    assert first.headers["cache-control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert first.headers["x-content-type-options"] == "nosniff"
    assert first.headers["etag"] and first.headers["last-modified"]
    again = await client.get(REACT, headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["cache-control"] == IMMUTABLE


async def test_own_files_are_cached_for_an_hour_and_revalidate(client: httpx.AsyncClient) -> None:
    first = await client.get(BOOT)
    assert first.status_code == 200
    assert first.headers["cache-control"] == REVALIDATED == "public, max-age=3600"
    assert first.headers["x-content-type-options"] == "nosniff"
    again = await client.get(BOOT, headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["cache-control"] == REVALIDATED
    changed = await client.get(BOOT, headers={"if-none-match": '"something-else"'})
    assert changed.status_code == 200


async def test_missing_files_and_escapes_are_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/static/vendor/nothing.js")).status_code == 404
    assert (await client.get("/static/../headers.py")).status_code == 404
