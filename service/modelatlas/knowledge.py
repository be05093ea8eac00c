"""`KnowledgeGraph`: the one Python API over the graph, used by the CLI, the GraphQL resolvers
and any application that embeds Model Atlas."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from modelatlas.config import Settings
from modelatlas.db.connection import make_driver, require_target
from modelatlas.domain import Dataset, ReferenceProblem
from modelatlas.graph import Graph
from modelatlas.graph.admin import Fingerprint, fingerprint
from modelatlas.graph.migrations import Migration, migrate
from modelatlas.graph.writes import (
    WriteReport,
    batches,
    by_kind,
    existing_keys,
    write_batch,
    write_links,
)

Progress = Callable[[str, int, int], None]
"""Called as (kind, records written so far of that kind, total of that kind)."""


@dataclass(frozen=True)
class UnknownReferencesError(ValueError):
    """A write names records that exist neither in the write nor in the graph."""

    problems: tuple[ReferenceProblem, ...]

    def __str__(self) -> str:
        shown = "\n".join(f"  {p}" for p in self.problems[:20])
        more = len(self.problems) - 20
        return (
            "unknown references, nothing written:\n"
            + shown
            + (f"\n  ... and {more} more" if more > 0 else "")
        )


class KnowledgeGraph:
    """Reads and writes the Model Atlas graph; every write validates first and is repeatable."""

    def __init__(self, graph: Graph) -> None:
        """Use an existing Graph (and its driver)."""
        self.graph = graph

    @classmethod
    @asynccontextmanager
    async def connect(cls, settings: Settings | None = None) -> AsyncIterator[KnowledgeGraph]:
        """Open a driver to the configured or running local Neo4j; closed on exit."""
        settings = settings or Settings()
        target = require_target(settings)
        driver = make_driver(target, settings)
        try:
            yield cls(Graph(driver, target.database))
        finally:
            await driver.close()

    async def migrate(self) -> list[Migration]:
        """Apply pending schema migrations."""
        return await migrate(self.graph)

    async def fingerprint(self) -> Fingerprint:
        """Counts and a checksum of the whole graph, to compare states."""
        return await fingerprint(self.graph)

    async def check_references(self, dataset: Dataset) -> list[ReferenceProblem]:
        """References that point neither into the dataset nor at an existing node."""
        problems = dataset.check_references()
        wanted: dict[str, set[str]] = defaultdict(set)
        for problem in problems:
            wanted[problem.target].add(problem.missing)
        found = {
            kind: await existing_keys(self.graph, kind, sorted(keys))
            for kind, keys in wanted.items()
        }
        return [p for p in problems if p.missing not in found[p.target]]

    async def upsert(self, dataset: Dataset, *, progress: Progress | None = None) -> WriteReport:
        """Write a validated dataset, batch by batch, in dependency order; repeatable.

        Everything is checked before the first write: an unknown reference raises
        UnknownReferencesError and leaves the graph as it was.
        """
        duplicates = dataset.duplicate_keys()
        if duplicates:
            listed = ", ".join(f"{kind} {key!r}" for kind, key in duplicates[:10])
            raise ValueError(f"the same natural key is given twice: {listed}")
        problems = await self.check_references(dataset)
        if problems:
            raise UnknownReferencesError(tuple(problems))
        report = WriteReport()
        for kind, records in by_kind(dataset.records()):
            statuses: dict[str, str] = {}
            links: list[dict[str, Any]] = []
            for batch in batches(records):
                written, linking = await write_batch(self.graph, kind, batch)
                statuses.update(written)
                links.extend(linking)
                if progress is not None:
                    progress(kind, len(statuses), len(records))
            await write_links(self.graph, kind, links)
            report.counts(kind).add(statuses)
        return report
