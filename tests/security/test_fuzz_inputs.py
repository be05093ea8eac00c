"""Hostile input into every read argument: Cypher fragments, quotes, backticks, braces, unicode,
null bytes and very long strings in every string argument and filter, arbitrary numbers and
dates in the numeric and date ones. Each answer is data or a typed error (never a 500 or an
INTERNAL_SERVER_ERROR, never a Neo4j message), and reads leave the graph exactly as it was."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from modelatlas.api import create_app
from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, make_driver
from modelatlas.graph import Graph
from modelatlas.graph.admin import Fingerprint, clear_data, fingerprint
from modelatlas.ingest import load_yaml_files
from modelatlas.knowledge import KnowledgeGraph
from modelatlas.resources import resource_dir

pytestmark = pytest.mark.anyio

FUZZ = settings(
    max_examples=3,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Strings an attacker (or a careless client) sends: Cypher and Lucene syntax, GraphQL and JSON
# delimiters, encodings, control characters and sizes no key ever has.
FRAGMENTS = [
    "' OR 1=1 //",
    '" OR ""="',
    "x' }) MATCH (n) DETACH DELETE n //",
    'x"}) WITH 1 AS x MATCH (n) DETACH DELETE n RETURN 1 AS slug //',
    "') RETURN 1 UNION MATCH (n) RETURN n //",
    "gpt-4o` SET n.pwned = true //",
    "`",
    "``",
    "{",
    "}",
    "{}",
    "$s",
    "${s}",
    "CALL db.labels()",
    "CALL apoc.cypher.runWrite('MATCH (n) DETACH DELETE n', {})",
    "LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l",
    ";",
    "\\",
    "\\'",
    "\\u0000",
    "\x00",
    "a\x00b",
    "\u202e\u200b\ufeff",
    "\U0001d518\U0001d52b\U0001d526",
    "😀" * 50,
    "%00%27",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "*",
    "?",
    "~",
    "text:* AND NOT x",
    "(" * 300,
    '"' * 300,
    "\n\r\t",
    "   ",
    "",
    "model:",
    "model:gpt-4o:extra",
    "organization:' OR 1=1 //",
    "urn:",
    "urn:x:\x00",
    "http://",
    "https://EXAMPLE.org/\x00",
    "Z" * 100_000,
]

TEXT = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(max_size=60),
    st.builds(lambda a, b: a + b, st.sampled_from(FRAGMENTS), st.text(max_size=20)),
    # utf-8 codec: no lone surrogates, which no JSON client can put on the wire as UTF-8
    st.builds(lambda c, n: c * n, st.characters(codec="utf-8"), st.integers(1_000, 20_000)),
)

# Every string and ID argument and filter of the read API, each fed through `$s`.
STRING_TARGETS: list[tuple[str, str]] = [
    ("ID", "model(slug: $s) { slug name }"),
    ("ID", "organization(slug: $s) { slug }"),
    ("ID", "benchmark(slug: $s) { slug }"),
    ("ID", "release(slug: $s) { slug }"),
    ("ID", "claim(id: $s) { id }"),
    ("ID", "result(id: $s) { id }"),
    ("ID", "marketEvent(id: $s) { id }"),
    ("ID", "country(code: $s) { code }"),
    ("ID", "source(url: $s) { url }"),
    ("String", "search(text: $s) { kind key score }"),
    ("String", "search(text: $s, kinds: [MODEL, COUNTRY], first: 5) { key }"),
    ("ID", "modelsClaimedToBeat(model: $s) { totalCount edges { node { statement } } }"),
    ("ID", 'modelsClaimedToBeat(model: "gpt-4o", benchmark: $s) { totalCount }'),
    (
        "ID",
        'modelsClaimedToBeat(model: "gpt-4o", claimant: $s, includeVariants: true) { totalCount }',
    ),
    ("String", 'modelsClaimedToBeat(model: "gpt-4o", after: $s) { totalCount }'),
    ("ID", "eventsAfterRelease(model: $s) { totalCount }"),
    ("String", 'eventsAfterRelease(model: "deepseek-r1", after: $s) { totalCount }'),
    ("ID", 'path(from: $s, to: "organization:nvidia") { hops }'),
    ("ID", 'path(from: "model:deepseek-r1", to: $s) { hops }'),
    ("ID", "timeline(slug: $s) { totalCount }"),
    ("String", 'timeline(slug: "openai", after: $s) { totalCount }'),
    ("ID", "leaderboard(benchmark: $s) { totalCount }"),
    ("String", 'leaderboard(benchmark: "arena-hard", after: $s) { totalCount }'),
    ("ID", "contestedClaims(benchmark: $s) { totalCount }"),
    ("ID", "contestedClaims(model: $s) { totalCount }"),
    ("ID", "contestedClaims(claimant: $s) { totalCount }"),
    ("String", "contestedClaims(after: $s) { totalCount }"),
    ("String", "models(after: $s) { totalCount }"),
    ("String", "models(where: {nameContains: $s}) { totalCount edges { node { slug } } }"),
    ("ID", "models(where: {organization: $s}) { totalCount }"),
    ("String", "models(where: {country: $s}) { totalCount }"),
    ("String", "models(where: {modality: $s}) { totalCount }"),
    ("ID", "models(where: {derivedFrom: $s}) { totalCount }"),
    ("ID", "models(where: {variantOf: $s}) { totalCount }"),
    ("String", "organizations(after: $s) { totalCount }"),
    ("String", "organizations(where: {nameContains: $s}) { totalCount }"),
    ("String", "organizations(where: {country: $s}) { totalCount }"),
    ("ID", "organizations(where: {partOf: $s}) { totalCount }"),
    ("String", "countries(where: {nameContains: $s}) { totalCount }"),
    ("String", "claims(after: $s) { totalCount }"),
    ("ID", "claims(where: {claimant: $s}) { totalCount }"),
    ("String", "claims(where: {claimantCountry: $s}) { totalCount }"),
    ("ID", "claims(where: {subject: $s}) { totalCount }"),
    ("String", "claims(where: {subjectDeveloperCountry: $s}) { totalCount }"),
    ("ID", "claims(where: {against: $s}) { totalCount }"),
    (
        "String",
        'claims(where: {claimantCountry: "CN", againstDeveloperCountry: $s}) { totalCount }',
    ),
    ("ID", "claims(where: {benchmark: $s}) { totalCount }"),
    ("ID", "results(where: {model: $s}) { totalCount }"),
    ("ID", "results(where: {benchmark: $s}) { totalCount }"),
    ("String", "results(where: {evaluator: $s}) { totalCount }"),
    ("ID", "marketEvents(where: {organization: $s}) { totalCount }"),
    ("String", "marketEvents(where: {country: $s}) { totalCount }"),
    ("ID", "marketEvents(where: {model: $s}) { totalCount }"),
    ("ID", "releases(where: {organization: $s}) { totalCount }"),
    ("ID", "releases(where: {model: $s}) { totalCount }"),
    ("String", "benchmarks(where: {nameContains: $s}) { totalCount }"),
    ("String", "benchmarks(where: {category: $s}) { totalCount }"),
    ("String", "sources(where: {publisher: $s}) { totalCount }"),
    ("String", "sources(where: {titleContains: $s}) { totalCount }"),
    ("String", "modelCounts(by: COUNTRY, where: {nameContains: $s}) { key count }"),
    ("String", 'model(slug: "gpt-4o") { claimsAgainst(after: $s) { totalCount } }'),
    ("ID", 'model(slug: "gpt-4o") { claimsAgainst(where: {claimant: $s}) { totalCount } }'),
    ("String", 'organization(slug: "openai") { models(where: {nameContains: $s}) { totalCount } }'),
    ("String", 'country(code: "CN") { organizations(where: {country: $s}) { totalCount } }'),
]

# Numeric arguments, each fed through `$n: Int!`.
NUMBER_TARGETS = [
    "models(first: $n) { totalCount }",
    'search(text: "gpt", first: $n) { key }',
    'modelsClaimedToBeat(model: "gpt-4o", first: $n) { totalCount }',
    'model(slug: "deepseek-v3") { derivedModels(maxDepth: $n) { totalCount } }',
    'model(slug: "deepseek-r1") { ancestors(maxDepth: $n, first: 3) { totalCount } }',
    'eventsAfterRelease(model: "deepseek-r1", withinDays: $n) { totalCount }',
    'path(from: "model:deepseek-r1", to: "organization:nvidia", maxHops: $n) { hops }',
    'organization(slug: "openai") { models(first: $n) { totalCount } }',
    'timeline(slug: "openai", first: $n) { totalCount }',
]

# Date arguments, each fed through `$d: Date`.
DATE_TARGETS = [
    'modelsClaimedToBeat(model: "gpt-4o", since: $d) { totalCount }',
    'modelsClaimedToBeat(model: "gpt-4o", until: $d) { totalCount }',
    'timeline(slug: "openai", from: $d, to: $d) { totalCount }',
    'leaderboard(benchmark: "arena-hard", asOf: $d) { totalCount }',
    "claims(where: {madeOnFrom: $d, madeOnTo: $d}) { totalCount }",
    "models(where: {releasedFrom: $d, releasedTo: $d}) { totalCount }",
    "releases(where: {dateFrom: $d}) { totalCount }",
    "results(where: {measuredOnTo: $d}) { totalCount }",
    "marketEvents(where: {dateFrom: $d}) { totalCount }",
    "sources(where: {publishedFrom: $d}) { totalCount }",
]

NUMBERS = st.one_of(
    st.integers(),
    st.integers(-(2**31), 2**31 - 1),
    st.sampled_from([0, -1, 1, 100, 101, 2**31 - 1, -(2**31), 2**31, 2**63, -(2**63) - 1]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)

DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "0000-01-01",
            "0001-01-01",
            "9999-12-31",
            "2024-02-30",
            "2024-13-01",
            "2024-1-1",
            " 2024-01-01",
            "2024-01-01\x00",
            "2024-01-01T00:00:00",
            "+10000-01-01",
            "-0001-01-01",
            "yesterday",
            "",
        ]
    ),
    st.text(max_size=20),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.none(),
)


@pytest.fixture(scope="module")
async def seeded(neo4j: Neo4jTarget, test_settings: Settings) -> AsyncIterator[Graph]:
    """The curated seed, written once for this module, which only reads."""
    driver = make_driver(neo4j, test_settings)
    graph = Graph(driver, neo4j.database)
    await clear_data(graph)
    await KnowledgeGraph(graph).upsert(load_yaml_files([resource_dir("seed")]))
    try:
        yield graph
    finally:
        await driver.close()


@pytest.fixture(scope="module")
async def client(seeded: Graph, test_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The whole app over the seeded graph, reached over ASGI."""
    app = create_app(test_settings, driver=seeded.driver)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://atlas") as http:
        yield http


@pytest.fixture(scope="module", autouse=True)
async def unchanged(seeded: Graph) -> AsyncIterator[None]:
    """Fail (at the module's end) if any of its reads changed the graph: one comparison for
    the whole module keeps it fast, and a write would persist until then anyway."""
    before: Fingerprint = await fingerprint(seeded)
    yield
    assert await fingerprint(seeded) == before, "a read changed the graph"


def assert_typed(response: httpx.Response) -> dict[str, Any]:
    """The body of an answer that is data or typed errors; never a server failure."""
    assert response.status_code < 500, response.text[:2000]
    assert response.status_code != 429, "rate limited: the fuzz tests need a higher limit"
    body: dict[str, Any] = response.json()
    errors = body.get("errors")
    if errors:
        for error in errors:
            code = (error.get("extensions") or {}).get("code")
            assert code, error
            assert code != "INTERNAL_SERVER_ERROR", error
        text = json.dumps(errors)
        assert "Neo." not in text and "Traceback" not in text, text[:2000]
    else:
        assert body.get("data") is not None, body
    return body


async def post(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """POST one request and check it answers in kind."""
    return assert_typed(
        await client.post("/graphql", json={"query": query, "variables": variables or {}})
    )


@pytest.mark.parametrize(("kind", "selection"), STRING_TARGETS)
@FUZZ
@given(text=TEXT)
@example(text="x' }) MATCH (n) DETACH DELETE n //`\x00")
@example(text="Z" * 200_000)
async def test_any_string_in_any_string_argument(
    client: httpx.AsyncClient, kind: str, selection: str, text: str
) -> None:
    await post(client, f"query Fuzz($s: {kind}!) {{ {selection} }}", {"s": text})


@pytest.mark.parametrize("selection", NUMBER_TARGETS)
@FUZZ
@given(number=NUMBERS)
@example(number=2**31)
@example(number=-1)
async def test_any_number_in_any_numeric_argument(
    client: httpx.AsyncClient, selection: str, number: Any
) -> None:
    await post(client, f"query Fuzz($n: Int!) {{ {selection} }}", {"n": number})


@pytest.mark.parametrize("selection", DATE_TARGETS)
@FUZZ
@given(date=DATES)
@example(date="2024-02-30")
@example(date="0001-01-01")
async def test_any_date_in_any_date_argument(
    client: httpx.AsyncClient, selection: str, date: Any
) -> None:
    await post(client, f"query Fuzz($d: Date) {{ {selection} }}", {"d": date})


def graphql_string(text: str) -> str:
    """`text` as a GraphQL string literal (JSON's escapes are GraphQL's)."""
    return json.dumps(text, ensure_ascii=False)


@settings(FUZZ, max_examples=30)
@given(
    selection=st.sampled_from([t for _, t in STRING_TARGETS]),
    text=TEXT,
    raw=st.booleans(),
)
async def test_strings_written_into_the_query_text(
    client: httpx.AsyncClient, selection: str, text: str, raw: bool
) -> None:
    """The same strings pasted into the document, escaped or not (as a naive client would)."""
    literal = f'"{text}"' if raw else graphql_string(text)
    await post(client, "{ " + selection.replace("$s", literal) + " }")


RAW_DOCUMENTS = [
    # Breaking out of the string literal into more GraphQL.
    '{ model(slug: "gpt-4o") { name } a: model(slug: "x\\") { name } }") { slug } }',
    '{ model(slug: "gpt-4o" }) { name } }',
    '{ model(slug: """gpt-4o"""") { name } }',
    '{ model(slug: "\\u0000") { name } }',
    '{ model(slug: "\\ud800") { name } }',
    '{ model(slug: "\\uDBFF\\uDFFF") { name } }',
    # A write smuggled into a read.
    '{ model(slug: "x") { name } } mutation { deleteModel(slug: "gpt-4o", cascade: true) '
    "{ kind } }",
    'query { model(slug: "x") { name } } mutation M { upsertSource(input: {url: '
    '"https://example.org/x"}) { key } }',
    # Cypher in every string position at once.
    '{ search(text: "\\") CALL db.labels() //") { key } path(from: "model:\' OR 1=1 //", '
    'to: "organization:`x`") { hops } models(where: {nameContains: "}) RETURN 1 //"}) '
    "{ totalCount } }",
    # Deeply nested braces and a long document.
    "{" * 2000 + "}" * 2000,
    "{ " + " ".join(f"a{i}: about {{ serviceVersion }}" for i in range(300)) + " }",
    '{ model(slug: "' + "x" * 300_000 + '") { name } }',
    # Not a query at all.
    "MATCH (n) DETACH DELETE n",
    "\x00",
    "",
]


@pytest.mark.parametrize("document", RAW_DOCUMENTS, ids=range(len(RAW_DOCUMENTS)))
async def test_raw_injections_in_the_query_text(client: httpx.AsyncClient, document: str) -> None:
    response = await client.post("/graphql", json={"query": document})
    assert_typed(response)


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "query($s: ID!) { model(slug: $s) { name } }", "variables": {"s": "\\ud800"}}',
        b'{"query": "{ about { serviceVersion } }", "variables": "not an object"}',
        b'{"query": "{ about { serviceVersion } }", "operationName": 7}',
        b'{"query": ["{ about { serviceVersion } }"]}',
        b'{"query": "{ about { serviceVersion } }", "extensions": "x"}',
        b'{"query": "{ about { serviceVersion } }"',
        b'{"query": "\xff\xfe"}',
        b"[]",
        b"[1]",
        b"[null]",
        b"null",
        b'"a string"',
        b"123",
        b"true",
        b"",
    ],
)
async def test_malformed_request_bodies(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert_typed(response)


@pytest.mark.parametrize(
    "params",
    [
        {"query": "query($s: ID!) { model(slug: $s) { name } }", "variables": '{"s": "\\u0000"}'},
        {"query": "{ about { serviceVersion } }", "variables": "null"},
        {"query": "{ about { serviceVersion } }", "variables": "[1]"},
        {"query": "{ about { serviceVersion } }", "variables": "{"},
        {"query": "{ about { serviceVersion } }", "operationName": "' OR 1=1 //"},
        {"query": 'mutation { deleteModel(slug: "gpt-4o") { kind } }'},
        {"query": "x" * 5000},
    ],
)
async def test_hostile_get_requests(client: httpx.AsyncClient, params: dict[str, str]) -> None:
    response = await client.get("/graphql", params=params, headers={"accept": "application/json"})
    assert_typed(response)
