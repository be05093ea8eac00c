"""No N+1: a nested query costs the same number of Cypher round trips for 10 rows as for 1,000."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from gqlclient import gql, nodes

from modelatlas.api import create_app
from modelatlas.config import Settings
from modelatlas.domain import Claim, ClaimKind, Dataset, Model, Organization, Source
from modelatlas.graph import Graph, count_round_trips
from modelatlas.knowledge import KnowledgeGraph

pytestmark = pytest.mark.anyio

NESTED = """
{
  organizations(first: 100) {
    totalCount
    edges { node {
      slug
      models(first: 100) {
        totalCount
        edges { node {
          slug
          claims(first: 100) {
            totalCount
            edges { node { id statement sources { url title } } }
          }
        } }
      }
    } }
  }
}
"""


def _dataset(organizations: int, models: int, claims: int) -> Dataset:
    """organizations x models x claims claims, each citing two sources."""
    sources = [Source(url=f"https://example.org/report/{i}", title=f"Report {i}") for i in range(2)]
    orgs, all_models, all_claims = [], [], []
    for o in range(organizations):
        org = f"lab-{o:02d}"
        orgs.append(Organization(slug=org, name=f"Lab {o:02d}"))
        for m in range(models):
            model = f"{org}-model-{m:02d}"
            all_models.append(
                Model(slug=model, name=f"Lab {o:02d} model {m:02d}", developers=[org])
            )
            all_claims += [
                Claim(
                    id=f"{model}-claim-{c:02d}",
                    kind=ClaimKind.OTHER,
                    statement=f"Claim {c} about {model}.",
                    claimed_by=org,
                    subject=model,
                    sources=[s.url for s in sources],
                )
                for c in range(claims)
            ]
    return Dataset(sources=sources, organizations=orgs, models=all_models, claims=all_claims)


@pytest.fixture
async def client(graph: Graph, test_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    # NESTED may return a million claims, far over the default cost limit (api/limits.py).
    settings = test_settings.model_copy(update={"max_query_cost": 100_000_000})
    app = create_app(settings, driver=graph.driver)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://atlas"
    ) as http:
        yield http


async def _measure(client: httpx.AsyncClient, document: str = NESTED) -> tuple[int, int]:
    """(round trips, claims returned) of the nested query."""
    with count_round_trips() as trips:
        data = await gql(client, document)
    claims = sum(
        len(nodes(model["claims"]))
        for org in nodes(data["organizations"])
        for model in nodes(org["models"])
    )
    sources = {
        source["url"]
        for org in nodes(data["organizations"])
        for model in nodes(org["models"])
        for claim in nodes(model["claims"])
        for source in claim["sources"]
    }
    assert sources == {"https://example.org/report/0", "https://example.org/report/1"}
    return trips.count, claims


async def test_round_trips_do_not_grow_with_rows(graph: Graph, client: httpx.AsyncClient) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(_dataset(organizations=1, models=2, claims=5))
    small_trips, small_rows = await _measure(client)  # strawberry's first run
    small_planned, _ = await _measure(client)  # then the document's plan (api/compiled.py)
    assert small_rows == 10

    await kg.upsert(_dataset(organizations=10, models=10, claims=10))
    large_planned, large_rows = await _measure(client)
    large_trips, _ = await _measure(client, NESTED + "# another document, run by strawberry")
    assert large_rows == 1000

    # Through strawberry, one statement per paged level: organizations, their models, the
    # models' claims; the claims' sources (a field without arguments) are read in the claims'
    # statement. The plan reads the pages along with their parents: one statement.
    assert small_trips == large_trips == 3
    assert small_planned == large_planned == 1


LOOKUP = """
query($slug: ID!) {
  model(slug: $slug) {
    slug
    developers { slug country { code } parent { slug } }
    ...More
  }
}
fragment More on Model { variantOf { slug developers { name } } claims(first: 5) { totalCount } }
"""


async def test_fields_without_arguments_ride_with_their_parent(
    graph: Graph, client: httpx.AsyncClient
) -> None:
    """A lookup with relationship fields three levels deep (some through a fragment) is one
    statement, plus one for the paged field; the answers are those the graph holds."""
    await KnowledgeGraph(graph).upsert(
        Dataset.model_validate(
            {
                "organizations": [
                    {"slug": "parent-co", "name": "Parent Co", "country": "US"},
                    {"slug": "lab", "name": "Lab", "country": "FR", "partOf": "parent-co"},
                ],
                "models": [
                    {"slug": "base", "name": "Base", "developers": ["parent-co"]},
                    {
                        "slug": "tuned",
                        "name": "Tuned",
                        "developers": ["lab", "parent-co"],
                        "variantOf": "base",
                    },
                ],
            }
        )
    )
    with count_round_trips() as trips:
        data = await gql(client, LOOKUP, {"slug": "Tuned"})
    assert trips.count == 2
    assert data["model"] == {
        "slug": "tuned",
        "developers": [
            {"slug": "lab", "country": {"code": "FR"}, "parent": {"slug": "parent-co"}},
            {"slug": "parent-co", "country": {"code": "US"}, "parent": None},
        ],
        "variantOf": {"slug": "base", "developers": [{"name": "Parent Co"}]},
        "claims": {"totalCount": 0},
    }


async def test_lookups_in_one_operation_share_a_statement(
    graph: Graph, client: httpx.AsyncClient
) -> None:
    """Aliased lookups batch into one statement; a lone lookup reads directly, also once."""
    await KnowledgeGraph(graph).upsert(
        Dataset(
            organizations=[Organization(name="Lab")],
            models=[Model(name=n, developers=["lab"]) for n in ("Base", "Tuned")],
        )
    )
    both = """{
      a: model(slug: "Base") { slug }
      b: model(slug: "tuned") { slug }
      c: model(slug: "none") { slug }
    }"""
    with count_round_trips() as trips:
        data = await gql(client, both)
    assert trips.count == 1
    assert data == {"a": {"slug": "base"}, "b": {"slug": "tuned"}, "c": None}
    with count_round_trips() as trips:
        alone = await gql(client, '{ model(slug: "BASE") { slug developers { slug } } }')
    assert trips.count == 1
    assert alone == {"model": {"slug": "base", "developers": [{"slug": "lab"}]}}
    assert await gql(client, '{ model(slug: "none") { slug } }') == {"model": None}
