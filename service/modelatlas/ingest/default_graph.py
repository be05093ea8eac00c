"""The graph a new user gets: the curated seed plus every dataset of the packaged snapshot.

`modelatlas serve` and `modelatlas load` call :func:`load_default_graph`. Each snapshot
dataset is checked against its manifest checksum, imported, and its digest (the files'
sha256 and the importers' own source) recorded in the graph, so a later start skips the
datasets that did not change and an importer change re-imports them.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from modelatlas.domain import Dataset
from modelatlas.graph.admin import (
    ImportMatching,
    import_digests,
    import_matchings,
    record_import,
)
from modelatlas.graph.provenance import (
    classify_results,
    derived_claim_ids,
    link_variants,
    model_variant_state,
    prune_derived_claims,
    result_provenance,
)
from modelatlas.graph.writes import WriteReport, link_derivations, name_index
from modelatlas.ingest.epoch import model_lookup
from modelatlas.ingest.imports import IMPORTERS, write_batch
from modelatlas.ingest.provenance import ProvenanceReport, classify
from modelatlas.ingest.resolution import decide_identities, resolve_with
from modelatlas.ingest.snapshot import SnapshotError, dataset_digest, read_manifest, verify_snapshot
from modelatlas.ingest.tabular import ImportReport
from modelatlas.ingest.variants import version_parents
from modelatlas.ingest.yaml_files import load_yaml_files
from modelatlas.knowledge import KnowledgeGraph, PendingVerdicts
from modelatlas.resources import resource_dir

__all__ = [
    "LINKS",
    "SEED",
    "DerivedReport",
    "LoadStep",
    "Part",
    "ResolutionReport",
    "add_counts",
    "import_parts",
    "load_default_graph",
    "measure_provenance",
    "resolution_report",
    "snapshot_dir",
]

FILE_KINDS = frozenset({"epoch-models"})
"""Manifest kinds whose importer reads the dataset's one file, not its folder."""
LINKS = "base models across datasets"
"""The step that links each model to a base model of another dataset, once all are in."""
SEED = "curated seed"
"""The name of the step that upserts the packaged curated YAML."""


@dataclass(frozen=True)
class LoadStep:
    """What loading one part of the default graph did."""

    name: str
    written: WriteReport | None
    """None when the dataset was skipped as unchanged."""
    report: ImportReport | None
    seconds: float
    linked: int = 0
    """DERIVED_FROM edges the step added between models that existed already."""


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
    names = [SEED, *(str(d["name"]) for d in datasets)]
    if order is not None:
        if sorted(order) != sorted(names):
            raise ValueError(f"order must name each of {', '.join(names)} once")
        names = list(order)
    code = _code_digest()
    recorded = {} if force else await import_digests(kg.graph)
    changed = any(recorded.get(str(d["name"])) != dataset_digest(d, code) for d in datasets)
    parts = [Part.of(folder, d) for d in datasets]
    steps: list[LoadStep] = []

    def done(step: LoadStep) -> None:
        steps.append(step)
        if on_done is not None:
            on_done(step)

    matching: dict[str, ImportMatching] = {}
    if changed:  # one dataset's change can move another's models: all are matched again
        for step in await import_parts(kg, parts, order=names, on_step=on_step, on_done=done):
            if step.report is not None:
                matching[step.name] = ImportMatching(
                    step.name,
                    step.report.resolution,
                    step.report.new_models,
                    step.report.unresolved,
                )
    else:
        for number, name in enumerate(names, start=1):
            if on_step is not None:
                on_step(name, number, total)
            started = time.perf_counter()
            if name == SEED:
                written = await kg.upsert(load_yaml_files([resource_dir("seed")]))
                done(LoadStep(SEED, written, None, time.perf_counter() - started))
            else:
                done(LoadStep(name, None, None, time.perf_counter() - started))
    for dataset in datasets:
        name = str(dataset["name"])
        await record_import(kg.graph, name, dataset_digest(dataset, code), matching.get(name))
    return steps


def add_counts(total: WriteReport, written: WriteReport) -> None:
    """Add one write report's created / updated counts into another, per label."""
    for label, counts in written.kinds.items():
        total.counts(label).created += counts.created
        total.counts(label).updated += counts.updated


@dataclass(frozen=True)
class Part:
    """One dataset of a load: its name, its kind and its files (a folder, or one file)."""

    name: str
    kind: str
    target: Path

    @classmethod
    def of(cls, folder: Path, dataset: Mapping[str, object]) -> Part:
        """The part of a snapshot manifest entry (checked by verify_snapshot)."""
        kind = str(dataset["kind"])
        name = str(dataset["name"])
        files = dataset["files"]
        assert isinstance(files, list)
        target = folder / str(files[0]["path"]) if kind in FILE_KINDS else folder / name
        return cls(name, kind, target)


async def import_parts(
    kg: KnowledgeGraph,
    parts: Sequence[Part],
    *,
    order: Sequence[str] | None = None,
    on_step: Callable[[str, int, int], None] | None = None,
    on_done: Callable[[LoadStep], None] | None = None,
) -> list[LoadStep]:
    """Parse the curated seed and every part, decide which node each model and benchmark is
    over all of them at once (see resolution.decide_identities), then write them in
    ``order`` (their names and SEED; default: seed first, then as given)."""
    seed = load_yaml_files([resource_dir("seed")])
    batches = {p.name: await asyncio.to_thread(IMPORTERS[p.kind].parse, p.target) for p in parts}
    ranks = {p.name: IMPORTERS[p.kind].rank(p.target) for p in parts}
    identities = decide_identities(
        [(SEED, 0, seed), *((name, ranks[name], b.dataset) for name, b in batches.items())]
    )
    others = [
        (slug, names)
        for slug, names in await name_index(kg.graph, "Model")
        if slug not in identities.nodes
    ]
    graph_models = model_lookup(others)
    names = list(order) if order is not None else [SEED, *batches]
    steps: list[LoadStep] = []
    edges: list[tuple[str, str]] = []
    pending = PendingVerdicts()  # re-weighed once, after the last part
    for number, name in enumerate(names, start=1):
        if on_step is not None:
            on_step(name, number, len(names))
        started = time.perf_counter()
        if name == SEED:
            written = await kg.upsert(seed, pending=pending)
            step = LoadStep(SEED, written, None, time.perf_counter() - started)
        else:
            batch = resolve_with(batches[name], identities.datasets[name], identities, graph_models)
            outcome = await write_batch(kg, batch, ranks[name], link=False, pending=pending)
            edges.extend(batch.extra_derivations)
            step = LoadStep(
                name,
                outcome.written,
                outcome.report,
                time.perf_counter() - started,
                outcome.derivations_linked,
            )
        steps.append(step)
        if on_done is not None:
            on_done(step)
    started = time.perf_counter()
    await kg.refresh_verdicts(pending)
    linked = await link_derivations(kg.graph, list(dict.fromkeys(edges)))
    step = LoadStep(LINKS, WriteReport(), None, time.perf_counter() - started, linked)
    steps.append(step)
    if on_done is not None:
        on_done(step)
    return steps


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
    # Every verdict is re-weighed below: the derived claims' own refresh would be done twice.
    written = await kg.upsert(
        Dataset(claims=list(report.claims)), rank=DERIVED_RANK, pending=PendingVerdicts()
    )
    keep = {claim.id for claim in report.claims}
    stale = sorted(await derived_claim_ids(kg.graph) - keep)
    pruned = await prune_derived_claims(kg.graph, stale)
    verdicts = await kg.refresh_verdicts()
    return DerivedReport(report, written, pruned, verdicts, variants)


@dataclass(frozen=True)
class ResolutionReport:
    """How the graph's names were matched: each dataset's models (recorded at import) and
    each report's owner (worked out now from the graph), with what did not match."""

    datasets: Sequence[ImportMatching]
    owners: ProvenanceReport

    def lines(self, shown: int = 10) -> list[str]:
        """Short human-readable lines for a CLI, ``shown`` names of each unmatched list."""

        def names(label: str, items: Sequence[str]) -> list[str]:
            more = f" ... and {len(items) - shown} more" if len(items) > shown else ""
            return [f"  {label} ({len(items)}): {', '.join(items[:shown])}{more}"] if items else []

        lines: list[str] = []
        for item in self.datasets:
            counts = ", ".join(f"{n} {how}" for how, n in sorted(item.resolution.items()))
            lines.append(f"{item.dataset}: models {counts or 'none'}")
            lines += names("new models, matched in no earlier dataset", item.new_models)
            lines += names("base models found nowhere", item.unresolved_bases)
        owners = self.owners
        lines.append(
            f"report owners: {owners.owners_by_title} by title, {owners.owners_by_majority} by "
            f"the developer of most of their models, {len(owners.unresolved)} unresolved"
        )
        lines += [f"  unresolved: {t} ({n} results) {url}" for t, url, n in owners.unresolved]
        return lines

    def as_dict(self) -> dict[str, object]:
        """Plain data for --json output (every name, nothing cut)."""
        return {
            "datasets": [
                {
                    "name": item.dataset,
                    "models": dict(item.resolution),
                    "newModels": list(item.new_models),
                    "unresolvedBases": list(item.unresolved_bases),
                }
                for item in self.datasets
            ],
            "reportOwners": {
                "byTitle": self.owners.owners_by_title,
                "byMajority": self.owners.owners_by_majority,
                "unresolved": [
                    {"title": t, "url": url, "results": n} for t, url, n in self.owners.unresolved
                ],
            },
        }


async def resolution_report(kg: KnowledgeGraph) -> ResolutionReport:
    """The matching `modelatlas stats --resolution` shows; reads only."""
    results, organizations = await result_provenance(kg.graph)
    return ResolutionReport(await import_matchings(kg.graph), classify(results, organizations))
