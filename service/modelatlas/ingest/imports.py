"""Imports of real datasets: parse, match names against the graph, then one validated upsert."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Final

from modelatlas.graph.writes import WriteReport, link_derivations, name_index
from modelatlas.ingest.epoch import (
    model_lookup,
    parse_epoch_benchmarks,
    parse_epoch_models,
    resolve_models,
)
from modelatlas.ingest.epoch_db import parse_epoch_db
from modelatlas.ingest.lmarena import parse_lmarena
from modelatlas.ingest.tabular import ImportBatch, ImportReport
from modelatlas.knowledge import KnowledgeGraph


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


async def _write(kg: KnowledgeGraph, parse: Callable[[], ImportBatch], rank: int) -> ImportOutcome:
    # The file is parsed in a thread while the graph's model and benchmark names are read.
    names = asyncio.gather(name_index(kg.graph, "Model"), name_index(kg.graph, "Benchmark"))
    try:
        batch = await asyncio.to_thread(parse)
    except BaseException:
        await asyncio.wait([names])
        if not names.cancelled():
            names.exception()  # retrieved: the parse's failure is the one raised
        raise
    model_names, benchmark_names = await names
    resolved = resolve_models(
        batch, model_lookup(model_names), benchmarks=model_lookup(benchmark_names)
    )
    written = await kg.upsert(resolved.dataset, rank=rank)
    linked = await link_derivations(kg.graph, resolved.extra_derivations)
    return ImportOutcome(resolved.report, written, linked)


async def import_epoch_models(kg: KnowledgeGraph, path: Path) -> ImportOutcome:
    """Epoch AI's Notable / Frontier / Large-scale models CSV into the graph; repeatable."""
    return await _write(kg, partial(parse_epoch_models, path), models_file_rank(path))


async def import_epoch_benchmarks(kg: KnowledgeGraph, directory: Path) -> ImportOutcome:
    """Epoch AI's Benchmarking Hub folder of CSVs into the graph; repeatable."""
    return await _write(kg, partial(parse_epoch_benchmarks, directory), HUB_RANK)


async def import_epoch_db(kg: KnowledgeGraph, directory: Path) -> ImportOutcome:
    """Epoch AI's 2025-04 relational benchmarking export (a folder of tables); repeatable."""
    return await _write(kg, partial(parse_epoch_db, directory), DB_RANK)


async def import_lmarena(kg: KnowledgeGraph, directory: Path) -> ImportOutcome:
    """LMArena's leaderboard folder (leaderboard table, Arena-Hard-Auto); repeatable."""
    return await _write(kg, partial(parse_lmarena, directory), LMARENA_RANK)
