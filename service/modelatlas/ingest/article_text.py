"""A news article's own text, from plain text or HTML: extraction must not read menus, share
buttons or the author's bio as news, so they are dropped before anything is matched."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Final

import httpcore
import httpx

from modelatlas.errors import InvalidInput

_SKIPPED_TAGS: Final = frozenset(
    {"nav", "header", "footer", "aside", "script", "style", "noscript", "form", "button", "svg"}
)
_BLOCK_TAGS: Final = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "figure",
        "figcaption",
        "tr",
        "table",
        "pre",
    }
)
_VOID_TAGS: Final = frozenset({"br", "img", "hr", "meta", "link", "input", "source", "wbr"})

_BOILERPLATE: Final = re.compile(
    r"^(?:sharing is caring:?|share (?:this|on \w+):?|photo of author|advertisement|"
    r"related(?: posts| articles)?:?|read more:?|subscribe.*|follow us.*|"
    r"leave a (?:comment|reply)|table of contents|skip to (?:main )?content|"
    r"(?:posted|published|updated) (?:on|by) .{0,60}|"
    r"(?:facebook|twitter|x|linkedin|whatsapp|reddit|telegram|pinterest|email)"
    r"(?:\s*[|,/]\s*\w+)*)$",
    re.IGNORECASE,
)
"""Whole lines that are page furniture, never news."""

_BYLINE: Final = re.compile(
    r"^(?i:by|written by|author:?)\s+[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}$"
)
_BIO_START: Final = re.compile(
    r"^(?:hi,? i'?m|hello,? i'?m|i'?m|i am|about the author|[A-Z][\w.'-]+(?: [A-Z][\w.'-]+)? is "
    r"an? (?:\w+ ){0,3}(?:writer|journalist|reporter|editor|blogger|developer|author))",
    re.IGNORECASE,
)
_SECTION_LABEL_WORDS: Final = 2
"""A first line of at most this many words and no full stop is a section label ("Technology")."""


class _TextCollector(HTMLParser):
    """Collects the visible text of an HTML page outside navigation, headers, footers and
    scripts, one line per block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Enter a skipped element or start a new line for a block."""
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        """Leave a skipped element or end a block's line."""
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A self-closed tag (<br/>) never opens a skipped region."""
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        """Keep text outside skipped elements."""
        if not self.skipping:
            self.parts.append(data)


def looks_like_html(raw: str) -> bool:
    """Whether the input is markup rather than plain text (a tag near the start)."""
    head = raw.lstrip()[:2000].lower()
    return head.startswith(("<!doctype", "<html")) or bool(
        re.search(r"<(?:p|div|body|article|h1|h2|span|br)\b", head)
    )


def html_to_text(raw: str) -> str:
    """The visible text of an HTML page, blocks as paragraphs, skipped regions left out."""
    collector = _TextCollector()
    collector.feed(raw)
    collector.close()
    text = "".join(collector.parts)
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, each on one line; a boilerplate line inside a block
    ("Sharing Is Caring:" above the author's name) starts a paragraph of its own."""
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        current: list[str] = []
        for line in block.split("\n"):
            line = " ".join(line.split())
            if not line:
                continue
            if _BOILERPLATE.match(line) or _BYLINE.match(line):
                if current:
                    paragraphs.append(" ".join(current))
                paragraphs.append(line)
                current = []
            else:
                current.append(line)
        if current:
            paragraphs.append(" ".join(current))
    return paragraphs


def clean_text(raw: str) -> str:
    """The article's own paragraphs from plain text or HTML, without boilerplate lines, the
    byline, a leading section label, and everything from the share line or author bio on."""
    text = html_to_text(raw) if looks_like_html(raw) else raw
    paragraphs = _paragraphs(text)
    kept: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        if _BOILERPLATE.match(paragraph):
            if paragraph.lower().startswith("sharing is caring"):
                break  # the share widget ends the article; the author box follows it
            continue
        if _BYLINE.match(paragraph):
            continue
        if _BIO_START.match(paragraph) and index >= len(paragraphs) - 2:
            break
        words = paragraph.split()
        if not kept and len(words) <= _SECTION_LABEL_WORDS and not paragraph.endswith((".", "?")):
            continue  # "Technology" above the headline
        kept.append(paragraph)
    # A lone name after the body (the author box's heading) is not news either.
    while kept and _is_lone_name(kept[-1]):
        kept.pop()
    return "\n\n".join(kept)


def _is_lone_name(paragraph: str) -> bool:
    """A paragraph of two or three capitalised words and nothing else, such as "Arindam Seal"."""
    words = paragraph.split()
    return 2 <= len(words) <= 3 and all(re.fullmatch(r"[A-Z][\w.'-]*", w) for w in words)


MAX_ARTICLE_BYTES: Final = 5 * 1024 * 1024
FETCH_TIMEOUT_S: Final = 30.0
_TEXT_TYPES: Final = ("text/html", "text/plain", "application/xhtml+xml")


class FetchError(InvalidInput):
    """An article URL that gave no page to read: an error status, another type, too large."""


MAX_REDIRECTS: Final = 5


async def _public_address(host: str, port: int) -> str:
    """The address `host` resolves to, refused when any of its addresses is loopback, private,
    link-local or otherwise non-public: a server must not be made to read its own network."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise FetchError(f"{host} could not be resolved: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise FetchError(f"{host} resolves to {address}, a private or local address: refused")
    return str(infos[0][4][0])


async def _check_host(url: httpx.URL, allow_private: bool) -> None:
    """Refuse a URL that is not http(s), or whose host is not public (unless allowed), before
    anything is sent (through a proxy from the environment too)."""
    if url.scheme not in ("http", "https"):
        raise FetchError(f"{url} is not an http(s) URL")
    if not allow_private:
        await _public_address(url.host, url.port or (443 if url.scheme == "https" else 80))


class _PublicNetwork(httpcore.AsyncNetworkBackend):
    """Opens connections only to public addresses, to the very address it checked: a host
    whose DNS answer changes between the check and the connection (DNS rebinding) cannot
    turn a public name into a request to the server's own network."""

    def __init__(self) -> None:
        """Connect through httpcore's own asyncio backend."""
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's backend interface)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve once, refuse a non-public answer, connect to that address (TLS still
        checks the certificate against `host`)."""
        address = await _public_address(host, port)
        return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's backend interface)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refused: a local socket is the server's own machine."""
        raise FetchError("a local socket is not a public address: refused")

    async def sleep(self, seconds: float) -> None:
        """Wait as the inner backend waits."""
        await self._inner.sleep(seconds)


class _PublicTransport(httpx.AsyncHTTPTransport):
    """httpx's transport, its connections opened by :class:`_PublicNetwork`."""

    def __init__(self) -> None:
        """httpx's defaults, with the public-only network backend under its pool (one SSL
        context for both: loading the certificate store is most of a transport's cost)."""
        ssl_context = httpx.create_ssl_context()
        super().__init__(verify=ssl_context)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context, network_backend=_PublicNetwork()
        )


async def fetch_article(
    url: str, *, timeout_s: float = FETCH_TIMEOUT_S, allow_private: bool = True
) -> str:
    """The page at an http(s) URL as text, refused when it is not HTML or plain text, larger
    than MAX_ARTICLE_BYTES, or answered with a non-2xx status. Redirects are followed (at most
    MAX_REDIRECTS), each one checked like the first; without `allow_private` (the service's
    default) a URL or redirect to a non-public address is refused before it is requested, and
    connections are opened only to the public address that was checked."""
    if not re.match(r"https?://", url, re.IGNORECASE):
        raise FetchError(f"{url!r} is not an http(s) URL")
    try:
        target = httpx.URL(url)
        transport = None if allow_private else _PublicTransport()
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s), transport=transport
        ) as client:
            for _ in range(MAX_REDIRECTS + 1):
                await _check_host(target, allow_private)
                request = client.build_request(
                    "GET", target, headers={"accept": "text/html, text/plain"}
                )
                response = await client.send(request, stream=True)
                try:
                    if response.is_redirect:
                        target = target.join(response.headers["location"])
                        continue
                    return await _read_page(str(target), response)
                finally:
                    await response.aclose()
            raise FetchError(f"{url} redirects more than {MAX_REDIRECTS} times")
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise FetchError(f"{url}: {exc}") from exc


async def _read_page(url: str, response: httpx.Response) -> str:
    """The answer's text, refused for an error status, another media type or too many bytes."""
    if not response.is_success:
        raise FetchError(f"{url} answered {response.status_code}")
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and kind not in _TEXT_TYPES:
        raise FetchError(f"{url} is {kind}, not an HTML or text page")
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body.extend(chunk)
        if len(body) > MAX_ARTICLE_BYTES:
            raise FetchError(f"{url} is larger than {MAX_ARTICLE_BYTES} bytes")
    return body.decode(response.encoding or "utf-8", errors="replace")
