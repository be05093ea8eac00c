"""Who measured each result: the model's developer, Epoch AI, a leaderboard or a third party.

A hub row citing a technical report is the report owner's claim of its own model's score,
or the owner's measurement of another organization's model. The owner is found from the
graph: the organization whose models' family names (or own name) appear in the report's
title, else the developer of most of the report's models. Reports with neither are listed
as unresolved and their results stay UNKNOWN. Pure functions over rows the graph layer read.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from modelatlas.domain import DERIVED_PREFIX, Claim, ClaimKind, MeasuredBy, shorten

__all__ = ["ProvenanceReport", "classify"]

"""Ids of claims derived from report tables start with this; the pass owns them."""

EPOCH: Final = "Epoch AI"
_WORD: Final = re.compile(r"[a-z0-9]+")
# Source titles of leaderboards and benchmark maintainers' own tables (word-bounded, lower case).
_LEADERBOARD: Final = re.compile(
    r"\b(leaderboard|helm|arena|livebench|aider|simplebench|weirdml|terminal-bench|arc prize|"
    r"fiction\.live|os ?world|swebench|swe-bench|metr|balrog|geobench|vpct|github|"
    r"papers ?with ?code|cybench|cadeval|deepresearch ?bench|theagentcompany|gso|scienceqa|"
    r"video-mme|lmarena|lmsys|chatbot arena|epoch)\b"
)
_STOP: Final = frozenset({"the", "and", "for", "model", "models", "language", "large", "open"})


@dataclass(frozen=True)
class ProvenanceReport:
    """What the pass found: results per measurer, how owners were resolved, what was not."""

    measured_by: Mapping[str, int]
    owners_by_title: int = 0
    owners_by_majority: int = 0
    unresolved: tuple[tuple[str, str, int], ...] = ()
    """(title, url, results) of reports whose owner is not in the graph, most results first."""
    changed: int = 0
    updates: Sequence[dict[str, Any]] = field(default_factory=list, repr=False)
    claims: Sequence[Claim] = field(default_factory=list, repr=False)
    """OUTPERFORMS claims derived from the report tables (see derive_claims)."""

    def lines(self) -> list[str]:
        """Short human-readable lines for a CLI."""
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(self.measured_by.items()))
        lines = [
            f"results by measurer: {counts}",
            f"report owners resolved: {self.owners_by_title} by title, "
            f"{self.owners_by_majority} by the developer of most of their models; "
            f"{len(self.unresolved)} unresolved",
        ]
        lines += [f"  unresolved: {title} ({n} results) {url}" for title, url, n in self.unresolved]
        reports = len({c.sources[0] for c in self.claims})
        lines.append(
            f"claims derived from report tables: {len(self.claims)} from {reports} reports"
        )
        return lines


def _words(text: str | None) -> set[str]:
    return set(_WORD.findall((text or "").casefold()))


def _family(name: str) -> str | None:
    """A model name's family word: "Qwen-7B" -> "qwen", "Llama 2 70B" -> "llama"."""
    found = _WORD.findall(name.casefold())
    if not found:
        return None
    head = re.match(r"[a-z]+", found[0])
    word = head.group(0) if head else found[0]
    return word if len(word) >= 3 and word not in _STOP else None


def _report_source(sources: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The row's own source: the first that is not a dataset-level Epoch or LMArena page."""
    for source in sorted(sources, key=lambda s: str(s["url"])):
        if source.get("publisher") not in (EPOCH, "LMArena"):
            return source
    return None


def _owner(
    rows: list[Mapping[str, Any]], title: str, organizations: Mapping[str, Mapping[str, Any]]
) -> tuple[str | None, str]:
    """The owner of one report and how it was found ("title", "majority" or "")."""
    title_words = _words(title)
    models: dict[str, list[str]] = {}
    for row in rows:
        models[row["model"]] = sorted(row["developers"])
    counts: Counter[str] = Counter(org for devs in models.values() for org in devs)
    named: list[str] = []
    for org in sorted(counts):
        info = organizations.get(org, {})
        words = {
            w
            for w in _words(" ".join([info.get("name") or org, *info.get("aliases", [])]))
            if len(w) >= 3 and w not in _STOP
        }
        words |= {f for row in rows if org in row["developers"] if (f := _family(row["modelName"]))}
        if words & title_words:
            named.append(org)
    if named:
        best = max(named, key=lambda org: (counts[org], org))
        return best, "title"
    if counts:
        org, n = max(counts.items(), key=lambda item: (item[1], item[0]))
        if 2 * n >= len(models) and len(models) >= 1:
            return org, "majority"
    return None, ""


def classify(
    results: Sequence[Mapping[str, Any]], organizations: Sequence[Mapping[str, Any]]
) -> ProvenanceReport:
    """Who measured each result; `updates` holds only the rows whose stored values differ."""
    orgs = {str(o["slug"]): o for o in organizations}
    by_report: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    titles: dict[str, str] = {}
    urls: dict[str, str] = {}
    decided: dict[str, tuple[MeasuredBy, bool | None, str | None]] = {}
    for row in results:
        source = _report_source(row["sources"])
        if row.get("evaluator") == EPOCH:
            decided[row["id"]] = (MeasuredBy.EPOCH_AI, False, None)
        elif source is None:
            leaderboard = any(s.get("publisher") == "LMArena" for s in row["sources"])
            kind = MeasuredBy.LEADERBOARD if leaderboard else MeasuredBy.UNKNOWN
            decided[row["id"]] = (kind, False if leaderboard else None, None)
        elif _LEADERBOARD.search(
            f"{source.get('title') or ''} {row.get('evaluator') or ''}".casefold()
        ):
            decided[row["id"]] = (MeasuredBy.LEADERBOARD, False, None)
        else:
            # One report is often cited by several links (abs, pdf, http): its title is the key.
            title = str(source.get("title") or row.get("evaluator") or source["url"])
            key = " ".join(title.casefold().split())
            by_report[key].append(row)
            titles.setdefault(key, title)
            urls.setdefault(key, str(source["url"]))
    by_title = by_majority = 0
    unresolved: list[tuple[str, str, int]] = []
    claims: list[Claim] = []
    for key in sorted(by_report):
        rows = by_report[key]
        owner, how = _owner(rows, titles[key], orgs)
        if owner is not None:
            name = str(orgs.get(owner, {}).get("name") or owner)
            claims += derive_claims(rows, owner, name, titles[key])
        by_title += how == "title"
        by_majority += how == "majority"
        if owner is None:
            unresolved.append((titles[key], urls[key], len(rows)))
        for row in rows:
            if owner is None or not row["developers"]:
                decided[row["id"]] = (MeasuredBy.UNKNOWN, None, owner)
            elif owner in row["developers"]:
                decided[row["id"]] = (MeasuredBy.DEVELOPER, True, owner)
            else:
                decided[row["id"]] = (MeasuredBy.THIRD_PARTY, False, owner)
    updates: list[dict[str, Any]] = []
    for row in results:
        kind, self_reported, owner = decided[row["id"]]
        stored = (row.get("measuredBy"), row.get("selfReported"), row.get("reportOwner"))
        if stored != (kind.value, self_reported, owner):
            updates.append(
                {
                    "id": row["id"],
                    "measuredBy": kind.value,
                    "selfReported": self_reported,
                    "reportOwner": owner,
                }
            )
    counts = Counter(kind.value for kind, _, _ in decided.values())
    unresolved.sort(key=lambda item: (-item[2], item[0]))
    return ProvenanceReport(
        dict(counts), by_title, by_majority, tuple(unresolved), len(updates), updates, claims
    )


def _best_rows(rows: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Each model's best row of one report on one benchmark (ties: the smaller result id)."""
    best: dict[str, Mapping[str, Any]] = {}
    for row in sorted(rows, key=lambda r: str(r["id"])):
        sign = 1.0 if row["higherIsBetter"] else -1.0
        held = best.get(row["model"])
        if held is None or sign * float(row["score"]) > sign * float(held["score"]):
            best[row["model"]] = row
    return best


def _score(value: Any) -> str:
    return f"{float(value):g}"


def derive_claims(
    rows: Sequence[Mapping[str, Any]], owner: str, owner_name: str, title: str
) -> list[Claim]:
    """The claims one report's table makes: its owner's model beats another lab's on a benchmark.

    Per benchmark, each of the owner's models (best row each) against each model of another
    organization it scores better than, respecting higherIsBetter; equal scores claim nothing.
    The claim cites the report only (the hub's dataset page is where we read it, not who said
    it) and carries both scores; its id is a hash of report, benchmark and the two models.
    """
    by_benchmark: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["developers"]:
            by_benchmark[row["benchmark"]].append(row)
    claims: list[Claim] = []
    for benchmark in sorted(by_benchmark):
        best = _best_rows(by_benchmark[benchmark])
        own = [r for m, r in sorted(best.items()) if owner in r["developers"]]
        others = [r for m, r in sorted(best.items()) if owner not in r["developers"]]
        for mine in own:
            sign = 1.0 if mine["higherIsBetter"] else -1.0
            source = _report_source(mine["sources"])
            assert source is not None  # rows are grouped by their report source
            for theirs in others:
                if sign * float(mine["score"]) <= sign * float(theirs["score"]):
                    continue
                key = "|".join((" ".join(title.casefold().split()), benchmark,
                                mine["model"], theirs["model"]))  # fmt: skip
                made_on = source.get("publishedOn") or max(
                    (d for d in (mine.get("measuredOn"), theirs.get("measuredOn")) if d),
                    default=None,
                )
                claims.append(
                    Claim(
                        id=DERIVED_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:20],
                        kind=ClaimKind.OUTPERFORMS,
                        statement=(
                            f"{owner_name} reports {mine['modelName']} at "
                            f"{_score(mine['score'])} vs {theirs['modelName']} at "
                            f"{_score(theirs['score'])} on {mine['benchmarkName']} "
                            f"({shorten(title, 120)})"
                        ),
                        claimed_by=owner,
                        subject=mine["model"],
                        against=[theirs["model"]],
                        benchmark=benchmark,
                        score=mine["score"],
                        against_score=theirs["score"],
                        made_on=made_on,
                        sources=[source["url"]],
                    )
                )
    return claims
