"""The seed loads whole and answers the article's questions; bad files fail with file and line."""

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from modelatlas.domain import Accessibility, ClaimKind, Dataset, EventKind, OrganizationKind
from modelatlas.ingest import Problem, SeedValidationError, load_yaml_files
from modelatlas.ingest.yaml_files import expand_paths

SEED = Path(__file__).resolve().parents[2] / "seed"
ARTICLE = "urn:modelatlas:article:000_5dbe76b4b65cc5e1"
QWEN_BLOG = "https://qwenlm.github.io/blog/qwen2.5-max/"


@pytest.fixture(scope="module")
def seed() -> Dataset:
    """The packaged seed, loaded once."""
    return load_yaml_files([SEED])


def write(folder: Path, name: str, text: str) -> Path:
    """Write a YAML file from an indented literal and return its path."""
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems_of(paths: list[Path]) -> list[Problem]:
    """Load files that must fail and return the problems reported."""
    with pytest.raises(SeedValidationError) as exc:
        load_yaml_files(paths)
    return exc.value.problems


# --------------------------------------------------------------------------- the seed


def test_seed_loads_without_problems(seed: Dataset) -> None:
    assert seed.check_references() == []
    assert seed.duplicate_keys() == []
    assert [p.name for p in expand_paths([SEED])] == sorted(p.name for p in SEED.glob("*.yaml"))
    assert len(seed.organizations) >= 12
    assert len(seed.models) >= 12
    assert len(seed.releases) >= 10
    assert len(seed.claims) >= 8
    assert len(seed.market_events) >= 3


def test_seed_cites_the_article_as_it_is(seed: Dataset) -> None:
    sources = {s.url: s for s in seed.sources}
    article = sources[ARTICLE]
    assert article.title == (
        "Alibaba AI Qwen 2.5 Max: Is China Preparing for an AI Battle with the U.S.?"
    )
    assert (article.author, article.publisher, article.published_on) == (
        "Arindam Seal",
        "Flodest",
        None,
    )
    assert sources[QWEN_BLOG].published_on == dt.date(2025, 1, 28)
    assert sources["https://api-docs.deepseek.com/news/news250120"].published_on == dt.date(
        2025, 1, 20
    )
    cited = {
        url
        for record in [*seed.releases, *seed.claims, *seed.market_events]
        for url in record.sources
    }
    assert ARTICLE in cited


def test_seed_qwen_claims_cover_every_model_it_was_said_to_beat(seed: Dataset) -> None:
    qwen_claims = [c for c in seed.claims if c.subject == "qwen2.5-max"]
    beaten = {model for c in qwen_claims for model in c.against}
    assert {"gpt-4o", "deepseek-v3", "llama-3.1-405b", "gpt-4"} <= beaten
    assert all(c.kind is ClaimKind.OUTPERFORMS for c in qwen_claims)
    by_blog = [c for c in qwen_claims if QWEN_BLOG in c.sources]
    assert {m for c in by_blog for m in c.against} == {"gpt-4o", "deepseek-v3", "llama-3.1-405b"}
    assert all(
        c.claimed_by == "alibaba-cloud" and c.made_on == dt.date(2025, 1, 28) for c in by_blog
    )
    (gpt4,) = [c for c in qwen_claims if "gpt-4" in c.against]
    assert gpt4.sources == [ARTICLE]
    assert "OpenAI\u2019s GPT-4," in gpt4.statement
    assert {c.benchmark for c in by_blog if c.benchmark} == {
        "arena-hard",
        "livebench",
        "livecodebench",
        "gpqa-diamond",
    }


def test_seed_models_record_lineage_and_variants(seed: Dataset) -> None:
    models = {m.slug: m for m in seed.models}
    assert models["deepseek-r1"].derived_from == ["deepseek-v3"]
    assert models["gpt-4o"].variant_of == "gpt-4"
    assert models["o1"].variant_of is None
    assert models["o1-preview"].variant_of == "o1"
    assert models["qwen2.5-max"].developers == ["alibaba-cloud"]
    assert "Qwen 2.5 Max" in models["qwen2.5-max"].aliases
    assert models["qwen2.5-max"].accessibility is Accessibility.API
    llama = models["llama-3.1-405b"]
    assert (llama.parameters, llama.training_compute_flop) == (405_000_000_000, 3.8e25)
    assert models["kimi-k1.5"].developers == ["moonshot-ai"]
    assert models["doubao-1.5-pro"].released_on == dt.date(2025, 1, 22)
    assert {"chatgpt", "gpt-4", "gemini"} <= set(models)


def test_seed_organizations_and_countries(seed: Dataset) -> None:
    orgs = {o.slug: o for o in seed.organizations}
    chinese = {"alibaba", "alibaba-cloud", "deepseek", "moonshot-ai", "bytedance"}
    american = {"openai", "google", "meta", "amazon", "microsoft", "apple", "nvidia"}
    assert {slug for slug, o in orgs.items() if o.country == "CN"} == chinese
    assert {slug for slug, o in orgs.items() if o.country == "US"} == american
    assert all(o.kind is OrganizationKind.COMPANY for o in orgs.values())
    assert orgs["alibaba-cloud"].part_of == "alibaba"
    assert orgs["microsoft"].partners == ["openai"]
    assert {c.code: c.name for c in seed.countries} == {"CN": "China", "US": "United States"}


def test_seed_releases_and_other_claims(seed: Dataset) -> None:
    releases = {r.slug: r for r in seed.releases}
    assert releases["qwen2.5-max-launch"].sources == [QWEN_BLOG, ARTICLE]
    assert releases["qwen2.5-max-launch"].date == dt.date(2025, 1, 28)
    assert releases["deepseek-r1-launch"].date == dt.date(2025, 1, 20)
    assert releases["deepseek-v3-launch"].date == dt.date(2024, 12, 26)
    assert releases["kimi-k1.5-launch"].date is None  # only the month is certain
    assert releases["o1-announcement"].introduced == ["o1", "o1-preview"]
    claims = {c.id: c for c in seed.claims}
    doubao = claims["doubao-1.5-pro-outperforms-o1"]
    assert (doubao.claimed_by, doubao.subject, doubao.against) == (
        "bytedance",
        "doubao-1.5-pro",
        ["o1"],
    )
    cost = claims["deepseek-lower-cost-per-article"]
    assert cost.claimed_by == "deepseek" and "lower costs" in cost.statement


def test_seed_market_events(seed: Dataset) -> None:
    events = {e.id: e for e in seed.market_events}
    nvidia = events["nvidia-stock-fall-2025-01-27"]
    assert nvidia.kind is EventKind.STOCK_MOVE
    assert (nvidia.date, nvidia.magnitude, nvidia.unit) == (dt.date(2025, 1, 27), -17.0, "percent")
    assert nvidia.affected == ["nvidia"]
    assert nvidia.attributed_to_models == ["deepseek-r1"]
    assert nvidia.attributed_to_releases == ["deepseek-r1-launch"]
    app_store = [e for e in seed.market_events if e.kind is EventKind.APP_STORE_RANK]
    assert [e.affected for e in app_store] == [["deepseek", "apple"]]
    assert all(e.sources for e in seed.market_events)


# --------------------------------------------------------------------------- failures


def test_invalid_record_names_file_line_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bad.yaml",
        """
        models:
          - name: Good Model
          - name: Bad Model
            parameters: -5
            releasedOn: 2999-01-01
        """,
    )
    problems = problems_of([path])
    assert problems == [
        Problem(
            str(path),
            4,
            "models[1] (bad-model)",
            "parameters",
            "Input should be greater than or equal to 0",
        ),
        Problem(
            str(path), 5, "models[1] (bad-model)", "releasedOn", "date 2999-01-01 is in the future"
        ),
    ]
    with pytest.raises(SeedValidationError) as exc:
        load_yaml_files([path])
    assert isinstance(exc.value, ValueError)
    assert f"{path}:4: models[1] (bad-model): parameters: Input should be" in str(exc.value)
    assert str(exc.value).startswith("2 problems in seed data:\n")


def test_missing_sources_unknown_enum_and_country(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "claims.yaml",
        """
        organizations:
          - name: Acme
            country: XX
        claims:
          - id: acme-wins
            kind: wins
            statement: Acme's model wins.
            claimedBy: acme
            subject: acme-1
        """,
    )
    found = {(p.line, p.field): p.message for p in problems_of([path])}
    assert found[(3, "country")] == "'XX' is not an ISO 3166-1 alpha-2 country code"
    assert found[(5, "sources")] == "a Claim must cite at least one source"
    assert found[(6, "kind")].startswith("Input should be 'OUTPERFORMS'")


def test_yaml_syntax_error_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", "models:\n  - name: [unclosed\n  - name: x\n")
    (problem,) = problems_of([path])
    assert problem.file == str(path)
    assert problem.line is not None and problem.line >= 2
    assert problem.message.startswith("invalid YAML")


def test_structure_problems(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "shape.yaml",
        """
        widgets: []
        models: not a list
        organizations:
          - just a string
          - name: Acme
            name: Acme Again
            colour: red
        """,
    )
    problems = problems_of([path])
    assert [(p.line, p.record, p.field) for p in problems] == [
        (1, "widgets", ""),
        (2, "models", ""),
        (4, "organizations[0]", ""),
        (6, "organizations[1] (acme-again)", "name"),
        (7, "organizations[1] (acme-again)", "colour"),
    ]
    assert problems[0].message.startswith("unknown top-level key")
    assert problems[3].message == "key given twice in one mapping"
    assert problems[4].message.startswith("unknown field; expected one of slug, name")


def test_duplicates_across_files_are_problems(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "organizations:\n  - name: OpenAI\n")
    second = write(tmp_path, "b.yaml", "organizations:\n  - slug: OPENAI\n    name: Open AI\n")
    (problem,) = problems_of([tmp_path])
    assert (problem.file, problem.line, problem.field) == (str(second), 2, "slug")
    assert (
        problem.message
        == f"duplicate Organization 'openai'; first defined at {tmp_path / 'a.yaml'}:2"
    )


def test_unresolved_references_point_at_the_reference(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "refs.yaml",
        """
        sources:
          - url: urn:test:one
        organizations:
          - name: Acme
        models:
          - name: Acme 1
            developers:
              - acme
              - Ghost Labs
        claims:
          - id: c
            kind: OUTPERFORMS
            statement: Acme 1 beats GPT-4.
            claimedBy: acme
            subject: acme-1
            against: [gpt-4]
            sources: [urn:test:one, urn:test:two]
        """,
    )
    problems = problems_of([path])
    assert [(p.line, p.record, p.field, p.message) for p in problems] == [
        (
            9,
            "models[0] (acme-1)",
            "developers",
            "no Organization 'ghost-labs' is defined in the seed",
        ),
        (16, "claims[0] (c)", "against", "no Model 'gpt-4' is defined in the seed"),
        (17, "claims[0] (c)", "sources", "no Source 'urn:test:two' is defined in the seed"),
    ]


def test_references_to_invalid_records_are_not_reported_twice(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "x.yaml",
        """
        organizations:
          - name: Acme
            country: ZZ
        models:
          - name: Acme 1
            developers: [acme]
        """,
    )
    assert [p.field for p in problems_of([path])] == ["country"]


def test_directories_expand_to_sorted_yaml_files(tmp_path: Path) -> None:
    write(tmp_path, "20-models.yaml", "models:\n  - name: M\n    developers: [acme]\n")
    write(tmp_path, "10-orgs.yaml", "organizations:\n  - name: Acme\n")
    write(tmp_path, "notes.txt", "not yaml: [")
    write(tmp_path, "empty.yaml", "")
    assert [p.name for p in expand_paths([tmp_path])] == [
        "10-orgs.yaml",
        "20-models.yaml",
        "empty.yaml",
    ]
    dataset = load_yaml_files([tmp_path])
    assert [o.slug for o in dataset.organizations] == ["acme"]
    assert [m.slug for m in dataset.models] == ["m"]


def test_missing_path_is_a_problem(tmp_path: Path) -> None:
    (problem,) = problems_of([tmp_path / "nope.yaml"])
    assert str(problem) == f"{tmp_path / 'nope.yaml'}: no such file or directory"
