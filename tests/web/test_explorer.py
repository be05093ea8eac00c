"""The explorer as a person uses it, in headless Chromium over the default graph: search,
click through model -> organization -> benchmark -> claim, change the leaderboard date, expand
a graph node, go back; every page screenshotted and checked with axe-core.

Plain sync tests (Playwright's sync API); the `page` fixture fails a test on any request off
loopback, console error, page error or CSP violation.
"""

from __future__ import annotations

import re

import pytest
from browsing import BrowserLog, axe_violations, screenshot
from playwright.sync_api import Browser, Page, expect

PAGES = {
    "home": "/",
    "search": "/search?q=llama",
    "model": "/models/llama-2-7b",
    "organization": "/organizations/alibaba",
    "benchmark": "/benchmarks/gpqa-diamond",
    "claims": "/claims?verdict=CONTESTED",
    "claim": "/claims/qwen2.5-max-outperforms-deepseek-v3-gpqa-diamond",
    "graph": "/graph?node=organization:deepseek",
    "path": "/path?source=organization:moonshot-ai&target=organization:nvidia",
}


def test_search_model_organization_benchmark_claim(explorer_server: str, page: Page) -> None:
    page.goto(explorer_server + "/")
    page.get_by_label("Search models, organizations, benchmarks").fill("Qwen2.5-Max")
    suggestion = page.locator("#suggestions a", has_text="Qwen2.5-Max").first
    expect(suggestion).to_be_visible()
    suggestion.click()

    expect(page).to_have_url(re.compile(r"/models/qwen2\.5-max$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Qwen2.5-Max")
    expect(page.locator("table.claims").first).to_contain_text("GPT-4o")
    page.locator(".facts a[data-kind=Organization]", has_text="Alibaba Cloud").first.click()

    expect(page).to_have_url(re.compile(r"/organizations/alibaba-cloud$"))
    expect(page.locator("ol.timeline li").first).to_be_visible()
    assert page.locator("ol.timeline li[data-what=Release]").count() >= 1
    page.locator("table.claims a[data-kind=Benchmark]", has_text=re.compile("GPQA")).first.click()

    expect(page).to_have_url(re.compile(r"/benchmarks/gpqa-diamond$"))
    leader_today = page.locator("table.leaderboard tbody tr td:nth-child(2)").first.inner_text()
    points = page.locator("svg.chart.line circle.point")
    assert points.count() >= 2
    scores = [float(s) for s in points.evaluate_all("ps => ps.map(p => p.dataset.score)")]
    assert scores == sorted(scores)  # a record only improves
    page.get_by_label("Leaderboard as of").fill("2025-02-01")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"as_of=2025-02-01"))
    expect(page.get_by_role("heading", name="Leaderboard as of 2025-02-01")).to_be_visible()
    measured = page.locator("table.leaderboard tbody tr td:nth-child(4)").all_inner_texts()
    assert measured and all(day and day <= "2025-02-01" for day in measured)
    leader_then = page.locator("table.leaderboard tbody tr td:nth-child(2)").first.inner_text()
    assert leader_then != leader_today

    page.go_back()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/organizations/alibaba-cloud$"))
    page.locator("table.claims a[href^='claims/']").first.click()
    expect(page).to_have_url(re.compile(r"/claims/[^/]+$"))
    expect(page.locator(".statement")).not_to_be_empty()
    expect(page.locator(".facts .verdict")).to_have_text(
        re.compile("^(supported|contested|unverified)$")
    )
    expect(page.locator("table.evidence tbody tr").first).to_be_visible()


def test_a_graph_node_expands_when_clicked(explorer_server: str, page: Page) -> None:
    page.goto(explorer_server + "/graph?node=model:deepseek-r1")
    box = page.locator("#graph")
    expect(box).to_have_attribute("data-nodes", re.compile(r"^\d+$"))
    before = int(box.get_attribute("data-nodes") or 0)
    assert before >= 3
    # click the developer's node where cytoscape drew it
    x, y = page.evaluate(
        """() => { const cy = window.modelAtlasGraph;
                   const n = cy.getElementById('organization:deepseek');
                   const p = n.renderedPosition(); return [p.x, p.y]; }"""
    )
    bounds = box.bounding_box()
    assert bounds is not None
    page.mouse.click(bounds["x"] + x, bounds["y"] + y)
    expect(box).to_have_attribute("data-expanded", re.compile("organization:deepseek"))
    after = int(box.get_attribute("data-nodes") or 0)
    assert after > before, (before, after)
    kinds = page.evaluate(
        "() => [...new Set(window.modelAtlasGraph.nodes().map(n => n.data('kind')))].sort()"
    )
    assert {"Model", "Organization"} <= set(kinds)
    edge_labels = page.evaluate("() => window.modelAtlasGraph.edges().map(e => e.data('label'))")
    assert "DEVELOPED" in edge_labels


def test_the_model_chart_sets_self_reported_beside_independent(
    explorer_server: str, page: Page
) -> None:
    page.goto(explorer_server + "/models/llama-2-7b")
    own = page.locator("svg.chart.bars rect.bar.self[data-score]")
    other = page.locator("svg.chart.bars rect.bar.independent[data-score]")
    assert own.count() >= 3 and other.count() >= 3
    table = page.locator("table.results tbody tr")
    assert table.count() >= max(own.count(), other.count())


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_page_renders_accessibly(explorer_server: str, page: Page, name: str) -> None:
    response = page.goto(explorer_server + PAGES[name])
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("main h1")).not_to_be_empty()
    if name in ("graph", "path"):
        expect(page.locator("#graph")).to_have_attribute("data-nodes", re.compile(r"^[1-9]"))
    path = screenshot(page, f"explorer-{name}.png")
    assert path.stat().st_size > 5_000
    violations = axe_violations(page, impact_at_least="serious")
    assert violations == [], violations


def test_keyboard_reaches_the_suggestions(explorer_server: str, page: Page) -> None:
    page.goto(explorer_server + "/")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand link ...
    search = page.get_by_label("Search models, organizations, benchmarks")
    search.focus()
    search.type("deepseek")
    expect(page.locator("#suggestions a").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("() => document.activeElement.closest('#suggestions') !== null")
    assert focused
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/(models|organizations)/"))


def test_not_found_and_bad_input_are_pages(
    explorer_server: str, page: Page, browser_log: BrowserLog
) -> None:
    browser_log.allow("404")
    browser_log.allow("400")
    missing = page.goto(explorer_server + "/models/no-such-model")
    assert missing is not None and missing.status == 404
    expect(page.locator("main h1")).to_have_text("Not found")
    bad = page.goto(explorer_server + "/benchmarks/gpqa-diamond?as_of=tomorrow")
    assert bad is not None and bad.status == 400
    expect(page.locator(".error")).to_contain_text("is not a date")
    screenshot(page, "explorer-400.png")


def test_pages_read_without_javascript(explorer_server: str, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(explorer_server + "/models/qwen2.5-max")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Qwen2.5-Max")
        expect(page.locator("table.claims").first).to_contain_text("GPT-4o")
        page.goto(explorer_server + "/graph?node=model:qwen2.5-max")
        assert page.locator("table.neighbours tbody tr").count() >= 3
    finally:
        context.close()
