"""Imports of real datasets: parse, match names against the graph, then one validated upsert."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from modelatlas.graph.writes import WriteReport, link_derivations, name_index
from modelatlas.ingest.epoch import model_lookup
from modelatlas.ingest.epoch_benchmarks import parse_epoch_benchmarks
from modelatlas.ingest.epoch_db import parse_epoch_db
from modelatlas.ingest.epoch_models import parse_epoch_models
from modelatlas.ingest.lmarena import parse_lmarena
from modelatlas.ingest.resolution import resolve_models
from modelatlas.ingest.tabular import ImportBatch, ImportReport
from modelatlas.knowledge import KnowledgeGraph, PendingVerdicts


@dataclass(frozen=True)
class ImportOutcome:
    """What was read (and skipped) and what the write did."""

    report: ImportReport
    written: WriteReport
    derivations_linked: int


# Precedence of each source's values (0, the curated seed and API writes, is best): primary
# sources over aggregators, and among Epoch's model files the notable list (the newest,
# most curated) over the frontier and large-scale subsets. See KnowledgeGraph.upsert.
_MODEL_FILE_RANKS: Final = {"notable_ai_models": 10, "frontier_ai_models": 20}
_LARGE_SCALE_RANK: Final = 30
HUB_RANK: Final = 40
DB_RANK: Final = 50
LMARENA_RANK: Final = 60


def models_file_rank(path: Path) -> int:
    """The precedence of an Epoch models file, by its name (.csv or .csv.gz)."""
    stem = path.name.removesuffix(".gz").removesuffix(".csv")
    return _MODEL_FILE_RANKS.get(stem, _LARGE_SCALE_RANK)


@dataclass(frozen=True)
class Importer:
    """A dataset kind: its parser (pure, no graph) and the precedence of its values."""

    parse: Callable[[Path], ImportBatch]
    rank: Callable[[Path], int]


IMPORTERS: Final[dict[str, Importer]] = {
    "epoch-models": Importer(parse_epoch_models, models_file_rank),
    "epoch-benchmarks": Importer(parse_epoch_benchmarks, lambda _path: HUB_RANK),
    "epoch-db": Importer(parse_epoch_db, lambda _path: DB_RANK),
    "lmarena": Importer(parse_lmarena, lambda _path: LMARENA_RANK),
}
"""Dataset kind (as in the snapshot manifest) -> its importer."""


async def write_batch(
    kg: KnowledgeGraph,
    batch: ImportBatch,
    rank: int,
    *,
    link: bool = True,
    pending: PendingVerdicts | None = None,
) -> ImportOutcome:
    """Upsert a resolved batch at its rank, then (unless ``link`` is off, for a caller that
    links once every batch is in) the DERIVED_FROM edges it left to the caller. With
    ``pending``, its verdicts are left there to re-weigh (see KnowledgeGraph.upsert)."""
    written = await kg.upsert(batch.dataset, rank=rank, pending=pending)
    linked = await link_derivations(kg.graph, batch.extra_derivations) if link else 0
    return ImportOutcome(batch.report, written, linked)


async def import_kind(kg: KnowledgeGraph, kind: str, path: Path) -> ImportOutcome:
    """Parse one dataset, match its names against the graph as it is, write it; repeatable."""
    importer = IMPORTERS[kind]
    # The file is parsed in a thread while the graph's model and benchmark names are read.
    names = asyncio.gather(name_index(kg.graph, "Model"), name_index(kg.graph, "Benchmark"))
    try:
        batch = await asyncio.to_thread(importer.parse, path)
    except BaseException:
        await asyncio.wait([names])
        if not names.cancelled():
            names.exception()  # retrieved: the parse's failure is the one raised
        raise
    model_names, benchmark_names = await names
    resolved = resolve_models(
        batch, model_lookup(model_names), benchmarks=model_lookup(benchmark_names)
    )
    return await write_batch(kg, resolved, importer.rank(path))


async def import_epoch_models(kg: KnowledgeGraph, path: Path) -> ImportOutcome:
    """Epoch AI's Notable / Frontier / Large-scale models CSV into the graph; repeatable."""
    return await import_kind(kg, "epoch-models", path)


async def import_epoch_benchmarks(kg: KnowledgeGraph, directory: Path) -> ImportOutcome:
    """Epoch AI's Benchmarking Hub folder of CSVs into the graph; repeatable."""
    return await import_kind(kg, "epoch-benchmarks", directory)


async def import_epoch_db(kg: KnowledgeGraph, directory: Path) -> ImportOutcome:
    """Epoch AI's 2025-04 relational benchmarking export (a folder of tables); repeatable."""
    return await import_kind(kg, "epoch-db", directory)


async def import_lmarena(kg: KnowledgeGraph, directory: Path) -> ImportOutcome:
    """LMArena's leaderboard folder (leaderboard table, Arena-Hard-Auto); repeatable."""
    return await import_kind(kg, "lmarena", directory)
