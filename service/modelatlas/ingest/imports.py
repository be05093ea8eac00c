"""Imports of real datasets: parse, match names against the graph, then one validated upsert."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from modelatlas.graph.writes import WriteReport, link_derivations, name_index
from modelatlas.ingest.epoch import (
    model_lookup,
    parse_epoch_benchmarks,
    parse_epoch_models,
    resolve_models,
)
from modelatlas.ingest.tabular import ImportBatch, ImportReport
from modelatlas.knowledge import KnowledgeGraph


@dataclass(frozen=True)
class ImportOutcome:
    """What was read (and skipped) and what the write did."""

    report: ImportReport
    written: WriteReport
    derivations_linked: int


async def _write(kg: KnowledgeGraph, parse: Callable[[], ImportBatch]) -> ImportOutcome:
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
    written = await kg.upsert(resolved.dataset)
    linked = await link_derivations(kg.graph, resolved.extra_derivations)
    return ImportOutcome(resolved.report, written, linked)


async def import_epoch_models(kg: KnowledgeGraph, path: Path) -> ImportOutcome:
    """Epoch AI's Notable / Frontier / Large-scale models CSV into the graph; repeatable."""
    return await _write(kg, partial(parse_epoch_models, path))


async def import_epoch_benchmarks(kg: KnowledgeGraph, directory: Path) -> ImportOutcome:
    """Epoch AI's Benchmarking Hub folder of CSVs into the graph; repeatable."""
    return await _write(kg, partial(parse_epoch_benchmarks, directory))
