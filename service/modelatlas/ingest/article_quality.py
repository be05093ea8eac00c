"""How well article extraction does on hand-labelled articles: precision and recall per kind,
so its quality is measured (bench/article_quality.py, tests/ingest) rather than asserted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml

from modelatlas.domain import ClaimKind, EventKind
from modelatlas.ingest.article import Extraction, extract
from modelatlas.ingest.article_names import Gazetteer
from modelatlas.ingest.article_text import clean_text

KINDS: Final = ("claims", "events", "organizations", "models")


@dataclass(frozen=True)
class LabelledArticle:
    """One article of the test set and what a perfect extraction would give."""

    name: str
    text: str
    published_on: dt.date
    expected: dict[str, frozenset[Hashable]]
    equivalent: dict[str, str] = field(default_factory=dict)
    """A graph's slug -> the label's, where a graph names the same model otherwise (the
    default graph's "gemini-2.5-pro-jun-2025" carries the alias "gemini-2.5-pro")."""


@dataclass
class Score:
    """Counts of one kind over the test set."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    misses: list[str] = field(default_factory=list)
    """What went wrong, as "article: missed/extra fact", to read when a score drops."""

    @property
    def precision(self) -> float:
        """Found facts that were expected (1.0 when nothing was found)."""
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        """Expected facts that were found (1.0 when nothing was expected)."""
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0


def claim_key(kind: str, claimant: str, subject: str, against: Iterable[str]) -> Hashable:
    """What makes two claims the same for scoring: kind, claimant, subject, compared set."""
    return (ClaimKind(kind).value, claimant, subject, frozenset(against))


def event_key(kind: str, affected: Iterable[str]) -> Hashable:
    """What makes two events the same for scoring: kind and the organizations affected."""
    return (EventKind(kind).value, frozenset(affected))


def _expected(labels: dict[str, Any]) -> dict[str, frozenset[Hashable]]:
    """The labelled facts of one article, as keys."""
    return {
        "claims": frozenset(
            claim_key(c["kind"], c["claimant"], c["subject"], c["against"])
            for c in labels.get("claims") or []
        ),
        "events": frozenset(
            event_key(e["kind"], e["affected"]) for e in labels.get("events") or []
        ),
        "organizations": frozenset(labels.get("organizations") or []),
        "models": frozenset(labels.get("models") or []),
    }


def found(
    extraction: Extraction, equivalent: dict[str, str] | None = None
) -> dict[str, frozenset[Hashable]]:
    """The facts of one extraction, as keys comparable with the labels (slugs mapped through
    `equivalent` first)."""
    same = equivalent or {}

    def slug(value: str) -> str:
        return same.get(value, value)

    return {
        "claims": frozenset(
            claim_key(c.kind, slug(c.claimant), slug(c.subject), map(slug, c.against))
            for c in extraction.claims
        ),
        "events": frozenset(event_key(e.kind, map(slug, e.affected)) for e in extraction.events),
        "organizations": frozenset(map(slug, extraction.slugs("Organization"))),
        "models": frozenset(map(slug, extraction.slugs("Model"))),
    }


def load_articles(folder: Path) -> list[LabelledArticle]:
    """Every NAME.txt with its NAME.yaml labels in a folder, by name."""
    articles: list[LabelledArticle] = []
    for text_path in sorted(folder.glob("*.txt")):
        labels = yaml.safe_load(text_path.with_suffix(".yaml").read_text(encoding="utf-8"))
        published = labels["publishedOn"]
        articles.append(
            LabelledArticle(
                text_path.stem,
                text_path.read_text(encoding="utf-8"),
                published if isinstance(published, dt.date) else dt.date.fromisoformat(published),
                _expected(labels),
                {str(k): str(v) for k, v in (labels.get("equivalent") or {}).items()},
            )
        )
    return articles


def score(articles: Sequence[LabelledArticle], known: Gazetteer) -> dict[str, Score]:
    """Precision and recall per kind, over every article (micro-averaged)."""
    scores = {kind: Score() for kind in KINDS}
    for article in articles:
        extraction = extract(
            clean_text(article.text), published_on=article.published_on, known=known
        )
        got = found(extraction, article.equivalent)
        for kind in KINDS:
            expected, actual = article.expected[kind], got[kind]
            result = scores[kind]
            result.true_positives += len(expected & actual)
            result.false_positives += len(actual - expected)
            result.false_negatives += len(expected - actual)
            result.misses.extend(f"{article.name}: missed {k}" for k in expected - actual)
            result.misses.extend(f"{article.name}: extra {k}" for k in actual - expected)
    return scores


def table(scores: dict[str, Score]) -> str:
    """The scores as a plain-text table."""
    lines = [f"{'kind':<14}{'precision':>10}{'recall':>8}{'tp':>5}{'fp':>5}{'fn':>5}"]
    for kind, s in scores.items():
        lines.append(
            f"{kind:<14}{s.precision:>10.2f}{s.recall:>8.2f}"
            f"{s.true_positives:>5}{s.false_positives:>5}{s.false_negatives:>5}"
        )
    return "\n".join(lines)
