"""ingestArticle(url:) cannot be made to read the server's own network: the connection itself
goes only to the public address that was checked, so a DNS answer that changes after the
check (DNS rebinding) reaches nothing private."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from modelatlas.ingest.article_text import FetchError, _PublicTransport, fetch_article

pytestmark = pytest.mark.anyio


@pytest.fixture
def loopback_site() -> Iterator[tuple[int, list[str]]]:
    """A loopback web server answering any path with a page; yields its port and the paths
    it was asked for."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            body = b"<html><body><p>Inside the private network.</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], asked
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_the_connection_is_refused_when_the_name_resolves_privately_at_connect_time(
    loopback_site: tuple[int, list[str]], host: str
) -> None:
    # No check before the request here: what a rebinding DNS answer would reach after it.
    port, asked = loopback_site
    async with httpx.AsyncClient(transport=_PublicTransport()) as client:
        with pytest.raises(FetchError, match="a private or local address: refused"):
            await client.get(f"http://{host}:{port}/secret")
    assert asked == [], "nothing was sent to the private address"


async def test_fetch_refuses_a_private_url_and_reads_it_when_allowed(
    loopback_site: tuple[int, list[str]],
) -> None:
    port, asked = loopback_site
    with pytest.raises(FetchError, match=r"127\.0\.0\.1, a private or local address: refused"):
        await fetch_article(f"http://127.0.0.1:{port}/a", allow_private=False)
    assert asked == []
    text = await fetch_article(f"http://localhost:{port}/a", allow_private=True)
    assert "Inside the private network." in text
    assert asked == ["/a"]
