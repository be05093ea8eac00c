"""The browser harness catches what it promises to: requests off loopback are aborted and
recorded, CSP violations and page errors are logged (the `page` fixture fails on them)."""

from __future__ import annotations

from browsing import BrowserLog, axe_violations, is_loopback
from playwright.sync_api import Page


def test_requests_off_loopback_are_aborted_and_recorded(
    explorer_server: str, page: Page, browser_log: BrowserLog
) -> None:
    page.goto(f"{explorer_server}/healthz")  # no CSP here, so the request reaches the router
    failed = page.evaluate(
        "() => fetch('https://cdn.example.com/x.js').then(() => false, () => true)"
    )
    assert failed
    assert browser_log.blocked == ["https://cdn.example.com/x.js"]
    browser_log.blocked.clear()  # expected: the fixture must not fail this test
    browser_log.allow("net::ERR_BLOCKED_BY_CLIENT")


def test_csp_violations_and_page_errors_are_logged(
    explorer_server: str, page: Page, browser_log: BrowserLog
) -> None:
    page.goto(f"{explorer_server}/graphql")
    page.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.injected = true";
            document.head.appendChild(s);
            setTimeout(() => { throw new Error("boom"); }, 0);
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected === undefined")
    assert any("CSP violation: script-src" in e for e in browser_log.errors), browser_log.errors
    assert any("page error: " in e and "boom" in e for e in browser_log.errors)
    assert not browser_log.blocked
    browser_log.allow("CSP violation")
    browser_log.allow("Content Security Policy")
    browser_log.allow("boom")
    assert not browser_log.problems()


def test_axe_reports_violations_with_their_impact(explorer_server: str, page: Page) -> None:
    page.goto(f"{explorer_server}/healthz")
    page.evaluate("() => { document.body.innerHTML = '<img src=data:,>'; }")
    found = axe_violations(page, impact_at_least="critical")
    assert [v["id"] for v in found] == ["image-alt"]
    assert found[0]["impact"] == "critical" and found[0]["targets"] == ["img"]


def test_loopback_is_told_apart() -> None:
    assert is_loopback("http://127.0.0.1:8000/graphql") and is_loopback("http://localhost/x")
    assert is_loopback("data:text/plain,hi") and is_loopback("http://[::1]:80/")
    assert not is_loopback("https://unpkg.com/react") and not is_loopback("http://10.0.0.1/")
