"""The input models reject bad data with messages that name the field, before any write."""

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from modelatlas.countries import COUNTRY_NAMES, country_code, country_name
from modelatlas.domain import (
    Accessibility,
    Claim,
    ClaimKind,
    ClaimStatus,
    Country,
    Dataset,
    MarketEvent,
    Model,
    Organization,
    OrganizationKind,
    ReferenceProblem,
    Release,
    Result,
    Source,
    slugify,
)

ARTICLE = "urn:modelatlas:article:000_5dbe76b4b65cc5e1"


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    """Map each error's field path to its message, for exact assertions."""
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in exc.value.errors()}


def claim(**overrides: Any) -> dict[str, Any]:
    """A valid claim as YAML would give it, with some fields replaced."""
    data: dict[str, Any] = {
        "id": "qwen-beats-gpt-4o",
        "kind": "OUTPERFORMS",
        "statement": "Qwen2.5-Max outperforms GPT-4o.",
        "claimedBy": "alibaba-cloud",
        "subject": "qwen2.5-max",
        "against": ["gpt-4o"],
        "sources": [ARTICLE],
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Qwen2.5-Max", "qwen2.5-max"),
        ("Llama 3.1 405B", "llama-3.1-405b"),
        ("Z.ai (Zhipu AI)", "z.ai-zhipu-ai"),
        ("GPT-4o", "gpt-4o"),
        ("  Kimi   k1.5  ", "kimi-k1.5"),
        ("Mistral Large 2 — Instruct", "mistral-large-2-instruct"),
        ("Éclair Modèle", "eclair-modele"),
        ("...leading and trailing-.", "leading-and-trailing"),
    ],
)
def test_slugify_normalises_names(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize("text", ["", "   ", "---", "…", "中文"])
def test_slugify_rejects_text_without_letters_or_digits(text: str) -> None:
    with pytest.raises(ValueError, match="slug"):
        slugify(text)


def test_slug_fields_are_normalised_and_derived_from_the_name() -> None:
    model = Model.model_validate({"name": "GPT-4o", "variantOf": "GPT-4", "developers": ["OpenAI"]})
    assert model.slug == "gpt-4o"
    assert model.variant_of == "gpt-4"
    assert model.developers == ["openai"]
    assert Model(slug="My Model", name="Whatever").slug == "my-model"
    assert Organization.model_validate({"name": "Z.ai (Zhipu AI)"}).slug == "z.ai-zhipu-ai"


def test_overlong_slug_is_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        Model(slug="x" * 201, name="x")
    assert errors_of(exc) == {"slug": "slug is longer than 200 characters"}


def test_camel_case_and_snake_case_are_both_accepted() -> None:
    camel = Model.model_validate(
        {"name": "Llama 3.1 405B", "releasedOn": "2024-07-23", "trainingComputeFlop": 3.8e25}
    )
    snake = Model.model_validate(
        {"name": "Llama 3.1 405B", "released_on": "2024-07-23", "training_compute_flop": 3.8e25}
    )
    assert camel == snake
    assert camel.released_on == dt.date(2024, 7, 23)
    assert camel.model_dump(by_alias=True)["trainingComputeFlop"] == 3.8e25


def test_records_are_frozen_and_reject_unknown_fields() -> None:
    model = Model(name="o1", slug="o1")
    with pytest.raises(ValidationError):
        model.name = "o2"
    with pytest.raises(ValidationError) as exc:
        Model.model_validate({"name": "o1", "colour": "red"})
    assert "colour" in errors_of(exc)


def test_future_date_is_rejected_with_the_date_in_the_message() -> None:
    future = dt.date.today() + dt.timedelta(days=3)
    with pytest.raises(ValidationError) as exc:
        Model.model_validate({"name": "GPT-9", "releasedOn": future.isoformat()})
    assert errors_of(exc) == {"releasedOn": f"date {future.isoformat()} is in the future"}


@pytest.mark.parametrize(
    ("cls", "data", "field"),
    [
        (Source, {"url": ARTICLE}, "publishedOn"),
        (Claim, claim(), "madeOn"),
        (
            Release,
            {"slug": "r", "title": "R", "announcedBy": ["a"], "introduced": ["m"]},
            "date",
        ),
        (Result, {"id": "r", "model": "m", "benchmark": "b", "score": 1}, "measuredOn"),
        (MarketEvent, {"id": "e", "kind": "OTHER", "description": "d", "affected": ["a"]}, "date"),
    ],
)
def test_every_past_date_rejects_the_future(
    cls: type[Any], data: dict[str, Any], field: str
) -> None:
    if cls is not Source:
        data = {"sources": [ARTICLE], **data}
    assert cls.model_validate({**data, field: dt.date.today()})
    with pytest.raises(ValidationError) as exc:
        cls.model_validate({**data, field: dt.date(2999, 1, 1)})
    assert errors_of(exc) == {field: "date 2999-01-01 is in the future"}


@pytest.mark.parametrize("value", [20250128, "1700000000", "28/01/2025", True])
def test_dates_must_be_iso_dates_not_numbers(value: object) -> None:
    with pytest.raises(ValidationError) as exc:
        Source.model_validate({"url": ARTICLE, "publishedOn": value})
    assert "publishedOn" in errors_of(exc)


def test_negative_parameters_are_rejected_naming_the_field() -> None:
    with pytest.raises(ValidationError) as exc:
        Model.model_validate({"name": "m", "parameters": -1})
    assert list(errors_of(exc)) == ["parameters"]
    assert "greater than or equal to 0" in errors_of(exc)["parameters"]


@pytest.mark.parametrize(
    ("given", "stored"),
    [(405000000000.0, 405_000_000_000), ("4.05e+11", 405_000_000_000), ("7_000_000", 7_000_000)],
)
def test_parameters_accept_integral_floats_and_strings(given: object, stored: int) -> None:
    assert Model.model_validate({"name": "m", "parameters": given}).parameters == stored


@pytest.mark.parametrize("given", [1.5, "1.5e0", "lots", True, 2**63, "nan", "1e999999999"])
def test_parameters_reject_fractions_words_booleans_and_overflow(given: object) -> None:
    with pytest.raises(ValidationError) as exc:
        Model.model_validate({"name": "m", "parameters": given})
    assert list(errors_of(exc)) == ["parameters"]


def test_compute_and_scores_are_non_negative_but_magnitude_may_fall() -> None:
    assert (
        Model.model_validate({"name": "m", "trainingComputeFlop": "3.8e+25"}).training_compute_flop
        == 3.8e25
    )
    with pytest.raises(ValidationError) as exc:
        Model.model_validate({"name": "m", "trainingComputeFlop": -1.0})
    assert list(errors_of(exc)) == ["trainingComputeFlop"]
    with pytest.raises(ValidationError) as exc:
        Result.model_validate(
            {"id": "r", "model": "m", "benchmark": "b", "score": -0.5, "sources": [ARTICLE]}
        )
    assert list(errors_of(exc)) == ["score"]
    event = MarketEvent.model_validate(
        {
            "id": "nvidia-fall",
            "kind": "stock_move",
            "date": "2025-01-27",
            "description": "NVIDIA fell about 17%.",
            "magnitude": -17,
            "unit": "percent",
            "affected": ["nvidia"],
            "sources": [ARTICLE],
        }
    )
    assert event.magnitude == -17.0
    assert event.kind == "STOCK_MOVE"


def test_magnitude_needs_a_unit() -> None:
    with pytest.raises(ValidationError) as exc:
        MarketEvent.model_validate(
            {
                "id": "e",
                "kind": "STOCK_MOVE",
                "date": "2025-01-27",
                "description": "d",
                "magnitude": -17,
                "affected": ["nvidia"],
                "sources": [ARTICLE],
            }
        )
    assert errors_of(exc) == {"unit": "a magnitude needs a unit"}


def test_enums_are_case_insensitive_but_closed() -> None:
    assert Claim.model_validate(claim(kind="outperforms")).kind is ClaimKind.OUTPERFORMS
    assert Claim.model_validate(claim(status="disputed")).status is ClaimStatus.DISPUTED
    model = Model.model_validate({"name": "m", "accessibility": "open-weights restricted"})
    assert model.accessibility is Accessibility.OPEN_WEIGHTS_RESTRICTED
    org = Organization.model_validate({"name": "x", "kind": "Research_Collective"})
    assert org.kind is OrganizationKind.RESEARCH_COLLECTIVE
    with pytest.raises(ValidationError) as exc:
        Claim.model_validate(claim(kind="beats"))
    assert list(errors_of(exc)) == ["kind"]
    assert "OUTPERFORMS" in errors_of(exc)["kind"]


@pytest.mark.parametrize(
    ("cls", "data", "kind"),
    [
        (Claim, {k: v for k, v in claim().items() if k != "sources"}, "Claim"),
        (
            Release,
            {"slug": "r", "title": "R", "announcedBy": ["a"], "introduced": ["m"], "sources": []},
            "Release",
        ),
        (Result, {"id": "r", "model": "m", "benchmark": "b", "score": 1}, "Result"),
        (
            MarketEvent,
            {
                "id": "e",
                "kind": "OTHER",
                "date": "2025-01-27",
                "description": "d",
                "affected": ["a"],
            },
            "MarketEvent",
        ),
    ],
)
def test_facts_without_sources_are_rejected(
    cls: type[Any], data: dict[str, Any], kind: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        cls.model_validate(data)
    assert errors_of(exc) == {"sources": f"a {kind} must cite at least one source"}


def test_release_needs_an_announcer_and_a_model() -> None:
    given = {"slug": "r", "title": "R", "sources": [ARTICLE], "announcedBy": [], "introduced": []}
    with pytest.raises(ValidationError) as exc:
        Release.model_validate(given)
    assert errors_of(exc) == {
        "announcedBy": "a Release must name at least one announcing organization in announcedBy",
        "introduced": "a Release must name at least one model in introduced",
    }
    with pytest.raises(ValidationError) as exc:
        Release.model_validate({"slug": "r", "title": "R", "sources": [ARTICLE]})
    assert len(errors_of(exc)) == 2  # left out entirely, the lists are still required


def test_comparative_claims_need_another_model() -> None:
    with pytest.raises(ValidationError) as exc:
        Claim.model_validate(claim(against=[]))
    assert errors_of(exc) == {
        "against": "claims of kind OUTPERFORMS must name at least one model in against"
    }
    assert Claim.model_validate(claim(kind="OTHER", against=[])).against == []
    with pytest.raises(ValidationError) as exc:
        Claim.model_validate(claim(against=["gpt-4o", "Qwen2.5-Max"]))
    assert errors_of(exc) == {"against": "the subject 'qwen2.5-max' cannot also be in against"}


def test_claim_score_needs_a_benchmark_and_statement_must_not_be_empty() -> None:
    with pytest.raises(ValidationError) as exc:
        Claim.model_validate(claim(score=89.4, statement="   "))
    assert set(errors_of(exc)) == {"score", "statement"}
    assert Claim.model_validate(claim(score=89.4, benchmark="Arena-Hard")).benchmark == "arena-hard"


def test_a_model_cannot_derive_from_itself() -> None:
    with pytest.raises(ValidationError) as exc:
        Model.model_validate({"name": "DeepSeek-R1", "derivedFrom": ["deepseek-r1"]})
    assert errors_of(exc) == {"derivedFrom": "a model cannot be derived from itself"}
    with pytest.raises(ValidationError) as exc:
        Model.model_validate({"name": "GPT-4o", "variantOf": "GPT-4o"})
    assert errors_of(exc) == {"variantOf": "a model cannot be a variant of itself"}


def test_organizations_cannot_contain_or_partner_themselves() -> None:
    with pytest.raises(ValidationError) as exc:
        Organization.model_validate(
            {"name": "Alibaba", "partOf": "alibaba", "partners": ["alibaba"]}
        )
    assert set(errors_of(exc)) == {"partOf", "partners"}


@pytest.mark.parametrize("code", ["XX", "UK", "USA", "", "C"])
def test_invalid_iso_country_codes_are_rejected(code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        Organization.model_validate({"name": "x", "country": code})
    assert "ISO 3166-1 alpha-2" in errors_of(exc)["country"]


def test_country_codes_are_upper_cased_and_named_from_the_table() -> None:
    assert Organization.model_validate({"name": "DeepSeek", "country": "cn"}).country == "CN"
    assert Country(code="kr") == Country(code="KR", name="Korea, Republic of")
    assert Country(code="US", name="USA").name == "USA"
    with pytest.raises(ValidationError) as exc:
        Country(code="UK")
    assert (
        errors_of(exc)["code"]
        == "'UK' is not an ISO 3166-1 alpha-2 country code (did you mean GB?)"
    )


def test_country_table_is_complete() -> None:
    assert len(COUNTRY_NAMES) == 249
    assert all(len(code) == 2 and code.isupper() for code in COUNTRY_NAMES)
    assert country_name("cn") == "China"
    assert country_name("XX") is None


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("United States of America", "US"),
        ("United Kingdom of Great Britain and Northern Ireland", "GB"),
        ("Korea (Republic of)", "KR"),
        ("Korea (Democratic People's Republic of)", "KP"),
        ("China", "CN"),
        ("Taiwan", "TW"),
        ("Russia", "RU"),
        ("Viet Nam", "VN"),
        ("Iran (Islamic Republic of)", "IR"),
        ("Netherlands (Kingdom of the)", "NL"),
        ("Congo (Democratic Republic of the)", "CD"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("UAE", "AE"),
        ("Hong Kong", "HK"),
        ("USA", "US"),
        ("UK", "GB"),
        ("fr", "FR"),
    ],
)
def test_country_code_maps_long_and_common_names(name: str, code: str) -> None:
    assert country_code(name) == code


@pytest.mark.parametrize("name", ["Multinational", "Korea", "Atlantis", "", "XX"])
def test_country_code_returns_none_for_unknown_names(name: str) -> None:
    assert country_code(name) is None


def test_source_urls_are_http_or_urn() -> None:
    assert Source(url=ARTICLE).url == ARTICLE
    assert Source(url="HTTPS://QwenLM.github.io/blog/qwen2.5-max/").url == (
        "https://qwenlm.github.io/blog/qwen2.5-max/"
    )
    for bad in ["ftp://example.com/x", "qwenlm.github.io", "https://", "urn:", "https://a b.com"]:
        with pytest.raises(ValidationError) as exc:
            Source(url=bad)
        assert list(errors_of(exc)) == ["url"]
    with pytest.raises(ValidationError) as exc:
        Organization.model_validate({"name": "x", "website": ARTICLE})
    assert list(errors_of(exc)) == ["website"]


def test_oversized_input_is_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        Model.model_validate({"name": "m", "aliases": [f"a{i}" for i in range(1001)]})
    assert list(errors_of(exc)) == ["aliases"]
    with pytest.raises(ValidationError) as exc:
        Model.model_validate({"name": "m" * 301, "slug": "m"})
    assert list(errors_of(exc)) == ["name"]
    with pytest.raises(ValidationError) as exc:
        Claim.model_validate(claim(statement="x" * 5001))
    assert list(errors_of(exc)) == ["statement"]


def test_reference_lists_drop_repeats() -> None:
    model = Model.model_validate({"name": "m", "developers": ["OpenAI", "openai"]})
    assert model.developers == ["openai"]
    assert Model.model_validate({"name": "m", "modalities": ["Text", "text"]}).modalities == [
        "text"
    ]


def sample_dataset() -> Dataset:
    """A small dataset with one dangling reference of each sort that matters here."""
    return Dataset.model_validate(
        {
            "sources": [{"url": ARTICLE}],
            "organizations": [{"name": "Alibaba Cloud", "partOf": "alibaba"}],
            "models": [
                {"name": "Qwen2.5-Max", "developers": ["alibaba-cloud"]},
                {"name": "GPT-4o", "variantOf": "gpt-4"},
            ],
            "claims": [claim(sources=[ARTICLE, "https://qwenlm.github.io/blog/qwen2.5-max/"])],
            "marketEvents": [
                {
                    "id": "e",
                    "kind": "OTHER",
                    "date": "2025-01-27",
                    "description": "d",
                    "affected": ["nvidia"],
                    "attributedToReleases": ["deepseek-r1-launch"],
                    "sources": [ARTICLE],
                }
            ],
        }
    )


def test_check_references_reports_what_points_to_nothing() -> None:
    problems = sample_dataset().check_references()
    assert problems == [
        ReferenceProblem("Organization", "alibaba-cloud", "partOf", "alibaba", "Organization"),
        ReferenceProblem("Model", "gpt-4o", "variantOf", "gpt-4", "Model"),
        ReferenceProblem(
            "Claim",
            "qwen-beats-gpt-4o",
            "sources",
            "https://qwenlm.github.io/blog/qwen2.5-max/",
            "Source",
        ),
        ReferenceProblem("MarketEvent", "e", "affected", "nvidia", "Organization"),
        ReferenceProblem(
            "MarketEvent", "e", "attributedToReleases", "deepseek-r1-launch", "Release"
        ),
    ]
    assert str(problems[1]) == "Model 'gpt-4o': variantOf: no Model 'gpt-4' is defined"


def test_merge_combines_datasets_and_resolves_references() -> None:
    other = Dataset.model_validate(
        {
            "sources": [{"url": "https://qwenlm.github.io/blog/qwen2.5-max/"}],
            "organizations": [{"name": "Alibaba"}, {"name": "NVIDIA"}],
            "releases": [
                {
                    "slug": "deepseek-r1-launch",
                    "title": "DeepSeek-R1 Release",
                    "announcedBy": ["alibaba"],
                    "introduced": ["gpt-4o"],
                    "sources": [ARTICLE],
                }
            ],
            "models": [{"name": "GPT-4"}],
        }
    )
    merged = sample_dataset().merge(other)
    assert [m.slug for m in merged.models] == ["qwen2.5-max", "gpt-4o", "gpt-4"]
    assert merged.check_references() == []
    assert merged.duplicate_keys() == []
    assert merged.merge(other).duplicate_keys() == [
        ("Source", "https://qwenlm.github.io/blog/qwen2.5-max/"),
        ("Organization", "alibaba"),
        ("Organization", "nvidia"),
        ("Model", "gpt-4"),
        ("Release", "deepseek-r1-launch"),
    ]
