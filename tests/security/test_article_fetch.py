"""ingestArticle(url:) cannot be made to read the server's own network: the connection itself
goes only to the public address that was checked, so a DNS answer that changes after the
check (DNS rebinding) reaches nothing private."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from modelatlas.ingest.article_text import FetchError, _PublicTransport, fetch_article
from support import Page, loopback_site

pytestmark = pytest.mark.anyio


def _page(path: str) -> Page:
    return 200, {"Content-Type": "text/html"}, b"<html><body><p>Inside the private network.</p>"


@pytest.fixture
def private_site() -> Iterator[tuple[int, list[str]]]:
    """A loopback web server answering any path with a page; yields its port and the paths
    it was asked for."""
    with loopback_site(_page) as (url, asked):
        yield int(url.rsplit(":", 1)[1]), asked


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_the_connection_is_refused_when_the_name_resolves_privately_at_connect_time(
    private_site: tuple[int, list[str]], host: str
) -> None:
    # No check before the request here: what a rebinding DNS answer would reach after it.
    port, asked = private_site
    async with httpx.AsyncClient(transport=_PublicTransport()) as client:
        with pytest.raises(FetchError, match="a private or local address: refused"):
            await client.get(f"http://{host}:{port}/secret")
    assert asked == [], "nothing was sent to the private address"


async def test_fetch_refuses_a_private_url_and_reads_it_when_allowed(
    private_site: tuple[int, list[str]],
) -> None:
    port, asked = private_site
    with pytest.raises(FetchError, match=r"127\.0\.0\.1, a private or local address: refused"):
        await fetch_article(f"http://127.0.0.1:{port}/a", allow_private=False)
    assert asked == []
    text = await fetch_article(f"http://localhost:{port}/a", allow_private=True)
    assert "Inside the private network." in text
    assert asked == ["/a"]
