"""The read API over HTTP against the curated seed: exact answers derived from seed/*.yaml.

The seed is written once for this module (`seeded_client`); every test here only reads.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest
from gqlclient import gql, gql_errors, nodes

pytestmark = pytest.mark.anyio

ARTICLE = "urn:modelatlas:article:000_5dbe76b4b65cc5e1"
QWEN_BLOG = "https://qwenlm.github.io/blog/qwen2.5-max/"

BEATEN = """
query Beaten($model: ID!, $variants: Boolean!, $since: Date, $claimant: ID, $benchmark: ID) {
  modelsClaimedToBeat(model: $model, includeVariants: $variants, since: $since,
                      claimant: $claimant, benchmark: $benchmark) {
    totalCount
    edges { node {
      subject { slug } claimant { slug country { code } } beaten { slug } against { slug }
      benchmark { slug } score statement date sources { url } claim { id }
    } }
  }
}
"""


async def test_models_claimed_to_beat_gpt4_through_the_article(
    seeded_client: httpx.AsyncClient,
) -> None:
    data = await gql(seeded_client, BEATEN, {"model": "GPT-4", "variants": False})
    answer = data["modelsClaimedToBeat"]
    assert answer["totalCount"] == 1
    [entry] = nodes(answer)
    assert entry["claim"] == {"id": "qwen2.5-max-surpasses-gpt-4-per-article"}
    assert entry["subject"] == {"slug": "qwen2.5-max"}
    assert entry["claimant"] == {"slug": "alibaba-cloud", "country": {"code": "CN"}}
    assert entry["beaten"] == [{"slug": "gpt-4"}]
    assert entry["against"] == [
        {"slug": "deepseek-v3"},
        {"slug": "gpt-4"},
        {"slug": "llama-3.1-405b"},
    ]
    assert entry["benchmark"] is None and entry["score"] is None and entry["date"] is None
    assert entry["statement"].startswith("Their cloud division shared an announcement")
    assert entry["sources"] == [{"url": ARTICLE}]


async def test_models_claimed_to_beat_gpt4_or_its_variants(
    seeded_client: httpx.AsyncClient,
) -> None:
    data = await gql(seeded_client, BEATEN, {"model": "gpt-4", "variants": True})
    entries = nodes(data["modelsClaimedToBeat"])
    # Newest first, undated last.
    assert [(e["claim"]["id"], e["date"]) for e in entries] == [
        ("qwen2.5-max-outperforms-gpt-4o", "2025-01-28"),
        ("qwen2.5-max-surpasses-gpt-4-per-article", None),
    ]
    first = entries[0]
    assert first["subject"] == {"slug": "qwen2.5-max"}
    assert first["beaten"] == [{"slug": "gpt-4o"}]
    assert first["sources"] == [{"url": QWEN_BLOG}]
    since = await gql(
        seeded_client, BEATEN, {"model": "gpt-4", "variants": True, "since": "2025-01-01"}
    )
    assert [e["claim"]["id"] for e in nodes(since["modelsClaimedToBeat"])] == [
        "qwen2.5-max-outperforms-gpt-4o"
    ]
    by_alibaba_group = await gql(
        seeded_client, BEATEN, {"model": "gpt-4", "variants": True, "claimant": "alibaba"}
    )
    assert by_alibaba_group["modelsClaimedToBeat"]["totalCount"] == 0


async def test_models_claimed_to_beat_on_a_benchmark(seeded_client: httpx.AsyncClient) -> None:
    data = await gql(
        seeded_client,
        BEATEN,
        {"model": "deepseek-v3", "variants": False, "benchmark": "Arena-Hard"},
    )
    [entry] = nodes(data["modelsClaimedToBeat"])
    assert entry["claim"]["id"] == "qwen2.5-max-outperforms-deepseek-v3-arena-hard"
    assert entry["benchmark"] == {"slug": "arena-hard"}
    assert entry["date"] == "2025-01-28"


async def test_unknown_model_is_not_found(seeded_client: httpx.AsyncClient) -> None:
    errors = await gql_errors(
        seeded_client, '{ modelsClaimedToBeat(model: "gpt-7") { totalCount } }'
    )
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"
    assert "gpt-7" in errors[0]["message"]


CLAIMS_BY_COUNTRY = """
query($from: Date, $to: Date) {
  claims(where: {claimantCountry: "CN", againstDeveloperCountry: "us",
                 madeOnFrom: $from, madeOnTo: $to}) {
    totalCount
    edges { node { id madeOn claimant { slug country { code } }
                   against { slug developers { country { code } } } } }
  }
}
"""


async def test_chinese_claims_against_us_models_in_2025(seeded_client: httpx.AsyncClient) -> None:
    data = await gql(seeded_client, CLAIMS_BY_COUNTRY, {"from": "2025-01-01", "to": "2025-12-31"})
    claims = nodes(data["claims"])
    assert [(c["id"], c["madeOn"]) for c in claims] == [
        ("qwen2.5-max-outperforms-gpt-4o", "2025-01-28"),
        ("qwen2.5-max-outperforms-llama-3.1-405b", "2025-01-28"),
        ("doubao-1.5-pro-outperforms-o1", "2025-01-22"),
    ]
    assert data["claims"]["totalCount"] == 3
    for claim in claims:
        assert claim["claimant"]["country"] == {"code": "CN"}
        countries = {d["country"]["code"] for m in claim["against"] for d in m["developers"]}
        assert "US" in countries
    undated_too = await gql(seeded_client, CLAIMS_BY_COUNTRY, {})
    assert [c["id"] for c in nodes(undated_too["claims"])][3:] == [
        "qwen2.5-max-outperforms-deepseek-and-chatgpt-per-article",
        "qwen2.5-max-surpasses-gpt-4-per-article",
    ]


EVENTS_AFTER = """
query($model: ID!, $days: Int!, $attributed: Boolean!) {
  eventsAfterRelease(model: $model, withinDays: $days, attributedOnly: $attributed) {
    totalCount
    edges { node { daysAfter attributed releasedOn
                   event { id kind date magnitude unit affected { slug }
                           citations { source { url } date magnitude } } } }
  }
}
"""


async def test_events_after_deepseek_r1_include_nvidias_fall(
    seeded_client: httpx.AsyncClient,
) -> None:
    data = await gql(
        seeded_client, EVENTS_AFTER, {"model": "deepseek-r1", "days": 30, "attributed": False}
    )
    entries = nodes(data["eventsAfterRelease"])
    assert [(e["event"]["id"], e["attributed"]) for e in entries] == [
        ("deepseek-tops-us-app-store-2025-01", False),
        ("nvidia-stock-fall-2025-01-27", True),
        ("us-tech-stocks-decline-after-deepseek-r1", True),
    ]
    assert {(e["daysAfter"], e["releasedOn"]) for e in entries} == {(7, "2025-01-20")}
    fall = entries[1]["event"]
    assert fall == {
        "id": "nvidia-stock-fall-2025-01-27",
        "kind": "STOCK_MOVE",
        "date": "2025-01-27",
        "magnitude": -17.0,
        "unit": "percent",
        "affected": [{"slug": "nvidia"}],
        "citations": [{"source": {"url": ARTICLE}, "date": "2025-01-27", "magnitude": -17.0}],
    }
    attributed = await gql(
        seeded_client, EVENTS_AFTER, {"model": "deepseek-r1", "days": 30, "attributed": True}
    )
    assert attributed["eventsAfterRelease"]["totalCount"] == 2
    too_soon = await gql(
        seeded_client, EVENTS_AFTER, {"model": "deepseek-r1", "days": 6, "attributed": False}
    )
    assert too_soon["eventsAfterRelease"]["totalCount"] == 0
    later = await gql(
        seeded_client, EVENTS_AFTER, {"model": "qwen2.5-max", "days": 30, "attributed": False}
    )
    assert later["eventsAfterRelease"]["totalCount"] == 0


async def test_lineage_at_any_depth(seeded_client: httpx.AsyncClient) -> None:
    data = await gql(
        seeded_client,
        """{
          v3: model(slug: "deepseek-v3") {
            derivedModels { totalCount edges { node { depth model { slug } } } }
            ancestors { totalCount }
          }
          r1: model(slug: "DeepSeek-R1") {
            ancestors(maxDepth: 1) { edges { node { depth model { slug } } } }
            derivedFrom { slug }
          }
          gpt4: model(slug: "gpt-4") {
            derivedModels { totalCount } variants { edges { node { slug } } }
          }
        }""",
    )
    assert nodes(data["v3"]["derivedModels"]) == [{"depth": 1, "model": {"slug": "deepseek-r1"}}]
    assert data["v3"]["ancestors"]["totalCount"] == 0
    assert nodes(data["r1"]["ancestors"]) == [{"depth": 1, "model": {"slug": "deepseek-v3"}}]
    assert data["r1"]["derivedFrom"] == [{"slug": "deepseek-v3"}]
    assert data["gpt4"]["derivedModels"]["totalCount"] == 0
    assert nodes(data["gpt4"]["variants"]) == [{"slug": "gpt-4o"}]


PATH = """
query($from: ID!, $to: ID!, $hops: Int!, $via: [RelationshipType!]) {
  path(from: $from, to: $to, maxHops: $hops, relationships: $via) {
    hops start { kind key } end { kind key }
    steps { relationship direction node { kind key name } }
  }
}
"""


async def test_path_from_moonshot_to_nvidia(seeded_client: httpx.AsyncClient) -> None:
    data = await gql(
        seeded_client, PATH, {"from": "moonshot-ai", "to": "organization:nvidia", "hops": 6}
    )
    path = data["path"]
    assert path["hops"] == 4
    assert path["start"] == {"kind": "Organization", "key": "moonshot-ai"}
    assert path["end"] == {"kind": "Organization", "key": "nvidia"}
    steps = path["steps"]
    # Moonshot announced Kimi k1.5; the article reports that launch and NVIDIA's losses.
    assert steps[0]["relationship"] == "ANNOUNCED_BY" and steps[0]["direction"] == "INCOMING"
    assert steps[0]["node"]["key"] == "kimi-k1.5-launch"
    assert steps[1] == {
        "relationship": "CITED_IN",
        "direction": "OUTGOING",
        "node": {
            "kind": "Source",
            "key": ARTICLE,
            "name": "Alibaba AI Qwen 2.5 Max: Is China Preparing for an AI Battle with the U.S.?",
        },
    }
    assert steps[2]["relationship"] == "CITED_IN" and steps[2]["node"]["kind"] == "MarketEvent"
    assert steps[3]["relationship"] == "AFFECTED" and steps[3]["direction"] == "OUTGOING"
    without_sources = [
        "BASED_IN", "PART_OF", "PARTNER_OF", "DEVELOPED", "DERIVED_FROM", "VARIANT_OF",
        "ANNOUNCED_BY", "INTRODUCED", "CLAIMED_BY", "SUBJECT", "AGAINST", "ON", "OF",
        "AFFECTED", "ATTRIBUTED_TO",
    ]  # fmt: skip
    direct = await gql(
        seeded_client,
        PATH,
        {"from": "model:kimi-k1.5", "to": "nvidia", "hops": 6, "via": without_sources},
    )
    # Kimi k1.5 <- Moonshot AI -> China <- DeepSeek -> DeepSeek-R1 <- event -> NVIDIA.
    assert direct["path"]["hops"] == 6
    assert {s["relationship"] for s in direct["path"]["steps"]} <= set(without_sources)
    short = await gql(seeded_client, PATH, {"from": "moonshot-ai", "to": "nvidia", "hops": 3})
    assert short["path"] is None
    itself = await gql(seeded_client, PATH, {"from": "nvidia", "to": "NVIDIA", "hops": 2})
    assert itself["path"]["hops"] == 0 and itself["path"]["steps"] == []
    # no relationship type allowed: only the empty path from a node to itself
    none = await gql(
        seeded_client, PATH, {"from": "moonshot-ai", "to": "nvidia", "hops": 6, "via": []}
    )
    assert none["path"] is None
    alone = await gql(seeded_client, PATH, {"from": "nvidia", "to": "nvidia", "hops": 6, "via": []})
    assert alone["path"]["hops"] == 0


async def test_path_errors(seeded_client: httpx.AsyncClient) -> None:
    missing = await gql_errors(
        seeded_client, '{ path(from: "moonshot-ai", to: "model:nothing") { hops } }'
    )
    assert missing[0]["extensions"]["code"] == "NOT_FOUND"
    too_far = await gql_errors(
        seeded_client, '{ path(from: "moonshot-ai", to: "nvidia", maxHops: 11) { hops } }'
    )
    assert too_far[0]["extensions"]["code"] == "BAD_USER_INPUT"


TIMELINE = """
query($slug: ID!, $from: Date) {
  timeline(slug: $slug, from: $from) {
    totalCount
    edges { node { kind date item { __typename
      ... on Release { slug } ... on Claim { id } ... on MarketEvent { id } ... on Result { id }
    } } }
  }
}
"""


def _keys(entries: list[dict[str, Any]]) -> list[tuple[str, str | None, str]]:
    """(kind, date, key of the item) of each timeline entry."""
    return [
        (e["kind"], e["date"], next(v for k, v in e["item"].items() if k != "__typename"))
        for e in entries
    ]


async def test_timeline_of_an_organization_and_a_model(seeded_client: httpx.AsyncClient) -> None:
    data = await gql(seeded_client, TIMELINE, {"slug": "deepseek"})
    assert _keys(nodes(data["timeline"])) == [
        ("RELEASE", "2024-12-26", "deepseek-v3-launch"),
        ("RELEASE", "2025-01-20", "deepseek-r1-launch"),
        ("MARKET_EVENT", "2025-01-27", "deepseek-tops-us-app-store-2025-01"),
        ("MARKET_EVENT", "2025-01-27", "nvidia-stock-fall-2025-01-27"),
        ("MARKET_EVENT", "2025-01-27", "us-tech-stocks-decline-after-deepseek-r1"),
        ("CLAIM", None, "deepseek-lower-cost-per-article"),
    ]
    since = await gql(seeded_client, TIMELINE, {"slug": "deepseek", "from": "2025-01-01"})
    assert since["timeline"]["totalCount"] == 4
    model = await gql(seeded_client, TIMELINE, {"slug": "model:gpt-4"})
    assert _keys(nodes(model["timeline"])) == [
        ("RELEASE", "2023-03-14", "gpt-4-launch"),
        ("CLAIM", None, "qwen2.5-max-surpasses-gpt-4-per-article"),
    ]


SEARCH = """
query($text: String!, $kinds: [SearchKind!]) {
  search(text: $text, kinds: $kinds, first: 5) {
    kind key name score node { __typename ... on Model { slug releasedOn } }
  }
}
"""


async def test_search_names_and_aliases(seeded_client: httpx.AsyncClient) -> None:
    data = await gql(seeded_client, SEARCH, {"text": "Qwen 2.5 Max"})
    top = data["search"][0]
    assert (top["kind"], top["key"], top["name"]) == ("MODEL", "qwen2.5-max", "Qwen2.5-Max")
    assert top["node"] == {"__typename": "Model", "slug": "qwen2.5-max", "releasedOn": "2025-01-28"}
    assert top["score"] > 0
    scores = [hit["score"] for hit in data["search"]]
    assert scores == sorted(scores, reverse=True)
    for text in ("a AND (", '"', "OR", "*", "\\", "qwen~ [x TO y]"):
        await gql(seeded_client, SEARCH, {"text": text})  # Lucene syntax never errors
    nvidia = await gql(seeded_client, SEARCH, {"text": "nvidia"})
    assert nvidia["search"][0]["key"] == "nvidia"
    models = await gql(seeded_client, SEARCH, {"text": "DeepSeek", "kinds": ["MODEL"]})
    assert {hit["key"] for hit in models["search"]} == {"deepseek-v3", "deepseek-r1"}


async def test_model_counts_for_charts(seeded_client: httpx.AsyncClient) -> None:
    data = await gql(
        seeded_client,
        """{
          country: modelCounts(by: COUNTRY) { key label count }
          year: modelCounts(by: YEAR) { key count }
          organization: modelCounts(by: ORGANIZATION) { key count }
          open: modelCounts(
            by: COUNTRY, where: {accessibility: [OPEN_WEIGHTS, OPEN_WEIGHTS_RESTRICTED]}
          ) { key count }
          openai: modelCounts(by: YEAR, where: {organization: "openai"}) { key count }
          chinese: modelCounts(by: ORGANIZATION, where: {country: "CN"}) { key count }
          openaiModels: models(first: 100, where: {organization: "openai"}) {
            edges { node { releasedOn } }
          }
        }""",
    )
    assert data["country"] == [
        {"key": "US", "label": "United States", "count": 7},
        {"key": "CN", "label": "China", "count": 5},
    ]
    assert data["year"] == [
        {"key": "2022", "count": 1},
        {"key": "2023", "count": 1},
        {"key": "2024", "count": 4},
        {"key": "2025", "count": 3},
        {"key": None, "count": 3},
    ]
    assert data["organization"] == [
        {"key": "openai", "count": 5},
        {"key": "deepseek", "count": 2},
        {"key": "alibaba-cloud", "count": 1},
        {"key": "bytedance", "count": 1},
        {"key": "google", "count": 1},
        {"key": "meta", "count": 1},
        {"key": "moonshot-ai", "count": 1},
    ]
    assert data["open"] == [{"key": "CN", "count": 2}, {"key": "US", "count": 1}]
    # Counts filtered by a related node (these start from that node) agree with the lists.
    years = Counter(
        (edge["node"]["releasedOn"] or "")[:4] or None for edge in data["openaiModels"]["edges"]
    )
    assert sum(years.values()) == 5
    assert {row["key"]: row["count"] for row in data["openai"]} == dict(years)
    assert data["chinese"] == [
        {"key": "deepseek", "count": 2},
        {"key": "alibaba-cloud", "count": 1},
        {"key": "bytedance", "count": 1},
        {"key": "moonshot-ai", "count": 1},
    ]


async def test_lists_filter_and_sort(seeded_client: httpx.AsyncClient) -> None:
    data = await gql(
        seeded_client,
        """{
          chinese: models(where: {country: "CN"}, orderBy: RELEASED_ON_DESC) {
            totalCount edges { node { slug releasedOn } } }
          gpt: models(where: {nameContains: "gpt"}) { edges { node { name } } }
          open: models(where: {accessibility: [OPEN_WEIGHTS]}) { edges { node { slug } } }
          companies: organizations(
            where: {country: "us", kind: [COMPANY]}, orderBy: NAME_DESC, first: 3
          ) { totalCount edges { node { slug } } }
          events: marketEvents(where: {organization: "NVIDIA"}, orderBy: DATE_ASC) { totalCount }
          releases(where: {dateFrom: "2025-01-01"}) { edges { node { slug date } } }
          benchmarks(where: {nameContains: "live"}) { edges { node { slug higherIsBetter } } }
          sources(where: {publisher: "openai"}, orderBy: PUBLISHED_ON_ASC) {
            edges { node { publishedOn } }
          }
          countries { edges { node { code name } } }
        }""",
    )
    assert [(m["slug"], m["releasedOn"]) for m in nodes(data["chinese"])] == [
        ("qwen2.5-max", "2025-01-28"),
        ("doubao-1.5-pro", "2025-01-22"),
        ("deepseek-r1", "2025-01-20"),
        ("deepseek-v3", "2024-12-26"),
        ("kimi-k1.5", None),
    ]
    assert [m["name"] for m in nodes(data["gpt"])] == ["ChatGPT", "GPT-4", "GPT-4o"]
    assert nodes(data["open"]) == [{"slug": "deepseek-r1"}]
    assert data["companies"]["totalCount"] == 7
    assert [o["slug"] for o in nodes(data["companies"])] == ["openai", "nvidia", "microsoft"]
    assert data["events"]["totalCount"] == 2
    assert [(r["slug"], r["date"]) for r in nodes(data["releases"])] == [
        ("qwen2.5-max-launch", "2025-01-28"),
        ("doubao-1.5-pro-launch", "2025-01-22"),
        ("deepseek-r1-launch", "2025-01-20"),
    ]
    assert nodes(data["benchmarks"]) == [
        {"slug": "livebench", "higherIsBetter": True},
        {"slug": "livecodebench", "higherIsBetter": True},
    ]
    assert [s["publishedOn"] for s in nodes(data["sources"])] == [
        "2022-11-30",
        "2023-03-14",
        "2024-05-13",
        "2024-09-12",
    ]
    assert nodes(data["countries"]) == [
        {"code": "CN", "name": "China"},
        {"code": "US", "name": "United States"},
    ]


async def test_paging_through_all_models(seeded_client: httpx.AsyncClient) -> None:
    query = """query($after: String) {
      models(first: 5, after: $after) {
        totalCount edges { cursor node { slug } } pageInfo { hasNextPage endCursor hasPreviousPage }
      }
    }"""
    seen: list[str] = []
    after = None
    pages = []
    while True:
        page = (await gql(seeded_client, query, {"after": after}))["models"]
        assert page["totalCount"] == 12
        seen += [n["slug"] for n in nodes(page)]
        pages.append(page["pageInfo"]["hasNextPage"])
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == [True, True, False]
    assert seen == [
        "chatgpt", "deepseek-r1", "deepseek-v3", "doubao-1.5-pro", "gemini", "gpt-4",
        "gpt-4o", "kimi-k1.5", "llama-3.1-405b", "o1", "o1-preview", "qwen2.5-max",
    ]  # fmt: skip


async def test_page_size_and_cursor_errors(seeded_client: httpx.AsyncClient) -> None:
    [too_many] = await gql_errors(seeded_client, "{ models(first: 101) { totalCount } }")
    assert too_many["extensions"]["code"] == "BAD_USER_INPUT"
    assert too_many["message"] == (
        "Requesting 101 records on the `models` connection exceeds the `first` limit of 100 "
        "records."
    )
    nested = await gql_errors(
        seeded_client,
        "{ organizations(first: 1) { edges { node { models(first: 101) { totalCount } } } } }",
    )
    assert {e["extensions"]["code"] for e in nested} == {"BAD_USER_INPUT"}
    negative = await gql_errors(seeded_client, "{ claims(first: -1) { totalCount } }")
    assert negative[0]["extensions"]["code"] == "BAD_USER_INPUT"
    garbage = await gql_errors(seeded_client, '{ models(after: "nonsense") { totalCount } }')
    assert garbage[0]["extensions"]["code"] == "BAD_USER_INPUT"
    cursor = (await gql(seeded_client, "{ models(first: 1) { pageInfo { endCursor } } }"))[
        "models"
    ]["pageInfo"]["endCursor"]
    foreign = await gql_errors(
        seeded_client,
        "query($c: String) { models(after: $c, orderBy: RELEASED_ON_DESC) { totalCount } }",
        {"c": cursor},
    )
    assert foreign[0]["extensions"]["code"] == "BAD_USER_INPUT"


BAD_INPUT = "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("query", "message", "at", "extensions"),
    [
        (
            '{ eventsAfterRelease(model: "deepseek-r1", withinDays: -1) { totalCount } }',
            "`withinDays` must be between 0 and 3660",
            (3, ["eventsAfterRelease"]),
            {"code": BAD_INPUT, "argument": "withinDays"},
        ),
        (
            '{ model(slug: "deepseek-r1") { derivedModels(maxDepth: 0) { totalCount } } }',
            "`maxDepth` must be at least 1",
            (32, ["model", "derivedModels"]),
            {"code": BAD_INPUT, "argument": "maxDepth"},
        ),
        (
            '{ path(from: "moonshot-ai", to: "nvidia", maxHops: 11) { hops } }',
            "`maxHops` must be between 1 and 10",
            (3, ["path"]),
            {"code": BAD_INPUT, "argument": "maxHops"},
        ),
        (
            '{ search(text: "' + "a" * 501 + '") { key } }',
            "The search text is longer than 500 characters.",
            (3, ["search"]),
            {"code": BAD_INPUT, "argument": "text"},
        ),
        (
            '{ leaderboard(benchmark: "no-such-benchmark") { totalCount } }',
            "no benchmark 'no-such-benchmark'",
            (3, ["leaderboard"]),
            {"code": "NOT_FOUND"},
        ),
    ],
)
async def test_read_errors_name_the_argument_as_the_schema_spells_it(
    seeded_client: httpx.AsyncClient,
    query: str,
    message: str,
    at: tuple[int, list[str]],
    extensions: dict[str, str],
) -> None:
    column, path = at
    error = {
        "message": message,
        "locations": [{"line": 1, "column": column}],
        "path": path,
        "extensions": extensions,
    }
    for _ in range(2):  # the second run of a document may be answered by its compiled plan
        assert await gql_errors(seeded_client, query) == [error]


async def test_relationships_in_both_directions(seeded_client: httpx.AsyncClient) -> None:
    data = await gql(
        seeded_client,
        """{
          alibaba: organization(slug: "Alibaba") {
            name aliases country { code name } parent { slug }
            parts { edges { node { slug parent { slug } } } }
          }
          cloud: organization(slug: "alibaba-cloud") {
            models { edges { node { slug developers { slug } } } }
            claims { totalCount }
            releases { edges { node { slug announcedBy { slug } introduced { slug } } } }
          }
          microsoft: organization(slug: "microsoft") { partners { edges { node { slug } } } }
          openai: organization(slug: "openai") {
            partners { edges { node { slug } } } models(first: 2) { totalCount }
          }
          nvidia: organization(slug: "nvidia") { events { edges { node { id } } } }
          cn: country(code: "cn") { organizations { totalCount } }
          gpt4o: model(slug: "GPT-4o") {
            name parameters modalities accessibility variantOf { slug } developers { slug }
            releases { edges { node { slug } } }
            claimsAgainst { edges { node { id subject { slug } } } }
            claims { totalCount }
          }
          llama: model(slug: "llama-3.1-405b") { parameters trainingComputeFlop }
          claim: claim(id: "qwen2.5-max-outperforms-deepseek-v3-arena-hard") {
            kind status benchmark { name } citations { source { url } date score }
          }
          release: release(slug: "deepseek-r1-launch") {
            date citations { source { url } date } events { totalCount } introduced { slug }
          }
          event: marketEvent(id: "nvidia-stock-fall-2025-01-27") {
            attributedToModels { slug } attributedToReleases { slug } affected { slug }
          }
          article: source(url: "URN:modelatlas:article:000_5dbe76b4b65cc5e1") {
            title claims { totalCount } marketEvents { totalCount } releases { totalCount }
          }
          openaiBlog: source(url: "https://OpenAI.com/research/gpt-4") { publishedOn }
          gpqa: benchmark(slug: "GPQA-Diamond") { metric claims { edges { node { id } } } }
          nothing: model(slug: "no-such-model") { slug }
        }""",
    )
    assert data["alibaba"]["name"] == "Alibaba Group"
    assert data["alibaba"]["aliases"] == ["Alibaba"]
    assert data["alibaba"]["country"] == {"code": "CN", "name": "China"}
    assert data["alibaba"]["parent"] is None
    assert nodes(data["alibaba"]["parts"]) == [
        {"slug": "alibaba-cloud", "parent": {"slug": "alibaba"}}
    ]
    assert nodes(data["cloud"]["models"]) == [
        {"slug": "qwen2.5-max", "developers": [{"slug": "alibaba-cloud"}]}
    ]
    assert data["cloud"]["claims"]["totalCount"] == 7
    assert nodes(data["cloud"]["releases"]) == [
        {
            "slug": "qwen2.5-max-launch",
            "announcedBy": [{"slug": "alibaba-cloud"}],
            "introduced": [{"slug": "qwen2.5-max"}],
        }
    ]
    assert nodes(data["microsoft"]["partners"]) == [{"slug": "openai"}]
    assert nodes(data["openai"]["partners"]) == [{"slug": "microsoft"}]
    assert data["openai"]["models"]["totalCount"] == 5
    assert nodes(data["nvidia"]["events"]) == [
        {"id": "nvidia-stock-fall-2025-01-27"},
        {"id": "us-tech-stocks-decline-after-deepseek-r1"},
    ]
    assert data["cn"]["organizations"]["totalCount"] == 5
    gpt4o = data["gpt4o"]
    assert gpt4o["name"] == "GPT-4o" and gpt4o["parameters"] is None
    assert gpt4o["modalities"] == ["text", "image", "audio"]
    assert gpt4o["accessibility"] == "API"
    assert gpt4o["variantOf"] == {"slug": "gpt-4"}
    assert gpt4o["developers"] == [{"slug": "openai"}]
    assert nodes(gpt4o["releases"]) == [{"slug": "gpt-4o-launch"}]
    assert nodes(gpt4o["claimsAgainst"]) == [
        {"id": "qwen2.5-max-outperforms-gpt-4o", "subject": {"slug": "qwen2.5-max"}}
    ]
    assert gpt4o["claims"]["totalCount"] == 0
    assert data["llama"] == {"parameters": 405000000000, "trainingComputeFlop": 3.8e25}
    assert data["claim"] == {
        "kind": "OUTPERFORMS",
        "status": "ASSERTED",
        "benchmark": {"name": "Arena-Hard"},
        "citations": [{"source": {"url": QWEN_BLOG}, "date": "2025-01-28", "score": None}],
    }
    assert data["release"] == {
        "date": "2025-01-20",
        "citations": [
            {
                "source": {"url": "https://api-docs.deepseek.com/news/news250120"},
                "date": "2025-01-20",
            },
            {"source": {"url": ARTICLE}, "date": "2025-01-20"},
        ],
        "events": {"totalCount": 2},
        "introduced": [{"slug": "deepseek-r1"}],
    }
    assert data["event"] == {
        "attributedToModels": [{"slug": "deepseek-r1"}],
        "attributedToReleases": [{"slug": "deepseek-r1-launch"}],
        "affected": [{"slug": "nvidia"}],
    }
    assert data["article"]["claims"]["totalCount"] == 4
    assert data["article"]["marketEvents"]["totalCount"] == 3
    assert data["article"]["releases"]["totalCount"] == 5
    assert data["openaiBlog"] == {"publishedOn": "2023-03-14"}
    assert data["gpqa"] == {
        "metric": "accuracy",
        "claims": {"edges": [{"node": {"id": "qwen2.5-max-outperforms-deepseek-v3-gpqa-diamond"}}]},
    }
    assert data["nothing"] is None
