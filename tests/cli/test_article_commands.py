"""`modelatlas ingest article` and `modelatlas review`: the real command against the session's
Neo4j, checked on the rows it leaves there."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelatlas.graph import Graph
from modelatlas.graph.drafts import list_drafts, read_drafts
from modelatlas.knowledge import KnowledgeGraph
from support import CliRunner, Page, loopback_site

pytestmark = pytest.mark.anyio

ARTICLE = Path(__file__).parents[1] / "ingest" / "articles" / "seed-qwen-battle.txt"
URL = "https://flodest.example/alibaba-qwen-2-5-max"


def _ingest(cli: CliRunner, env: dict[str, str]) -> dict[str, object]:
    proc = cli(
        "ingest", "article", str(ARTICLE), "--published-on", "2025-01-29", "--url", URL,
        "--publisher", "Flodest", "--json", env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report: dict[str, object] = json.loads(proc.stdout)
    return report


async def test_ingest_review_accept_and_reject(
    cli: CliRunner, graph: Graph, neo4j_env: dict[str, str]
) -> None:
    assert cli("seed", env=neo4j_env).returncode == 0
    kg = KnowledgeGraph(graph)
    claims_before = {c.id for c in (await kg.claims(first=100)).nodes}

    first = _ingest(cli, neo4j_env)
    assert first["created"] == {"Claim": 3, "MarketEvent": 3, "Organization": 1}
    drafts = await list_drafts(graph, source=URL)
    assert sorted(d.id for d in drafts) == sorted(first["drafts"])  # type: ignore[arg-type]
    assert all(d.status == "PENDING" for d in drafts)
    # Drafts are invisible to the normal questions before acceptance.
    assert {c.id for c in (await kg.claims(first=100)).nodes} == claims_before

    second = _ingest(cli, neo4j_env)
    assert second["created"] == {} and second["existing"] == {"PENDING": 7}
    assert sorted(d.id for d in await list_drafts(graph, source=URL)) == sorted(
        d.id for d in drafts
    )

    by_claim = {
        (json.loads(d.record)["claimedBy"], json.loads(d.record)["subject"]): d
        for d in drafts
        if d.kind == "Claim"
    }
    rejected = by_claim[("bytedance", "doubao-1.5-pro")].id
    proc = cli("review", "reject", rejected, env=neo4j_env)
    assert proc.returncode == 0, proc.stderr
    plain = cli("ingest", "article", str(ARTICLE), "--published-on", "2025-01-29", "--url", URL,
                env=neo4j_env)  # fmt: skip
    assert plain.returncode == 0, plain.stderr
    assert "drafted: nothing" in plain.stdout and "1 already reviewed" in plain.stdout
    assert (await read_drafts(graph, [rejected]))[rejected].status == "REJECTED"

    alibaba = by_claim[("alibaba-cloud", "qwen2.5-max")]
    proc = cli("review", "accept", alibaba.id, env=neo4j_env)
    assert proc.returncode == 0, proc.stderr
    claim_id = json.loads(alibaba.record)["id"]
    claims = {c.id for c in (await kg.claims(first=100)).nodes}
    assert claims == claims_before | {claim_id}
    cited = (await kg.citations("Claim", [claim_id]))[claim_id]
    assert [c.source.url for c in cited] == [URL]

    listed = cli("review", "list", "--status", "pending", "--json", env=neo4j_env)
    assert listed.returncode == 0, listed.stderr
    pending = {row["id"] for row in json.loads(listed.stdout)}
    assert alibaba.id not in pending and rejected not in pending and len(pending) == 5
    table = cli("review", "list", env=neo4j_env)
    assert table.returncode == 0 and "REJECTED" in table.stdout and "ACCEPTED" in table.stdout

    again = cli("review", "accept", alibaba.id, env=neo4j_env)
    assert again.returncode == 2 and "already ACCEPTED" in again.stderr

    other = by_claim[("alibaba", "qwen2.5-max")].id
    bad = cli("review", "edit", other, "--set", "against=[]", env=neo4j_env)
    assert bad.returncode == 2 and "against" in bad.stderr, bad.stderr
    good = cli("review", "edit", other, "--set", "against=[deepseek-v3]", env=neo4j_env)
    assert good.returncode == 0, good.stderr
    edited = (await read_drafts(graph, [other]))[other]
    assert json.loads(edited.record)["against"] == ["deepseek-v3"] and edited.status == "PENDING"


async def test_bad_input_is_refused_with_exit_2(
    cli: CliRunner, graph: Graph, neo4j_env: dict[str, str], tmp_path: Path
) -> None:
    missing = cli("ingest", "article", str(tmp_path / "nope.txt"), env=neo4j_env)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    bad_date = cli("ingest", "article", str(ARTICLE), "--published-on", "29/01/2025",
                   env=neo4j_env)  # fmt: skip
    assert bad_date.returncode == 2 and "--published-on: expected a date" in bad_date.stderr
    future = cli("ingest", "article", str(ARTICLE), "--published-on", "2999-01-01",
                 env=neo4j_env)  # fmt: skip
    assert future.returncode == 2 and "in the future" in future.stderr
    unknown = cli("review", "accept", "0000", env=neo4j_env)
    assert unknown.returncode == 2 and "no draft '0000'" in unknown.stderr
    assert await list_drafts(graph) == []


def _ingest_stdin(text: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`modelatlas ingest article -` with the article on standard input."""
    return subprocess.run(
        [sys.executable, "-m", "modelatlas", "ingest", "article", "-", "--published-on",
         "2025-01-28", "--json"],
        input=text, env={**env, "COLUMNS": "400"}, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip


async def test_stdin_is_an_article(cli: CliRunner, graph: Graph, neo4j_env: dict[str, str]) -> None:
    assert cli("seed", env=neo4j_env).returncode == 0
    proc = _ingest_stdin(
        "Nvidia shares fell 17% on Monday as DeepSeek rattled investors.", neo4j_env
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["source"].startswith("urn:modelatlas:article:")
    assert report["created"] == {"MarketEvent": 1}
    (draft,) = await list_drafts(graph)
    record = json.loads(draft.record)
    assert (record["affected"], record["date"], record["magnitude"]) == (
        ["nvidia"],
        "2025-01-27",
        -17.0,
    )


def _pages(path: str) -> Page:
    """An article as an HTML page, a missing page and an image."""
    paragraphs = ARTICLE.read_text(encoding="utf-8").split("\n\n")
    article = (
        "<html><body><nav>Home</nav><article>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</article><footer>(c)</footer></body></html>"
    )
    if path == "/article":
        return 200, {"content-type": "text/html; charset=utf-8"}, article.encode()
    if path == "/image":
        return 200, {"content-type": "image/png"}, b"PNG"
    return 404, {"content-type": "text/plain"}, b"not found"


@pytest.fixture
def site() -> Iterator[str]:
    with loopback_site(_pages) as (url, _):
        yield url


async def test_an_article_url_is_fetched_and_becomes_the_source(
    cli: CliRunner, graph: Graph, neo4j_env: dict[str, str], site: str
) -> None:
    assert cli("seed", env=neo4j_env).returncode == 0
    page = f"{site}/article"
    proc = cli("ingest", "article", page, "--published-on", "2025-01-29", "--json", env=neo4j_env)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["source"] == page
    assert report["created"] == {"Claim": 3, "MarketEvent": 3, "Organization": 1}
    source = await KnowledgeGraph(graph).source(page)
    assert source is not None and source.title is not None and source.title.startswith("Alibaba")
    for path, message in (("/missing", "answered 404"), ("/image", "image/png")):
        refused = cli("ingest", "article", site + path, env=neo4j_env)
        assert refused.returncode == 2 and message in refused.stderr, refused.stderr
