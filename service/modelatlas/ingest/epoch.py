"""What Epoch AI's importers share: citations, benchmark names, name keys, dates, CSV files.

Pure parsing, no database access. Epoch AI publishes its data under CC BY 4.0, so every
Release and Result cites the Epoch page it came from as well as the row's own link.
Rows that cannot be mapped are counted in an :class:`ImportReport` and never stop a parse.
The parsed batch refers to models by the slugs derived here; resolution.resolve_models
rewrites them to the slugs of models the graph already holds, so an import merges into
existing nodes instead of duplicating them.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Final

from modelatlas.domain import Source, slugify
from modelatlas.errors import InvalidInput
from modelatlas.ingest.tabular import Collector, iso_date

__all__ = [
    "BENCHMARKS_SOURCE",
    "BENCHMARK_NAMES",
    "EpochFormatError",
    "model_lookup",
    "model_slug",
    "name_key",
]

BENCHMARKS_SOURCE: Final = Source(
    url="https://epoch.ai/benchmarks",
    title="Epoch AI, 'AI Benchmarking Hub'",
    publisher="Epoch AI",
)
"""The Benchmarking Hub's citation (CC BY 4.0), cited by every Result."""

BENCHMARK_NAMES: Final[dict[str, str]] = {
    "adversarial_nli": "Adversarial NLI",
    "aider_polyglot": "Aider Polyglot",
    "apex_agents": "APEX-Agents",
    "arc_agi": "ARC-AGI",
    "arc_agi_2": "ARC-AGI-2",
    "arc_ai2": "AI2 Reasoning Challenge",
    "balrog": "BALROG",
    "bbh": "BIG-Bench Hard",
    "bool_q": "BoolQ",
    "cad_eval": "CadEval",
    "chess_puzzles": "Chess Puzzles",
    "common_sense_qa_2": "CommonsenseQA 2.0",
    "cybench": "Cybench",
    "deepresearchbench": "DeepResearch Bench",
    "fictionlivebench": "Fiction.LiveBench",
    "frontiermath": "FrontierMath",
    "frontiermath_tier_4": "FrontierMath Tier 4",
    "gdpval": "GDPval",
    "geobench": "GeoBench",
    "gpqa_diamond": "GPQA Diamond",
    "gsm8k": "GSM8K",
    "gso": "GSO",
    "hella_swag": "HellaSwag",
    "hle": "Humanity's Last Exam",
    "lambada": "LAMBADA",
    "lech_mazur_writing": "Lech Mazur Creative Writing",
    "live_bench": "LiveBench",
    "math_level_5": "MATH Level 5",
    "metr_time_horizons": "METR Time Horizons",
    "mmlu": "MMLU",
    "open_book_qa": "OpenBookQA",
    "os_world": "OSWorld",
    "otis_mock_aime_2024_2025": "OTIS Mock AIME 2024-2025",
    "piqa": "PIQA",
    "posttrainbench": "PostTrainBench",
    "science_qa": "ScienceQA",
    "simplebench": "SimpleBench",
    "simpleqa_verified": "SimpleQA Verified",
    "superglue": "SuperGLUE",
    "swe_bench_bash": "SWE-bench Bash Only",
    "swe_bench_verified": "SWE-bench Verified",
    "terminalbench": "Terminal-Bench",
    "the_agent_company": "TheAgentCompany",
    "trivia_qa": "TriviaQA",
    "video_mme": "Video-MME",
    "vpct": "VPCT",
    "webdev_arena": "WebDev Arena",
    "weirdml": "WeirdML",
    "wino_grande": "WinoGrande",
}
"""Display names of the hub's benchmarks, by file name without ``_external.csv``."""

_PROVIDER_PREFIX: Final = re.compile(r"^[A-Za-z0-9_.-]+/(?=.)")
_EFFORT_SUFFIX: Final = re.compile(r"_(?:minimal|low|medium|high|xhigh|max|\d+k)$", re.IGNORECASE)


class EpochFormatError(InvalidInput):
    """Raised when a file is not in the Epoch layout at all, rather than having bad rows."""


# --------------------------------------------------------------------------- names and keys


def model_slug(name: str) -> str:
    """Slug of a model name, reading "+" as "plus" so "PointNet++" and "PointNet" stay apart."""
    return slugify(name.replace("+", " plus "))


def name_key(text: str) -> str:
    """A loose model-name key, the slug without "-" and ".": "Qwen 2.5 Max" == "qwen2.5-max"."""
    # Also "claude-3-5-sonnet" == "Claude 3.5 Sonnet". Raises ValueError like slugify.
    return model_slug(text).replace("-", "").replace(".", "")


_CORPORATE_SUFFIXES: Final = frozenset(
    {"ai", "inc", "corp", "corporation", "co", "ltd", "llc", "group", "platforms"}
)


def organization_key(text: str) -> str:
    """A loose organization-name key: name_key without a trailing corporate word, so
    "Mistral AI" == "Mistral" and "Meta Platforms, Inc." == "Meta AI"; one word stays whole."""
    words = text.replace(",", " ").replace("-", " ").split()
    while len(words) > 1 and words[-1].casefold().rstrip(".") in _CORPORATE_SUFFIXES:
        words.pop()
    return name_key(" ".join(words))


class NameLookup(dict[str, str]):
    """name_key -> slug, and beside it ``verbatim``: each name or alias as written (case
    folded) -> slug, so a match can be told apart as an alias rather than a normalised key."""

    def __init__(self, keys: dict[str, str], verbatim: dict[str, str]) -> None:
        """The key map and the verbatim-text map."""
        super().__init__(keys)
        self.verbatim = verbatim


def model_lookup(
    models: Iterable[tuple[str, Iterable[str]]], key_of: Callable[[str], str] = name_key
) -> NameLookup:
    """Build resolve_models' ``known`` from (slug, names and aliases) of the graph's models
    (or of organizations, with ``key_of=organization_key``)."""
    # A key shared by several models is dropped, unless it is exactly one model's own slug;
    # a verbatim text shared by several is dropped the same way.
    owners: dict[str, set[str]] = {}
    own: dict[str, set[str]] = {}
    said: dict[str, set[str]] = {}
    for slug, names in models:
        for text in names:
            said.setdefault(text.strip().casefold(), set()).add(slug)
        for text in (slug, *names):
            try:
                key = key_of(text)
            except ValueError:
                continue
            owners.setdefault(key, set()).add(slug)
        try:
            own.setdefault(key_of(slug), set()).add(slug)
        except ValueError:
            continue
    known: dict[str, str] = {}
    for key, slugs in owners.items():
        if len(slugs) == 1:
            known[key] = next(iter(slugs))
        elif len(own.get(key, ())) == 1:
            known[key] = next(iter(own[key]))
    verbatim = {text: next(iter(slugs)) for text, slugs in said.items() if len(slugs) == 1}
    return NameLookup(known, verbatim)


# --------------------------------------------------------------------------- rows and files


def _past_date(text: str, what: str, report: Collector, where: str) -> dt.date | None:
    """A date that has happened, or None (reported) when it is malformed or in the future."""
    if not text:
        return None
    date = iso_date(text)
    if date is None:
        report.skip(f"{what}: not a date", f"{where}: {text!r}")
        return None
    if date > dt.date.today():
        report.skip(f"{what}: in the future", f"{where}: {text!r}")
        return None
    return date


def csv_files(directory: Path) -> list[Path]:
    """The CSV files of a folder and its subfolders, plain or gzipped, in name order."""
    return sorted(path for path in directory.rglob("*") if path.name.endswith((".csv", ".csv.gz")))


def _fallback_name(version: str) -> str:
    """A model name from an unmapped version id: provider prefix and effort suffix removed."""
    return _EFFORT_SUFFIX.sub("", _PROVIDER_PREFIX.sub("", version)) or version
