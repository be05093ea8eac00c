"""The graph a new user gets: the curated seed plus every dataset of the packaged snapshot.

`modelatlas serve` and `modelatlas load` call :func:`load_default_graph`. Each snapshot
dataset is checked against its manifest checksum, imported, and its digest (the files'
sha256 and the importers' own source) recorded in the graph, so a later start skips the
datasets that did not change and an importer change re-imports them.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from modelatlas.domain import Dataset
from modelatlas.graph.admin import import_digests, record_import
from modelatlas.graph.provenance import (
    classify_results,
    derived_claim_ids,
    link_variants,
    model_variant_state,
    prune_derived_claims,
    result_provenance,
)
from modelatlas.graph.writes import WriteReport
from modelatlas.ingest.imports import (
    ImportOutcome,
    import_epoch_benchmarks,
    import_epoch_db,
    import_epoch_models,
    import_lmarena,
)
from modelatlas.ingest.provenance import ProvenanceReport, classify
from modelatlas.ingest.snapshot import SnapshotError, dataset_digest, read_manifest, verify_snapshot
from modelatlas.ingest.tabular import ImportReport
from modelatlas.ingest.variants import version_parents
from modelatlas.ingest.yaml_files import load_yaml_files
from modelatlas.knowledge import KnowledgeGraph
from modelatlas.resources import resource_dir

__all__ = [
    "LINKS",
    "SEED",
    "DerivedReport",
    "LoadStep",
    "add_counts",
    "load_default_graph",
    "measure_provenance",
    "settle_links",
    "snapshot_dir",
]

Importer = Callable[[KnowledgeGraph, Path], Awaitable[ImportOutcome]]


IMPORTERS: dict[str, Importer] = {
    "epoch-models": import_epoch_models,
    "epoch-benchmarks": import_epoch_benchmarks,
    "epoch-db": import_epoch_db,
    "lmarena": import_lmarena,
}
"""Manifest kind -> its importer, given the dataset's folder (or its one file, if FILE_KINDS)."""
FILE_KINDS = frozenset({"epoch-models"})
SEED = "curated seed"
"""The name of the step that upserts the packaged curated YAML."""
LINKS = "links across datasets"
"""The name of a step that re-runs the imported datasets so their cross-dataset links settle."""


@dataclass(frozen=True)
class LoadStep:
    """What loading one part of the default graph did."""

    name: str
    written: WriteReport | None
    """None when the dataset was skipped as unchanged."""
    report: ImportReport | None
    seconds: float


def snapshot_dir() -> Path:
    """The packaged snapshot folder (seed/snapshot)."""
    return resource_dir("seed") / "snapshot"


def _code_digest() -> str:
    """A checksum of the importers' source, so a changed parser re-imports the snapshot."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


async def load_default_graph(
    kg: KnowledgeGraph,
    *,
    force: bool = False,
    folder: Path | None = None,
    on_step: Callable[[str, int, int], None] | None = None,
    on_done: Callable[[LoadStep], None] | None = None,
    order: Sequence[str] | None = None,
) -> list[LoadStep]:
    """Upsert the curated seed, then import each changed snapshot dataset; repeatable.

    ``order`` (the seed's name SEED and every dataset's, once each) changes the order they are
    written in; any order ends in the same graph (tests check permutations).
    """
    folder = folder or snapshot_dir()
    datasets = read_manifest(folder)
    for dataset in datasets:  # every file is checked before the first write
        verify_snapshot(folder, dataset)
        if dataset.get("kind") not in IMPORTERS:
            raise SnapshotError(f"snapshot dataset {dataset.get('name')!r}: unknown kind")
    total = len(datasets) + 1
    steps: list[LoadStep] = []

    def done(step: LoadStep) -> None:
        steps.append(step)
        if on_done is not None:
            on_done(step)

    names = [SEED, *(str(d["name"]) for d in datasets)]
    if order is not None:
        if sorted(order) != sorted(names):
            raise ValueError(f"order must name each of {', '.join(names)} once")
        names = list(order)
    by_name = {str(d["name"]): d for d in datasets}
    code = _code_digest()
    recorded = {} if force else await import_digests(kg.graph)
    imported: list[tuple[str, str, Path]] = []
    for number, name in enumerate(names, start=1):
        if on_step is not None:
            on_step(name, number, total)
        started = time.perf_counter()
        if name == SEED:
            written = await kg.upsert(load_yaml_files([resource_dir("seed")]))
            done(LoadStep(SEED, written, None, time.perf_counter() - started))
            continue
        dataset = by_name[name]
        if recorded.get(name) == dataset_digest(dataset, code):
            done(LoadStep(name, None, None, time.perf_counter() - started))
            continue
        kind = str(dataset["kind"])
        files = dataset["files"]
        assert isinstance(files, list)  # checked by verify_snapshot
        target = folder / str(files[0]["path"]) if kind in FILE_KINDS else folder / name
        outcome = await IMPORTERS[kind](kg, target)
        imported.append((name, kind, target))
        done(LoadStep(name, outcome.written, outcome.report, time.perf_counter() - started))
    for link in await settle_links(kg, [(kind, target) for _name, kind, target in imported]):
        done(LoadStep(LINKS, link.written, None, link.seconds))
    for dataset in datasets:
        await record_import(kg.graph, str(dataset["name"]), dataset_digest(dataset, code))
    return steps


@dataclass(frozen=True)
class LinkPass:
    """One re-run of the imported datasets that still wrote or linked something."""

    written: WriteReport
    linked: int
    seconds: float


def add_counts(total: WriteReport, written: WriteReport) -> None:
    """Add one write report's created / updated counts into another, per label."""
    for label, counts in written.kinds.items():
        total.counts(label).created += counts.created
        total.counts(label).updated += counts.updated


async def settle_links(
    kg: KnowledgeGraph, imported: Sequence[tuple[str, Path]], passes: int = 2
) -> list[LinkPass]:
    """Re-run the imported (kind, path) datasets until a pass writes and links nothing.

    A dataset's base models and model names may only resolve against a later dataset's
    models; at most ``passes`` re-runs, and only those that changed something are returned.
    """
    done: list[LinkPass] = []
    for _ in range(passes if imported else 0):
        started = time.perf_counter()
        written = WriteReport()
        linked = 0
        for kind, target in imported:
            outcome = await IMPORTERS[kind](kg, target)
            linked += outcome.derivations_linked
            add_counts(written, outcome.written)
        if written.created == 0 and written.updated == 0 and linked == 0:
            break
        done.append(LinkPass(written, linked, time.perf_counter() - started))
    return done


DERIVED_RANK = 70
"""Precedence of claims derived from report tables: below every imported source."""


@dataclass(frozen=True)
class DerivedReport:
    """What the pass over the whole graph did: provenance, derived claims, verdicts."""

    provenance: ProvenanceReport
    claims: WriteReport
    pruned: int
    verdicts_changed: int
    variants_linked: int = 0

    def lines(self) -> list[str]:
        """Short human-readable lines for a CLI."""
        return [
            *self.provenance.lines(),
            f"derived claims: {self.claims.created} created, {self.claims.updated} updated, "
            f"{self.pruned} no longer derived and deleted",
            f"verdicts changed: {self.verdicts_changed}",
            f"model versions linked VARIANT_OF their model: {self.variants_linked}",
        ]


async def measure_provenance(kg: KnowledgeGraph) -> DerivedReport:
    """Link model versions, classify who measured each result, derive report claims, weigh all.

    Writes only what changed, so a rerun over an unchanged graph writes nothing.
    """
    variants = await link_variants(kg.graph, version_parents(await model_variant_state(kg.graph)))
    results, organizations = await result_provenance(kg.graph)
    report = classify(results, organizations)
    await classify_results(kg.graph, report.updates)
    written = await kg.upsert(Dataset(claims=list(report.claims)), rank=DERIVED_RANK)
    keep = {claim.id for claim in report.claims}
    stale = sorted(await derived_claim_ids(kg.graph) - keep)
    pruned = await prune_derived_claims(kg.graph, stale)
    verdicts = await kg.refresh_verdicts()
    return DerivedReport(report, written, pruned, verdicts, variants)
