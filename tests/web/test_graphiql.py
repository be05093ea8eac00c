"""GraphiQL works offline: in Chromium it renders from the vendored files and runs a query
against the service with no request off loopback and no CSP violation."""

from __future__ import annotations

import httpx
from browsing import BrowserLog, axe_violations, screenshot
from playwright.sync_api import Page, expect

from modelatlas.api.http import GRAPHIQL_POLICY

QUERY = "{ models(first: 3, orderBy: NAME_ASC) { edges { node { slug name } } } }"


def test_graphiql_renders_and_runs_a_query_offline(
    explorer_server: str, page: Page, browser_log: BrowserLog
) -> None:
    expected = httpx.post(f"{explorer_server}/graphql", json={"query": QUERY}).json()
    names = [edge["node"]["name"] for edge in expected["data"]["models"]["edges"]]
    assert len(names) == 3

    response = page.goto(f"{explorer_server}/graphql")
    assert response is not None and response.status == 200
    assert response.headers["content-security-policy"] == GRAPHIQL_POLICY
    editor = page.locator(".graphiql-query-editor .CodeMirror")
    expect(editor).to_be_visible(timeout=15_000)
    editor.evaluate("(node, query) => node.CodeMirror.setValue(query)", QUERY)
    page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    result = page.locator(".result-window")
    for name in names:
        expect(result).to_contain_text(f'"name": "{name}"', timeout=15_000)
    path = screenshot(page, "graphiql.png")
    assert path.stat().st_size > 10_000
    assert not browser_log.problems()


def test_axe_runs_under_the_strict_policy(explorer_server: str, page: Page) -> None:
    page.goto(f"{explorer_server}/graphql")
    expect(page.locator(".graphiql-query-editor .CodeMirror")).to_be_visible(timeout=15_000)
    violations = axe_violations(page, impact_at_least="minor")
    assert isinstance(violations, list)
    assert all({"id", "impact", "help", "targets"} <= set(v) for v in violations)
    assert page.evaluate("() => typeof axe.version") == "string"
