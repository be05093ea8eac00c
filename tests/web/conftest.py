"""Browser tests: the real service on a loopback port over the seeded session Neo4j, driven
by Debian's headless Chromium through Playwright's sync API.

While Playwright's sync API is started it marks its event loop as running in this thread, so
no asyncio code (anyio tests, asyncio.run) can run until it stops. Playwright and the browser
are therefore module-scoped: a module using `page` must hold only plain sync tests; put async
(anyio) tests in modules of their own, which then run after Playwright has stopped.
Tests here must not use the `graph` fixture: it empties the database the server reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from browsing import AXE_JS, AXE_PATH, BrowserLog, is_loopback
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Route, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from pydantic import SecretStr

from modelatlas.api import create_app
from modelatlas.api.auth import Role, new_key
from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, make_driver
from modelatlas.graph import Graph
from modelatlas.graph.admin import clear_data
from modelatlas.ingest.default_graph import load_default_graph, measure_provenance
from modelatlas.knowledge import KnowledgeGraph

EDITOR_KEY, EDITOR_ENTRY = new_key(Role.EDITOR)
"""The explorer server's one API key (editor), for tests that write or review."""

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's chromium package (`make browser` installs it); Playwright downloads no browser."""

CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (e) =>
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`));
"""
"""Runs before any page script (Playwright injects it, the page's CSP does not apply), so a
CSP violation becomes a console error the `page` fixture fails on."""


def _seed(target: Neo4jTarget, settings: Settings) -> None:
    """Empty the database and load the default graph (curated seed and the shipped snapshot of
    public data, then who measured what, derived claims and verdicts), as `make run` does."""

    async def work() -> None:
        driver = make_driver(target, settings)
        try:
            graph = Graph(driver, target.database)
            await clear_data(graph)
            kg = KnowledgeGraph(graph)
            await load_default_graph(kg, force=True)
            await measure_provenance(kg)  # as `modelatlas load` does after the imports
        finally:
            await driver.close()

    asyncio.run(work())


@pytest.fixture(scope="session")
def explorer_server(neo4j: Neo4jTarget, test_settings: Settings) -> Iterator[str]:
    """The whole service (create_app, development mode, GraphiQL on) under uvicorn on a free
    loopback port over the session Neo4j, freshly loaded with the default graph; yields its
    base URL."""
    _seed(neo4j, test_settings)
    settings = test_settings.model_copy(
        update={
            "neo4j_uri": neo4j.uri,
            "neo4j_user": neo4j.user,
            "neo4j_password": SecretStr(neo4j.password),
            "neo4j_database": neo4j.database,
            "api_keys": [EDITOR_ENTRY],
        }
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings), log_level="warning", lifespan="on", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="explorer-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the service did not start under uvicorn")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Playwright's sync API for one module (stopped after it, so later async tests can run)."""
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless Debian Chromium, shared by a module's tests (each gets its own context)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (or apt-get install chromium)")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def browser_log() -> BrowserLog:
    """The current test's BrowserLog (the `page` fixture fills it and fails on it)."""
    return BrowserLog()


@pytest.fixture
def page(browser: Browser, browser_log: BrowserLog) -> Iterator[Page]:
    """A fresh page whose every request is routed: loopback goes on, anything else is aborted
    and recorded; the test fails at teardown on any such request or logged error."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")

    def route(route: Route) -> None:
        url = route.request.url
        if not is_loopback(url):
            browser_log.blocked.append(url)
            route.abort("blockedbyclient")
        elif url.split("?")[0].endswith(AXE_PATH):
            route.fulfill(path=AXE_JS, content_type="text/javascript; charset=utf-8")
        else:
            route.continue_()

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            browser_log.errors.append(f"console error: {message.text} ({message.location})")

    context.route("**/*", route)
    context.route_web_socket(
        lambda url: not is_loopback(url),
        lambda ws: (browser_log.blocked.append(ws.url), ws.close()),
    )
    context.add_init_script(CSP_REPORTER)
    page = context.new_page()
    page.on("console", console)
    page.on("pageerror", lambda exc: browser_log.errors.append(f"page error: {exc}"))
    try:
        yield page
    finally:
        with contextlib.suppress(PlaywrightError):  # the browser may have gone already
            context.close()
    problems = browser_log.problems()
    if problems:
        pytest.fail("the page misbehaved:\n  " + "\n  ".join(problems))
