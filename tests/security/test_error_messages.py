"""Error messages name the field at fault and never echo a huge input back: a value quoted in a
message (a name, a URL, a cursor, a field the client made up) is cut to 80 characters and
an ellipsis, wherever the message comes from (our validation, the read layer, graphql-core)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from modelatlas.api import create_app
from modelatlas.api.auth import Role, new_key
from modelatlas.api.errors import error_extensions, shorten_quoted
from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, make_driver
from modelatlas.domain import MAX_QUOTED
from modelatlas.graph import Graph
from modelatlas.graph.admin import fingerprint
from modelatlas.graph.reads.errors import InvalidArgument, NotFound

pytestmark = pytest.mark.anyio

EDITOR_KEY, EDITOR_ENTRY = new_key(Role.EDITOR)
EDITOR = {"authorization": f"Bearer {EDITOR_KEY}"}
HUGE = 1_000_000
"""Characters in the long inputs: a megabyte."""
MAX_RESPONSE = 4_000
"""Bytes an error response about one huge input may take (a few messages of short quotes)."""


@pytest.fixture
async def client(
    graph: Graph, neo4j: Neo4jTarget, test_settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with an editor key and room for a body with a megabyte-long value."""
    settings = test_settings.model_copy(
        update={
            "api_keys": [EDITOR_ENTRY],
            "max_body_bytes": 8 * HUGE,
        }
    )
    driver = make_driver(neo4j, settings)
    app = create_app(settings, driver=driver)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://atlas"
    ) as http:
        yield http
    await driver.close()


async def post(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=EDITOR
    )


# --------------------------------------------------------------------------- the field named


@pytest.mark.parametrize(
    ("argument", "named"),
    [
        ("first", "first"),
        ("after", "after"),
        ("order", "orderBy"),
        ("where", "where"),
        ("within_days", "withinDays"),
        ("max_depth", "maxDepth"),
        ("max_hops", "maxHops"),
        ("relationships", "relationships"),
        ("text", "text"),
    ],
)
def test_read_errors_name_their_argument_as_the_schema_does(argument: str, named: str) -> None:
    # The read layer names arguments in Python terms; GraphQL clients see the schema's names.
    extensions = error_extensions(InvalidArgument("m", argument=argument))
    assert list(extensions.items()) == [("code", "BAD_USER_INPUT"), ("argument", named)]


def test_read_errors_without_an_argument_have_only_a_code() -> None:
    assert error_extensions(InvalidArgument("m")) == {"code": "BAD_USER_INPUT"}
    assert error_extensions(NotFound("m")) == {"code": "NOT_FOUND"}
    assert error_extensions(NotFound("m", argument="model")) == {
        "code": "NOT_FOUND",
        "argument": "model",
    }


UPSERT = {
    "Organization": "mutation($input: OrganizationInput!) { upsertOrganization(input: $input) "
    "{ key } }",
    "Model": "mutation($input: ModelInput!) { upsertModel(input: $input) { key } }",
    "Benchmark": "mutation($input: BenchmarkInput!) { upsertBenchmark(input: $input) { key } }",
    "Dataset": "mutation($input: DatasetInput!) { upsertDataset(input: $input) { keys } }",
}


@pytest.mark.parametrize(
    ("mutation", "value", "field"),
    [
        ("Organization", {"name": "   "}, "input.name"),
        ("Organization", {"name": ""}, "input.name"),
        ("Organization", {"name": "!!!"}, "input.name"),  # nothing to make a slug from
        ("Model", {"name": " "}, "input.name"),
        ("Benchmark", {"name": "—"}, "input.name"),
        (
            "Dataset",
            {"organizations": [{"name": "Fine"}, {"name": " "}]},
            "input.organizations[1].name",
        ),
    ],
)
async def test_a_name_without_a_slug_is_reported_on_the_name(
    client: httpx.AsyncClient, graph: Graph, mutation: str, value: Any, field: str
) -> None:
    before = await fingerprint(graph)
    response = await post(client, UPSERT[mutation], {"input": value})
    assert response.status_code == 200
    (error,) = response.json()["errors"]
    extensions = error["extensions"]
    assert extensions["code"] == "BAD_USER_INPUT"
    assert extensions["field"] == field, error
    assert [p["field"] for p in extensions["problems"]] == [field], error  # no `slug` error
    assert ".slug" not in error["message"]
    assert await fingerprint(graph) == before


async def test_a_name_that_gives_no_slug_is_fine_with_a_slug(client: httpx.AsyncClient) -> None:
    response = await post(
        client, UPSERT["Organization"], {"input": {"name": "!!!", "slug": "bang"}}
    )
    assert response.json()["data"] == {"upsertOrganization": {"key": "bang"}}


# --------------------------------------------------------------------------- no echo


def _short_error(response: httpx.Response) -> dict[str, Any]:
    """The response's first error, after checking that no long run of input came back."""
    assert response.status_code < 500, response.status_code
    assert len(response.content) < MAX_RESPONSE, response.text[:500]
    errors = response.json()["errors"]
    for error in errors:
        assert "…" in error["message"], error  # the quoted value was cut, not dropped
        assert "x" * (MAX_QUOTED + 1) not in error["message"]
    first: dict[str, Any] = errors[0]
    return first


LONG = "x" * HUGE


async def test_a_megabyte_cursor_is_not_echoed(client: httpx.AsyncClient) -> None:
    response = await post(
        client, "query($after: String) { models(after: $after) { totalCount } }", {"after": LONG}
    )
    error = _short_error(response)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == "after"


async def test_a_megabyte_path_end_is_not_echoed(client: httpx.AsyncClient) -> None:
    response = await post(
        client, 'query($from: ID!) { path(from: $from, to: "x") { hops } }', {"from": LONG}
    )
    assert _short_error(response)["extensions"]["code"] in {"NOT_FOUND", "BAD_USER_INPUT"}


async def test_a_megabyte_date_is_not_echoed(client: httpx.AsyncClient) -> None:
    response = await post(client, UPSERT["Model"], {"input": {"name": "M", "releasedOn": LONG}})
    error = _short_error(response)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"].startswith("input")


async def test_a_made_up_megabyte_field_name_is_not_echoed(client: httpx.AsyncClient) -> None:
    response = await post(client, UPSERT["Model"], {"input": {"name": "M", LONG: 1}})
    assert _short_error(response)["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_megabyte_field_in_the_document_is_not_echoed(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ " + LONG + " }"})
    assert _short_error(response)["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize(
    ("mutation", "value", "field"),
    [
        # Values under their length limits that our own validation quotes back.
        ("Model", {"name": "M", "slug": "!" * 700}, "input.slug"),
        ("Organization", {"name": "O", "website": "ftp://" + "x" * 1900}, "input.website"),
        ("Organization", {"name": "O", "country": "x" * 99}, "input.country"),
        ("Dataset", {"sources": [{"url": "urn:" + "x" * 1900}]}, "input.sources[0].url"),
    ],
)
async def test_our_validation_quotes_at_most_80_characters(
    client: httpx.AsyncClient, mutation: str, value: Any, field: str
) -> None:
    error = _short_error(await post(client, UPSERT[mutation], {"input": value}))
    assert error["extensions"]["field"] == field
    for problem in error["extensions"]["problems"]:
        assert len(problem["message"]) < 200, problem


def test_cutting_quotes_keeps_short_ones_and_survives_hostile_quoting() -> None:
    message = "Field 'name' is not defined; 'it's fine' and \"" + "y" * 500 + '" too'
    assert shorten_quoted(message) == (
        "Field 'name' is not defined; 'it's fine' and \"" + "y" * MAX_QUOTED + '…" too'
    )
    # Quotes that never close, or close everywhere, leave nothing longer than the input.
    for hostile in ("' " * 50_000, "'" * 50_000, "\\'" * 50_000, " 'a" * 50_000):
        assert len(shorten_quoted(hostile)) <= len(hostile)
