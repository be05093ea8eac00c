"""Imports of real datasets: parse, match names against the graph, then one validated upsert."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from modelatlas.graph.writes import WriteReport, link_derivations, name_index
from modelatlas.ingest.epoch import (
    ImportBatch,
    ImportReport,
    model_lookup,
    parse_epoch_benchmarks,
    parse_epoch_models,
    resolve_models,
)
from modelatlas.knowledge import KnowledgeGraph


@dataclass(frozen=True)
class ImportOutcome:
    """What was read (and skipped) and what the write did."""

    report: ImportReport
    written: WriteReport
    derivations_linked: int


async def _write(kg: KnowledgeGraph, batch: ImportBatch) -> ImportOutcome:
    models = model_lookup(await name_index(kg.graph, "Model"))
    benchmarks = model_lookup(await name_index(kg.graph, "Benchmark"))
    resolved = resolve_models(batch, models, benchmarks=benchmarks)
    written = await kg.upsert(resolved.dataset)
    linked = await link_derivations(kg.graph, resolved.extra_derivations)
    return ImportOutcome(resolved.report, written, linked)


async def import_epoch_models(kg: KnowledgeGraph, path: Path) -> ImportOutcome:
    """Epoch AI's Notable / Frontier / Large-scale models CSV into the graph; repeatable."""
    return await _write(kg, parse_epoch_models(path))


async def import_epoch_benchmarks(kg: KnowledgeGraph, directory: Path) -> ImportOutcome:
    """Epoch AI's Benchmarking Hub folder of CSVs into the graph; repeatable."""
    return await _write(kg, parse_epoch_benchmarks(directory))
