"""Compiled reads answer exactly what strawberry answers: a document of lookups, scalars and
relationships without arguments runs once through strawberry, then through its plan, and the
two response bodies are the same bytes; whatever a plan cannot answer the same way (refused
requests, odd variables, documents beyond plain reads) is still answered by strawberry."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLObjectType,
    OperationDefinitionNode,
    get_named_type,
    is_leaf_type,
    parse,
)

from modelatlas.api import create_app
from modelatlas.api.auth import Role, new_key
from modelatlas.api.compiled import CompiledReads, Fallback
from modelatlas.api.loaders import _prefetch, branches, prefetchable
from modelatlas.api.plans import Lookup, RootList
from modelatlas.api.schema import schema
from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, make_driver
from modelatlas.db.local import free_port
from modelatlas.domain import Dataset, Result
from modelatlas.graph import Graph, count_round_trips
from modelatlas.graph.reads.kinds import KINDS, RELATIONS
from modelatlas.graph.reads.prefetch import MAX_PREFETCH_BRANCHES, MAX_PREFETCH_DEPTH
from modelatlas.knowledge import KnowledgeGraph

pytestmark = pytest.mark.anyio

DECLARED = CompiledReads(schema)
ROOT_LOOKUPS = DECLARED.lookups
"""The root lookups compiled reads answer, as their resolvers declare them."""
ROOT_LISTS = DECLARED.lists
"""The root lists compiled reads answer, as their resolvers declare them."""

READER_KEY, READER_ENTRY = new_key(Role.READER)
KEYS_OF_KIND = """
MATCH (n) WHERE $label IN labels(n)
RETURN n[$key] AS key ORDER BY key LIMIT 3"""


@pytest.fixture(scope="module")
async def app_client(
    seeded_graph: Graph, test_settings: Settings
) -> AsyncIterator[tuple[httpx.AsyncClient, CompiledReads]]:
    """A client of the whole app over the seed (plus a result, which the seed lacks), and the
    app's compiled reads."""
    await KnowledgeGraph(seeded_graph).upsert(
        Dataset(
            results=[
                Result(
                    id="deepseek-v3-gpqa-lab",
                    model="deepseek-v3",
                    benchmark="gpqa-diamond",
                    score=59.1,
                    measured_on=dt.date(2025, 2, 1),
                    evaluator="Independent lab",
                    sources=["https://qwenlm.github.io/blog/qwen2.5-max/"],
                )
            ]
        )
    )
    app = create_app(test_settings, driver=seeded_graph.driver)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://atlas") as http:
        yield http, app.state.compiled_reads


PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"


def _selection(kind: str, depth: int, *, pages: bool = True) -> str:
    """Every scalar field of `kind`; above the prefetch depth, every relationship without
    arguments with its own selection; and on the first level (with `pages`), every paged
    relationship in every order it offers (aliased), with the scalars of its nodes."""
    graphql_type = schema._schema.get_type(kind)
    assert isinstance(graphql_type, GraphQLObjectType)
    parts = ["__typename"]
    for name, field in graphql_type.fields.items():
        relation = f"{kind}.{name}"
        if field.args and relation in RELATIONS:
            if pages and depth == 0:
                parts += _pages(name, field, RELATIONS[relation].child)
            continue
        if field.args:
            continue
        if is_leaf_type(get_named_type(field.type)):
            parts.append(name)
        elif depth < MAX_PREFETCH_DEPTH and prefetchable(schema._schema, kind, name):
            child = get_named_type(field.type).name
            parts.append(f"{name} {{ {_selection(child, depth + 1, pages=pages)} }}")
    return " ".join(parts)


def _pages(name: str, field: GraphQLField, child: str) -> list[str]:
    """A connection field with its default arguments and then in every order it offers
    (aliased), each with its count, page info and cursors; the default page's nodes with their
    relationships one level down (read along with the page), the others' with their scalars
    (every distinct statement costs Neo4j a plan, ~0.3 s for the larger ones)."""
    orders: list[str] = []
    if "orderBy" in field.args:
        order_type = get_named_type(field.args["orderBy"].type)
        assert isinstance(order_type, GraphQLEnumType)
        orders = list(order_type.values)
    rich = _selection(child, MAX_PREFETCH_DEPTH - 1, pages=False)
    scalars = _selection(child, MAX_PREFETCH_DEPTH, pages=False)

    def page(nodes: str) -> str:
        return f"{{ totalCount {PAGE_INFO} edges {{ cursor node {{ {nodes} }} }} }}"

    return [f"{name} {page(rich)}"] + [
        f"{name}_{order}: {name}(first: 2, orderBy: {order}) {page(scalars)}" for order in orders
    ]


def _document(field: str, kind: str) -> str:
    argument = schema._schema.query_type.fields[field].args  # type: ignore[union-attr]
    (name,) = argument
    return f"query One($key: ID!) {{ found: {field}({name}: $key) {{ {_selection(kind, 0)} }} }}"


async def _twice(
    client: httpx.AsyncClient, compiled: CompiledReads, body: dict[str, Any]
) -> tuple[httpx.Response, httpx.Response, int]:
    """The answer through strawberry, the answer of the next identical request, and how many
    requests a plan answered in between."""
    first = await client.post("/graphql", json=body)
    before = compiled.answered
    second = await client.post("/graphql", json=body)
    return first, second, compiled.answered - before


async def _round_trips(
    client: httpx.AsyncClient,
    compiled: CompiledReads,
    document: str,
    variables: dict[str, Any] | None = None,
) -> tuple[httpx.Response, int, int]:
    """A document's answer through strawberry, and the Neo4j round trips of that run and of
    the next, which its plan answers with the same bytes."""
    body = {"query": document, "variables": variables}
    with count_round_trips() as through_strawberry:
        first = await client.post("/graphql", json=body)
    before = compiled.answered
    with count_round_trips() as through_plan:
        second = await client.post("/graphql", json=body)
    assert compiled.answered == before + 1
    assert "errors" not in first.json()
    assert second.content == first.content
    return first, through_strawberry.count, through_plan.count


async def _not_found_through_strawberry(
    client: httpx.AsyncClient, compiled: CompiledReads, body: dict[str, Any]
) -> None:
    """A question about something that is not there: its plan's read fails, no plan answers,
    and strawberry answers NOT_FOUND both times, the same body."""
    answered, second, planned = await _twice(client, compiled, body)
    assert planned == 0
    assert answered.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert second.json() == answered.json()


@pytest.mark.parametrize("field", sorted(ROOT_LOOKUPS))
async def test_every_lookup_and_field_answers_as_strawberry_does(
    app_client: tuple[httpx.AsyncClient, CompiledReads], seeded_graph: Graph, field: str
) -> None:
    client, compiled = app_client
    kind = ROOT_LOOKUPS[field]
    rows = await seeded_graph.read(
        KEYS_OF_KIND, {"label": KINDS[kind].label, "key": KINDS[kind].key}
    )
    keys = [row["key"] for row in rows]
    assert keys, f"the seed has no {kind}"
    document = _document(field, kind)
    for key in keys:
        first, second, answered = await _twice(
            client, compiled, {"query": document, "variables": {"key": key}}
        )
        assert answered == 1
        assert first.status_code == second.status_code == 200
        assert first.json()["data"]["found"] is not None
        assert second.content == first.content
        assert second.headers["content-type"] == first.headers["content-type"]


@pytest.mark.parametrize("field", sorted(ROOT_LISTS))
async def test_every_list_and_connection_answers_as_strawberry_does(
    app_client: tuple[httpx.AsyncClient, CompiledReads], field: str
) -> None:
    client, compiled = app_client
    kind = ROOT_LISTS[field]
    order_type = get_named_type(schema._schema.query_type.fields[field].args["orderBy"].type)  # type: ignore[union-attr]
    assert isinstance(order_type, GraphQLEnumType)
    rich, scalars = _selection(kind, 0), _selection(kind, MAX_PREFETCH_DEPTH, pages=False)
    for index, order in enumerate(order_type.values):  # every field under the first order
        document = f"""{{ found: {field}(first: 3, orderBy: {order}) {{
          totalCount {PAGE_INFO}
          edges {{ cursor node {{ {rich if index == 0 else scalars} }} }}
        }} }}"""
        first, second, answered = await _twice(client, compiled, {"query": document})
        assert answered == 1
        assert first.status_code == second.status_code == 200
        assert "errors" not in first.json()
        assert first.json()["data"]["found"]["edges"], f"the seed has no {kind}"
        assert second.content == first.content


async def test_a_nested_page_reads_in_one_statement_what_strawberry_reads_in_four(
    app_client: tuple[httpx.AsyncClient, CompiledReads],
) -> None:
    client, compiled = app_client
    document = """query Nested {
      organizations(first: 10) {
        edges { node {
          slug name
          models(first: 10) {
            totalCount
            edges { cursor node {
              slug name
              developers { slug }
              claims(first: 5, orderBy: MADE_ON_ASC) {
                edges { node { id statement madeOn sources { url } } }
                pageInfo { hasNextPage endCursor }
              }
              results { totalCount }
            } }
          }
        } }
      }
    }"""
    first, through_strawberry, through_plan = await _round_trips(client, compiled, document)
    # strawberry's loaders: organizations, their models (with developers), the models' claims
    # (with sources) and results, one statement per level and field; the plan reads the pages
    # along with their parents
    assert (through_strawberry, through_plan) == (4, 1)
    organizations = first.json()["data"]["organizations"]["edges"]
    models = [m for o in organizations for m in o["node"]["models"]["edges"]]
    assert any(m["node"]["claims"]["edges"] for m in models)
    assert list(models[0]["node"]) == ["slug", "name", "developers", "claims", "results"]


async def test_pages_below_the_read_along_depth_are_read_per_level(
    app_client: tuple[httpx.AsyncClient, CompiledReads],
) -> None:
    client, compiled = app_client
    # organizations -> models -> claims -> subject is as deep as one statement reads; the
    # subjects' claims and the claims' own pages below them take a statement per level
    document = """{
      organizations(first: 10) {
        edges { node { slug models(first: 10) { totalCount edges { node { slug
          claims(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
            id subject { slug claims(first: 1, orderBy: MADE_ON_DESC) {
              totalCount edges { cursor node { id against { slug } } }
            } }
          } } }
        } } } } }
      }
    }"""
    first, through_strawberry, through_plan = await _round_trips(client, compiled, document)
    # strawberry: organizations, models, claims (with subjects), the subjects' claims (with
    # against); the plan: the first three in one statement, then the subjects' claims
    assert (through_strawberry, through_plan) == (4, 2)
    subjects = [
        claim["node"]["subject"]
        for organization in first.json()["data"]["organizations"]["edges"]
        for model in organization["node"]["models"]["edges"]
        for claim in model["node"]["claims"]["edges"]
    ]
    assert any(subject["claims"]["edges"] for subject in subjects)


async def test_a_selection_wider_than_one_statement_reads_is_read_per_level(
    app_client: tuple[httpx.AsyncClient, CompiledReads],
) -> None:
    client, compiled = app_client
    # a model with every relationship, page and order three levels deep: read along in one
    # statement, that is more subqueries than Neo4j plans in reasonable time (reads/prefetch.py)
    document = _document("model", "Model") + "\n# not the document of the test above"
    variables = {"key": "deepseek-r1"}
    first, through_strawberry, through_plan = await _round_trips(
        client, compiled, document, variables
    )
    plan = compiled.plan(document, "One")  # keyed by the operation's name, as it runs
    assert plan is not None
    (root,) = plan.roots
    assert isinstance(root, Lookup)
    (operation,) = parse(document).definitions
    assert isinstance(operation, OperationDefinitionNode)
    (field,) = operation.selection_set.selections
    assert isinstance(field, FieldNode)
    # its relationships without arguments alone are more than one statement reads along
    plain = _prefetch(schema._schema, "Model", [field.selection_set], {}, MAX_PREFETCH_DEPTH, None)
    assert branches(plain) > MAX_PREFETCH_BRANCHES >= branches(root.prefetch) > 0
    # the levels beyond the statement's budget are read after it, one statement per field
    assert 1 < through_plan < through_strawberry
    found = first.json()["data"]["found"]
    assert found["developers"] and found["developers"][0]["country"] is not None


async def test_relationships_of_lineage_entries_are_read_per_level(
    app_client: tuple[httpx.AsyncClient, CompiledReads],
) -> None:
    client, compiled = app_client
    document = """{ model(slug: "deepseek-r1") { ancestors { edges { node { model { slug
      developers { slug models(first: 2) { totalCount edges { node { slug } } } }
    } } } } } }"""
    first, through_strawberry, through_plan = await _round_trips(client, compiled, document)
    # strawberry: the model, its ancestors, their developers, the developers' models; the plan
    # reads the ancestors along with the model (their models come without relationships), then
    # the developers with their models' pages along
    assert (through_strawberry, through_plan) == (4, 2)
    entries = first.json()["data"]["model"]["ancestors"]["edges"]
    developers = [d for e in entries for d in e["node"]["model"]["developers"]]
    assert developers and all(d["models"]["edges"] for d in developers)


async def test_models_claimed_to_beat_answers_as_strawberry_does(
    app_client: tuple[httpx.AsyncClient, CompiledReads],
) -> None:
    client, compiled = app_client
    document = f"""query Beat($model: ID!) {{
      modelsClaimedToBeat(model: $model, includeVariants: true, first: 3) {{
        totalCount {PAGE_INFO}
        edges {{ cursor node {{
          statement score date __typename
          subject {{ slug name developers {{ slug country {{ code }} }} }}
          claimant {{ slug name }} beaten {{ slug }} against {{ slug }}
          benchmark {{ slug }} sources {{ url }} claim {{ id kind status }}
        }} }}
      }}
    }}"""
    for model in ("gpt-4", "gpt-4o", "deepseek-v3"):
        first, through_strawberry, through_plan = await _round_trips(
            client, compiled, f"{document}\n# {model}", {"model": model}
        )
        # both: the claims, then the subjects' developers (with their countries along)
        assert (through_strawberry, through_plan) == (2, 2)
        assert first.json()["data"]["modelsClaimedToBeat"]["edges"], model
    # deepseek-v3 is claimed beaten more often than a page holds: the plan's cursor (the same
    # bytes as strawberry's) leads to the next page
    answer = first.json()["data"]["modelsClaimedToBeat"]
    assert answer["pageInfo"]["hasNextPage"] and answer["totalCount"] > 3
    after = await client.post(
        "/graphql",
        json={
            "query": "query Next($model: ID!, $after: String) { modelsClaimedToBeat(model: "
            "$model, includeVariants: true, first: 3, after: $after) { edges { node { claim "
            "{ id } } } } }",
            "variables": {"model": "deepseek-v3", "after": answer["pageInfo"]["endCursor"]},
        },
    )
    shown = {e["node"]["claim"]["id"] for e in answer["edges"]}
    following = {
        e["node"]["claim"]["id"] for e in after.json()["data"]["modelsClaimedToBeat"]["edges"]
    }
    assert following and not following & shown
    # a model that is not there
    missing = {"query": f"{document}\n# missing", "variables": {"model": "no-such-model"}}
    await _not_found_through_strawberry(client, compiled, missing)


async def test_search_answers_as_strawberry_does(
    app_client: tuple[httpx.AsyncClient, CompiledReads],
) -> None:
    client, compiled = app_client
    document = "query S($text: String!) { search(text: $text, first: 5) { kind key name score } }"
    for text in ("deepseek", "Qwen 2.5 Max", "gpt"):
        first, through_strawberry, through_plan = await _round_trips(
            client, compiled, f"{document}\n# {text}", {"text": text}
        )
        assert (through_strawberry, through_plan) == (1, 1)
        assert first.json()["data"]["search"], text
    literal = '{ hits: search(text: "deepseek") { __typename key } }'
    first, _, _ = await _round_trips(client, compiled, literal)
    assert len(first.json()["data"]["hits"]) > 1


async def test_path_answers_as_strawberry_does(
    app_client: tuple[httpx.AsyncClient, CompiledReads],
) -> None:
    client, compiled = app_client
    document = """query P($from: ID!, $to: ID!) {
      path(from: $from, to: $to, maxHops: 5, relationships: [ANNOUNCED_BY, CITED_IN, AFFECTED,
                                                           DEVELOPED, BASED_IN]) {
        __typename hops start { kind key name } end { kind key }
        steps { relationship direction node { __typename kind key name } }
      }
    }"""
    ends = [("moonshot-ai", "organization:nvidia"), ("model:deepseek-r1", "deepseek")]
    for start, end in ends:
        first, through_strawberry, through_plan = await _round_trips(
            client, compiled, f"{document}\n# {start}", {"from": start, "to": end}
        )
        assert (through_strawberry, through_plan) == (1, 1)
        assert first.json()["data"]["path"]["steps"], (start, end)
    # literal ends and the default hops and relationships; no path that short is null
    unrelated = '{ path(from: "moonshot-ai", to: "nvidia", maxHops: 1) { hops } }'
    first, _, _ = await _round_trips(client, compiled, unrelated)
    assert first.json()["data"] == {"path": None}
    literal = '{ p: path(from: "moonshot-ai", to: "nvidia") { hops end { key } } }'
    first, _, _ = await _round_trips(client, compiled, literal)
    assert first.json()["data"]["p"]["end"] == {"key": "nvidia"}
    # an end that is not there
    missing = {"query": f"{document}\n# missing", "variables": {"from": "moonshot-ai", "to": "x:y"}}
    await _not_found_through_strawberry(client, compiled, missing)


async def test_a_connection_selected_twice_is_read_along_once(
    app_client: tuple[httpx.AsyncClient, CompiledReads],
) -> None:
    client, compiled = app_client
    # the fragments' two selections of claims(first: 3) merge (graphql-core merges them), one
    # with totalCount and sources, one with the page info and the subject
    document = """query Merged {
      organizations(first: 10) { edges { node { slug models(first: 10) { edges { node {
        ...Counted ...Paged
      } } } } } }
    }
    fragment Counted on Model {
      slug claims(first: 3) { totalCount edges { node { id sources { url } } } }
    }
    fragment Paged on Model {
      claims(first: 3) { pageInfo { hasNextPage } edges { cursor node { subject { slug } } } }
    }
    """
    first, through_strawberry, through_plan = await _round_trips(client, compiled, document)
    assert (through_strawberry, through_plan) == (3, 1)
    claims = [
        claim
        for organization in first.json()["data"]["organizations"]["edges"]
        for model in organization["node"]["models"]["edges"]
        for claim in model["node"]["claims"]["edges"]
    ]
    assert claims and all({"id", "sources", "subject"} <= set(c["node"]) for c in claims)


async def test_lineage_answers_as_strawberry_does(
    app_client: tuple[httpx.AsyncClient, CompiledReads],
) -> None:
    client, compiled = app_client
    entries = f"totalCount {PAGE_INFO} edges {{ cursor node {{ depth model {{ slug name }} }} }}"
    document = f"""query Lineage($slug: ID!) {{
      model(slug: $slug) {{
        slug
        ancestors {{ {entries} }}
        near: ancestors(maxDepth: 1, first: 1) {{ {entries} }}
        derivedModels(maxDepth: 3, first: 20) {{ {entries} }}
        derivedModels_first: derivedModels(first: 1) {{ {entries} }}
      }}
    }}"""
    for slug in ("deepseek-r1", "deepseek-v3", "qwen2.5-max"):
        # each slug's document a new one (a comment), so strawberry answers it first
        _, through_strawberry, through_plan = await _round_trips(
            client, compiled, f"{document}\n# {slug}", {"slug": slug}
        )
        # strawberry: the model, then its four lineages; the plan reads them along with it
        assert (through_strawberry, through_plan) == (5, 1)
    model = (
        await client.post(
            "/graphql", json={"query": document, "variables": {"slug": "deepseek-r1"}}
        )
    ).json()["data"]["model"]
    assert model["ancestors"]["edges"][0]["node"] == {
        "depth": 1,
        "model": {"slug": "deepseek-v3", "name": "DeepSeek-V3"},
    }


async def test_aliases_literals_several_roots_and_missing_nodes(
    app_client: tuple[httpx.AsyncClient, CompiledReads],
) -> None:
    client, compiled = app_client
    document = """{
      __typename
      a: model(slug: "DeepSeek-R1") { slug n: name t: __typename derivedFrom { slug } }
      b: organization(slug: "deepseek") { name country { code } }
      c: model(slug: "deepseek-v3") { slug developers { slug } }
      missing: model(slug: "no-such-model") { slug }
    }"""
    with count_round_trips() as trips:
        first, second, answered = await _twice(client, compiled, {"query": document})
    assert answered == 1
    # one statement per kind and selection (three model selections, one organization), the
    # same through strawberry's loaders as through the plan
    assert trips.count == 2 * 4
    assert second.content == first.content
    data = first.json()["data"]
    assert list(data) == ["__typename", "a", "b", "c", "missing"]
    assert data["a"] == {
        "slug": "deepseek-r1",
        "n": "DeepSeek-R1",
        "t": "Model",
        "derivedFrom": [{"slug": "deepseek-v3"}],
    }
    assert data["missing"] is None
    assert second.json()["extensions"]["cost"]["requestedQueryCost"] > 0


async def test_fragments_merge_as_graphql_core_merges_them(
    app_client: tuple[httpx.AsyncClient, CompiledReads],
) -> None:
    client, compiled = app_client
    document = """query WithFragments($slug: ID!) {
      model(slug: $slug) {
        ...Names
        slug
        ... on Model { developers { slug } }
        developers { name ...Where }
        ... { __typename ...Names }
      }
    }
    fragment Names on Model { slug name aliases }
    fragment Where on Organization { country { code name } }"""
    body = {"query": document, "variables": {"slug": "qwen2.5-max"}}
    first, second, answered = await _twice(client, compiled, body)
    assert answered == 1
    assert second.content == first.content
    model = first.json()["data"]["model"]
    assert list(model) == ["slug", "name", "aliases", "developers", "__typename"]
    assert model["developers"] and list(model["developers"][0]) == ["slug", "name", "country"]


async def test_variables_a_plan_cannot_take_go_to_strawberry(
    app_client: tuple[httpx.AsyncClient, CompiledReads],
) -> None:
    client, compiled = app_client
    document = "query M($slug: ID!) { model(slug: $slug) { slug name } }"
    warm = await client.post("/graphql", json={"query": document, "variables": {"slug": "x"}})
    assert warm.json() == {"data": {"model": None}, "extensions": warm.json()["extensions"]}
    before = compiled.answered
    as_number = await client.post("/graphql", json={"query": document, "variables": {"slug": 5}})
    assert as_number.status_code == 200 and as_number.json()["data"] == {"model": None}
    missing = await client.post("/graphql", json={"query": document, "variables": {}})
    assert missing.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "$slug" in missing.json()["errors"][0]["message"]
    paged = "query P($n: Int!) { models(first: $n) { totalCount } }"
    for _ in range(2):
        answer = await client.post("/graphql", json={"query": paged, "variables": {"n": 1}})
        assert answer.json()["data"]["models"]["totalCount"] > 0
    assert compiled.answered == before


@pytest.mark.parametrize(
    "document",
    [
        '{ model(slug: "deepseek-r1") { ...F } } fragment F on Model { slug @skip(if: false) }',
        '{ model(slug: "deepseek-r1") { ancestors(after: null) { totalCount } } }',
        '{ model(slug: "deepseek-r1") { slug @include(if: true) } }',
        '{ models(first: 1, where: {organization: "deepseek"}) { edges { node { slug } } } }',
        '{ model(slug: "deepseek-r1") { claims(first: 1, after: null) { totalCount } } }',
        'query A { model(slug: "deepseek-r1") { slug } } query B { about { serviceVersion } }',
        '{ modelsClaimedToBeat(model: "gpt-4", since: "2024-01-01") { totalCount } }',
        '{ modelsClaimedToBeat(model: "gpt-4", after: null) { totalCount } }',
        '{ search(text: "deepseek", kinds: [MODEL]) { key } }',
        '{ search(text: "deepseek") { node { ... on Model { slug } } } }',
    ],
)
async def test_documents_beyond_plain_reads_are_not_planned(
    app_client: tuple[httpx.AsyncClient, CompiledReads], document: str
) -> None:
    client, compiled = app_client
    body: dict[str, Any] = {"query": document}
    if "query B" in document:
        body["operationName"] = "A"
    first, second, answered = await _twice(client, compiled, body)
    assert answered == 0
    assert first.status_code == second.status_code == 200
    assert "errors" not in second.json() and second.json()["data"] == first.json()["data"]


async def test_a_planned_document_still_needs_a_key_where_reads_need_one(
    seeded_graph: Graph, test_settings: Settings
) -> None:
    settings = test_settings.model_copy(
        update={"require_key_for_reads": True, "api_keys": [READER_ENTRY]}
    )
    app = create_app(settings, driver=seeded_graph.driver)
    compiled: CompiledReads = app.state.compiled_reads
    body = {"query": '{ model(slug: "deepseek-r1") { slug } }'}
    reader = {"authorization": f"Bearer {READER_KEY}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://atlas") as client:
        assert (await client.post("/graphql", json=body, headers=reader)).status_code == 200
        assert (await client.post("/graphql", json=body, headers=reader)).status_code == 200
        assert compiled.answered == 1
        anonymous = await client.post("/graphql", json=body)
        wrong = await client.post(
            "/graphql", json=body, headers={"authorization": "Bearer ma_not-a-key"}
        )
    for refused in (anonymous, wrong):
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "data" not in refused.json()
    assert compiled.answered == 1


@pytest.mark.parametrize(
    ("planned", "data", "path"),
    [
        ('query Lookup { model(slug: "deepseek-r1") { slug name } }', {"model": None}, "model"),
        (
            "query List { organizations(first: 2) { edges { node { slug } } } }",
            None,
            "organizations",
        ),
    ],
)
async def test_a_failed_read_is_answered_by_strawberry_without_a_second_read(
    seeded_graph: Graph,
    neo4j: Neo4jTarget,
    test_settings: Settings,
    planned: str,
    data: dict[str, Any] | None,
    path: str,
) -> None:
    app = create_app(test_settings, driver=seeded_graph.driver)
    compiled: CompiledReads = app.state.compiled_reads
    unplanned = planned.replace("query ", "query  ", 1)  # the same operation, not yet planned
    gone = dataclasses.replace(neo4j, uri=f"bolt://127.0.0.1:{free_port()}")  # nothing listens
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://atlas") as client:
        for _ in range(2):
            response = await client.post("/graphql", json={"query": planned})
            assert "errors" not in response.json() and response.json()["data"][path]
        assert compiled.answered == 1
        app.state.graph.driver = make_driver(gone, test_settings)  # Neo4j is now unreachable
        answers = []
        try:
            for query in (planned, unplanned):
                with count_round_trips() as trips:
                    answers.append((await client.post("/graphql", json={"query": query})).json())
                assert trips.count == 1  # the plan's failed read is not sent again
        finally:
            await app.state.graph.driver.close()
    assert compiled.answered == 1
    for answer in answers:
        assert answer["data"] == data
        (error,) = answer["errors"]
        assert error["path"] == [path]
        assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert answers[0]["errors"][0]["message"] == answers[1]["errors"][0]["message"]


def test_the_answered_fields_are_those_the_resolvers_declare() -> None:
    # every root field that reads one node by key, or a page of one kind, declares it
    assert set(ROOT_LOOKUPS) == {
        "model", "organization", "benchmark", "release", "claim", "result", "marketEvent",
        "country", "source",
    }  # fmt: skip
    assert set(ROOT_LISTS) == {
        "models", "organizations", "countries", "claims", "results", "marketEvents",
        "releases", "benchmarks", "sources",
    }  # fmt: skip
    assert set(DECLARED.lineages) == {"Model.ancestors", "Model.derivedModels"}
    query_type = schema._schema.query_type
    assert query_type is not None
    for field, kind in ROOT_LOOKUPS.items():
        assert get_named_type(query_type.fields[field].type).name == kind
    for field, kind in ROOT_LISTS.items():
        assert get_named_type(query_type.fields[field].type).name == f"{kind}Connection"


NESTED = """query Nested { organizations(first: 10) { edges { node { slug
  models(first: 10) { edges { node { slug claims(first: 5) { edges { node { id } } } } } }
} } } }"""


def _metric(body: str, name: str, reason: str | None = None) -> float:
    """A sample's value in a /metrics body."""
    label = f'{{reason="{reason}"}}' if reason else ""
    for line in body.splitlines():
        if line.startswith(f"{name}_total{label} "):
            return float(line.split()[-1])
    raise AssertionError(f"no {name}{label} in /metrics")


async def test_compiled_reads_off_runs_every_request_through_strawberry(
    seeded_graph: Graph, test_settings: Settings
) -> None:
    settings = test_settings.model_copy(update={"compiled_reads": False})
    app = create_app(settings, driver=seeded_graph.driver)
    assert app.state.compiled_reads is None
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://atlas") as client:
        answers, trips = [], []
        for _ in range(3):
            with count_round_trips() as counted:
                answers.append(await client.post("/graphql", json={"query": NESTED}))
            trips.append(counted.count)
        metrics = (await client.get("/metrics")).text
    # strawberry's loaders every time: a statement per level (the plan reads it in one)
    assert trips == [3, 3, 3]
    assert answers[0].content == answers[1].content == answers[2].content
    assert _metric(metrics, "modelatlas_compiled_reads_answered") == 0


async def test_a_plan_that_raises_is_logged_counted_dropped_and_strawberry_answers(
    seeded_graph: Graph, test_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(test_settings, driver=seeded_graph.driver)
    compiled: CompiledReads = app.state.compiled_reads
    body = {"query": NESTED}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://atlas") as client:
        first = await client.post("/graphql", json=body)
        plan = compiled.plan(NESTED, "Nested")
        assert plan is not None

        def broken(*_: Any) -> Any:
            raise RuntimeError("a bug in the plan")

        # the same plan with a bug in how its root field's value is made
        (root,) = plan.roots
        assert isinstance(root, RootList)
        buggy = dataclasses.replace(root, complete=broken)
        compiled._plans[(NESTED, "Nested")] = dataclasses.replace(plan, roots=(buggy,))
        with caplog.at_level("WARNING", logger="modelatlas.api.compiled"):
            second = await client.post("/graphql", json=body)
        third = await client.post("/graphql", json=body)
        metrics = (await client.get("/metrics")).text
    assert first.content == second.content == third.content
    (record,) = [r for r in caplog.records if r.name == "modelatlas.api.compiled"]
    assert record.levelname == "WARNING"
    assert "Nested" in record.getMessage() and "a bug in the plan" in record.getMessage()
    assert compiled.answered == 0
    assert compiled.plan(NESTED, "Nested") is None  # dropped: strawberry answers from now on
    assert _metric(metrics, "modelatlas_compiled_reads_fallbacks", "plan_error") == 1
    assert _metric(metrics, "modelatlas_compiled_reads_answered") == 0


async def test_a_document_whose_planning_raises_is_logged_and_counted(
    app_client: tuple[httpx.AsyncClient, CompiledReads], caplog: pytest.LogCaptureFixture
) -> None:
    _, compiled = app_client
    before = compiled.fallbacks[Fallback.COMPILE_ERROR]
    with caplog.at_level("WARNING", logger="modelatlas.api.compiled"):
        compiled.learn("query Broken { model(slug: ", "Broken")  # parse raises
    assert compiled.plan("query Broken { model(slug: ", "Broken") is None
    assert compiled.fallbacks[Fallback.COMPILE_ERROR] == before + 1
    assert any("Broken" in r.getMessage() for r in caplog.records)


async def test_the_extensions_observe_a_compiled_request(
    seeded_graph: Graph, test_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings = test_settings.model_copy(update={"api_keys": [READER_ENTRY]})
    app = create_app(settings, driver=seeded_graph.driver)
    compiled: CompiledReads = app.state.compiled_reads
    body = {"query": 'query Named { model(slug: "deepseek-r1") { slug } }'}
    reader = {"authorization": f"Bearer {READER_KEY}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://atlas") as client:
        await client.post("/graphql", json=body, headers=reader)
        caplog.clear()
        with caplog.at_level("INFO", logger="modelatlas.requests"):
            planned = await client.post("/graphql", json=body, headers=reader)
            lines = [r for r in caplog.records if r.name == "modelatlas.requests"]
        assert compiled.answered == 1
        # access control refuses a bad key before the plan is asked
        wrong = await client.post(
            "/graphql", json=body, headers={"authorization": "Bearer ma_not-a-key"}
        )
        metrics = (await client.get("/metrics")).text
    assert planned.status_code == 200 and planned.json()["data"]["model"]["slug"] == "deepseek-r1"
    # the operation log noted the compiled request's operation, type and key
    (line,) = lines
    fields = line.fields  # type: ignore[attr-defined]
    assert (fields["operation"], fields["operation_type"]) == ("Named", "query")
    assert fields["key_id"] is not None
    # the cost is the Limits extension's, computed for this request
    assert planned.json()["extensions"]["cost"]["requestedQueryCost"] > 0
    assert wrong.status_code == 401 and compiled.answered == 1
    assert _metric(metrics, "modelatlas_compiled_reads_answered") == 1
