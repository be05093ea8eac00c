"""The answers printed in the README and in docs/ are the service's own: each example runs
against the default graph (the explorer server's, loaded once per session, as `make run` loads
it) and must answer what is printed, compared as parsed JSON, not as text.

An example is a ```graphql block directly followed by a ```json block (the answer; the
response's `extensions` are compared only when printed), or a ```bash block that POSTs a body
(`-d '...'`) to /graphql with curl and prints the answer on a `# ` line. The README's Python
embedding example runs too and must print its trailing `# ` lines.

Plain sync tests (no Playwright in this module: see conftest.py). Modules run in name order,
so these read the graph before test_review.py accepts a draft into it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from modelatlas.db.connection import Neo4jTarget

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
PAGES = [README, *sorted((REPO / "docs").glob("*.md"))]

_FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)
_CURL_BODY = re.compile(r"-d '([^']*)'")


@dataclass(frozen=True)
class Example:
    where: str
    query: str
    answer: dict[str, Any]


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def examples(page: Path) -> list[Example]:
    """Every (query, printed answer) pair of one Markdown page."""
    text = page.read_text(encoding="utf-8")
    name = page.relative_to(REPO).as_posix()
    fences = list(_FENCE.finditer(text))
    found = []
    for i, fence in enumerate(fences):
        following = fences[i + 1] if i + 1 < len(fences) else None
        where = f"{name}:{_line(text, fence.start())}"
        lang, body = fence[1], fence[2]
        if lang == "graphql":
            if following is None or following[1] != "json":
                continue
            if text[fence.end() : following.start()].strip():
                continue
            found.append(Example(where, body, json.loads(following[2])))
        elif lang == "bash" and "curl" in body and "/graphql" in body:
            sent = _CURL_BODY.search(body)
            printed = [line[2:] for line in body.splitlines() if line.startswith("# {")]
            assert sent and len(printed) == 1, (
                f"{where}: a curl example needs -d '...' and one '# ' answer"
            )
            found.append(Example(where, json.loads(sent[1])["query"], json.loads(printed[0])))
    return found


ALL = [example for page in PAGES for example in examples(page)]


def test_the_readme_shows_its_examples_with_answers() -> None:
    in_readme = [e for e in ALL if e.where.startswith("README.md:")]
    assert len(in_readme) >= 4, "the README's examples were not found (block layout changed?)"


@pytest.mark.parametrize("example", ALL, ids=lambda e: e.where)
def test_the_printed_answer_is_the_services(explorer_server: str, example: Example) -> None:
    response = httpx.post(f"{explorer_server}/graphql", json={"query": example.query}, timeout=30)
    answer = response.json()
    if "extensions" not in example.answer:
        answer.pop("extensions", None)
    assert answer == example.answer, f"{example.where}: the service answers {json.dumps(answer)}"


def _embedding_example() -> tuple[str, list[str]]:
    """The README's KnowledgeGraph example: its code, and the lines it says it prints."""
    text = README.read_text(encoding="utf-8")
    blocks = [m[2] for m in _FENCE.finditer(text) if m[1] == "python"]
    code = next(b for b in blocks if "KnowledgeGraph.connect()" in b).splitlines()
    printed: list[str] = []
    while code and code[-1].startswith("# "):
        printed.insert(0, code.pop()[2:])
    assert printed, "the embedding example shows no output"
    return "\n".join(code) + "\n", printed


def test_the_embedding_example_prints_what_the_readme_says(
    explorer_server: str,
    neo4j: Neo4jTarget,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`explorer_server` is asked for the default graph it loads, not for its HTTP."""
    code, printed = _embedding_example()
    # KnowledgeGraph.connect() reads NEO4J_URI: here, the session's server.
    monkeypatch.setenv("NEO4J_URI", neo4j.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j.password)
    monkeypatch.setenv("NEO4J_DATABASE", neo4j.database)
    exec(compile(code, "README.md (embedding example)", "exec"), {"__name__": "readme_example"})  # noqa: S102
    assert capsys.readouterr().out.splitlines() == printed
