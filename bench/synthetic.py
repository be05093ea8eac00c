"""Seeded, repeatable synthetic graphs with the shape of the real industry.

A few hundred organizations with skewed model counts (a handful of labs own most models),
claims fanning out to a few compared models, results per benchmark. The same seed always gives
the same rows, so runs and contenders see identical data.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

COUNTRIES = ["US", "US", "US", "CN", "CN", "GB", "FR", "DE", "CA", "KR", "JP", "IL", "AE", "IN"]
KINDS = ["OUTPERFORMS", "OUTPERFORMS", "OUTPERFORMS", "MATCHES", "STATE_OF_THE_ART"]
START = dt.date(2019, 1, 1)
DAYS = (dt.date(2025, 12, 31) - START).days


@dataclass(frozen=True)
class Shape:
    """Sizes derived from the number of claims."""

    claims: int
    organizations: int
    models: int
    benchmarks: int
    sources: int
    results: int

    @classmethod
    def for_claims(cls, claims: int) -> Shape:
        """Roughly the proportions of the real data: many claims per model, few benchmarks."""
        return cls(
            claims=claims,
            organizations=min(300, max(20, claims // 100)),
            models=max(50, claims // 4),
            benchmarks=12,
            sources=max(10, claims // 10),
            results=max(20, claims // 2),
        )


class Synthetic:
    """Generates each kind's rows as plain dicts (camelCase, as the seed files use)."""

    def __init__(self, claims: int, seed: int = 20250127) -> None:
        """Fix the shape and the random seed."""
        self.shape = Shape.for_claims(claims)
        self.seed = seed
        rng = random.Random(seed)
        # Skewed ownership: a Pareto draw per model picks its developer.
        orgs = self.shape.organizations
        self._developer = [
            min(orgs - 1, int(rng.paretovariate(1.2)) - 1) for _ in range(self.shape.models)
        ]

    def _date(self, rng: random.Random) -> str:
        return (START + dt.timedelta(days=rng.randrange(DAYS))).isoformat()

    def organizations(self) -> Iterator[dict[str, object]]:
        """Organizations with a country each."""
        rng = random.Random(self.seed + 1)
        for i in range(self.shape.organizations):
            yield {
                "slug": f"org-{i}",
                "name": f"Org {i}",
                "kind": "COMPANY",
                "country": rng.choice(COUNTRIES),
            }

    def models(self) -> Iterator[dict[str, object]]:
        """Models, each with one developer and, for some, a base model."""
        rng = random.Random(self.seed + 2)
        for i in range(self.shape.models):
            row: dict[str, object] = {
                "slug": f"model-{i}",
                "name": f"Model {i}",
                "developers": [f"org-{self._developer[i]}"],
                "parameters": rng.randrange(10**8, 10**12),
                "releasedOn": self._date(rng),
            }
            if i > 10 and rng.random() < 0.2:
                row["derivedFrom"] = [f"model-{rng.randrange(i)}"]
            yield row

    def benchmarks(self) -> Iterator[dict[str, object]]:
        """A dozen benchmarks."""
        for i in range(self.shape.benchmarks):
            yield {"slug": f"bench-{i}", "name": f"Benchmark {i}", "higherIsBetter": True}

    def sources(self) -> Iterator[dict[str, object]]:
        """Sources the facts cite."""
        for i in range(self.shape.sources):
            yield {"url": f"https://example.org/source/{i}", "title": f"Source {i}"}

    def claims(self) -> Iterator[dict[str, object]]:
        """Claims by a subject's developer against one to three other models."""
        rng = random.Random(self.seed + 3)
        models = self.shape.models
        for i in range(self.shape.claims):
            subject = rng.randrange(models)
            against = {rng.randrange(models) for _ in range(rng.randint(1, 3))} - {subject}
            if not against:
                against = {(subject + 1) % models}
            row: dict[str, object] = {
                "id": f"claim-{i}",
                "kind": rng.choice(KINDS[:3]),
                "statement": f"Model {subject} beats {len(against)} models",
                "claimedBy": f"org-{self._developer[subject]}",
                "subject": f"model-{subject}",
                "against": [f"model-{m}" for m in sorted(against)],
                "madeOn": self._date(rng),
                "sources": [f"https://example.org/source/{rng.randrange(self.shape.sources)}"],
            }
            if rng.random() < 0.6:
                row["benchmark"] = f"bench-{rng.randrange(self.shape.benchmarks)}"
                row["score"] = round(rng.uniform(10, 95), 2)
            yield row

    def results(self) -> Iterator[dict[str, object]]:
        """Measured scores per model and benchmark."""
        rng = random.Random(self.seed + 4)
        for i in range(self.shape.results):
            yield {
                "id": f"result-{i}",
                "model": f"model-{rng.randrange(self.shape.models)}",
                "benchmark": f"bench-{rng.randrange(self.shape.benchmarks)}",
                "score": round(rng.uniform(5, 99), 2),
                "measuredOn": self._date(rng),
                "sources": [f"https://example.org/source/{rng.randrange(self.shape.sources)}"],
            }

    def collections(self) -> dict[str, Iterator[dict[str, object]]]:
        """Every kind, in write order (targets first), keyed as in the seed files."""
        return {
            "sources": self.sources(),
            "organizations": self.organizations(),
            "benchmarks": self.benchmarks(),
            "models": self.models(),
            "claims": self.claims(),
            "results": self.results(),
        }

    def write_csvs(self, folder: Path) -> dict[str, Path]:
        """One CSV per kind (lists joined with ';'), for Neo4j's LOAD CSV."""
        folder.mkdir(parents=True, exist_ok=True)
        paths = {}
        for name, rows in self.collections().items():
            path = folder / f"{name}.csv"
            listed = list(rows)
            fields = sorted({k for row in listed for k in row})
            with path.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.DictWriter(fh, fieldnames=fields)
                writer.writeheader()
                for row in listed:
                    writer.writerow(
                        {k: ";".join(v) if isinstance(v, list) else v for k, v in row.items()}
                    )
            paths[name] = path
        return paths
