"""Helpers for the browser tests: screenshots kept as artifacts and axe accessibility checks
(a plain module, imported as `browsing`, like tests/support.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from playwright.sync_api import Page

WEB_TESTS: Final = Path(__file__).resolve().parent
SCREENSHOTS: Final = WEB_TESTS.parent / "artifacts" / "screenshots"
AXE_JS: Final = next((WEB_TESTS / "vendor").glob("axe-core-*/axe.min.js"))
AXE_PATH: Final = "/__browser-tests__/axe.min.js"
"""Where pages fetch axe from: the `page` fixture answers this path on the page's own origin
with the vendored file, so the strict CSP (script-src 'self') admits it."""
IMPACTS: Final = ("minor", "moderate", "serious", "critical")
LOOPBACK: Final = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def is_loopback(url: str) -> bool:
    """Whether a request stays on this machine (data: and blob: URLs never leave it)."""
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    host = (parts.hostname or "").lower()
    return host in LOOPBACK or host.endswith(".localhost")


@dataclass
class BrowserLog:
    """What a page did that a test must hear about: requests off this machine (aborted) and
    console errors, uncaught exceptions and CSP violations. `allow` excuses expected ones."""

    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def allow(self, fragment: str) -> None:
        """Excuse console errors containing `fragment` (e.g. the 404 a test asks for)."""
        self.allowed.append(fragment)

    def problems(self) -> list[str]:
        """Every non-loopback request and every unexcused error, in order."""
        errors = [e for e in self.errors if not any(a in e for a in self.allowed)]
        return [*(f"request off loopback: {url}" for url in self.blocked), *errors]


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save the page as tests/artifacts/screenshots/<name> (.png added) for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    file = name if name.endswith(".png") else f"{name}.png"
    path = SCREENSHOTS / re.sub(r"[^\w.-]+", "-", file)
    page.screenshot(path=str(path), full_page=full_page)
    return path


def axe_violations(page: Page, impact_at_least: str = "serious") -> list[dict[str, Any]]:
    """The page's axe-core violations of at least that impact (id, impact, help, targets),
    axe loaded from the vendored file through the page's own origin (needs the `page`
    fixture, whose routing serves it)."""
    floor = IMPACTS.index(impact_at_least)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=origin + AXE_PATH)
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        targets: v.nodes.map(n => n.target.join(" "))}))"""
    )
    return [v for v in found if IMPACTS.index(v["impact"] or "minor") >= floor]
