"""Reviewing an ingested article's drafts in Chromium: key, list, accept, and the fact answers."""

from __future__ import annotations

from pathlib import Path

import httpx
from browsing import axe_violations, screenshot
from playwright.sync_api import Page, expect

from conftest import EDITOR_KEY

ARTICLE = Path(__file__).parents[1] / "ingest" / "articles" / "seed-qwen-battle.txt"
URL = "https://flodest.example/review-in-the-browser"
INGEST = """mutation($text: String!, $url: String) {
  ingestArticle(text: $text, publishedOn: "2025-01-29", url: $url) { drafts { id kind } } }"""


def test_an_editor_accepts_a_draft_on_the_review_page(explorer_server: str, page: Page) -> None:
    answer = httpx.post(
        f"{explorer_server}/graphql",
        json={"query": INGEST, "variables": {"text": ARTICLE.read_text(), "url": URL}},
        headers={"authorization": f"Bearer {EDITOR_KEY}"},
        timeout=60,
    ).json()
    drafts = answer["data"]["ingestArticle"]["drafts"]
    assert any(d["kind"] == "Claim" for d in drafts)

    page.goto(explorer_server + "/")
    page.get_by_role("link", name="Review").click()
    page.get_by_label("Editor API key").fill(EDITOR_KEY)
    page.get_by_role("button", name="Show drafts").click()
    rows = page.locator("table.drafts tbody tr[data-draft]")
    expect(rows.first).to_be_visible()
    before = rows.count()
    assert before >= 5
    assert axe_violations(page, impact_at_least="serious") == []
    screenshot(page, "explorer-review.png")

    claim_row = page.locator("table.drafts tbody tr[data-draft]", has_text="Claim").first
    accepted = claim_row.get_attribute("data-draft")
    claim_row.get_by_role("button", name="Accept").click()
    expect(page.locator(".message")).to_contain_text("accepted")
    assert page.locator(f'tr[data-draft="{accepted}"]').count() == 0
    assert rows.count() < before
