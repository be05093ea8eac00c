"""Which graph node each imported model and benchmark is: matching names across datasets.

Two ways, one rewrite. :func:`resolve_models` matches one batch against the graph as it is
(an ad-hoc ``modelatlas import``): records the graph already has are dropped and their
references re-pointed. :func:`decide_identities` matches every dataset of a load against
each other at once, in precedence order, before anything is written, and
:func:`resolve_with` re-keys each batch by that decision: the identity of a model no
longer depends on which dataset happened to be written first, and every record is written
onto its node at its own rank, so precedence alone decides each value.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from modelatlas.domain import Benchmark, Dataset, Model, Organization, Record
from modelatlas.ingest.epoch import NameLookup, model_lookup, name_key, organization_key
from modelatlas.ingest.tabular import ImportBatch

__all__ = [
    "DatasetIdentity",
    "Identities",
    "decide_identities",
    "resolve_models",
    "resolve_with",
]


def _match(
    candidates: Iterable[str],
    known: Mapping[str, str],
    existing: set[str] | Mapping[str, Any],
    key_of: Callable[[str], str] = name_key,
) -> tuple[str | None, str]:
    """The slug of the first candidate found and how: "exact" slug, "alias" (a name or alias
    as a known model writes it, case aside), "normalised" key of one (see name_key), or
    (None, "new")."""
    verbatim = known.verbatim if isinstance(known, NameLookup) else {}
    for text in candidates:
        if text in existing:
            return text, "exact"
        said = verbatim.get(text.strip().casefold())
        if said is not None:
            return said, "alias"
        try:
            key = key_of(text)
        except ValueError:
            continue
        if key in known:
            return known[key], "normalised"
    return None, "new"


def _texts(record: Model | Benchmark | Organization) -> list[str]:
    """The record's slug, name and aliases: what it can be matched by."""
    aliases = record.aliases if isinstance(record, Model | Organization) else []
    return [record.slug, record.name, *aliases]


_R = TypeVar("_R", bound=Record)


def _with(record: _R, **changes: Any) -> _R:
    """The record with some fields changed, validated again; the record itself if none is."""
    if all(getattr(record, name) == value for name, value in changes.items()):
        return record
    return type(record).model_validate({**record.model_dump(), **changes})


# --------------------------------------------------------------------------- identities


@dataclass(frozen=True)
class DatasetIdentity:
    """One dataset's share of the decision: each record's node, how it matched, its rank."""

    rank: int
    models: Mapping[str, str]
    """Record slug -> the slug of its node."""
    benchmarks: Mapping[str, str]
    organizations: Mapping[str, str]
    """Record slug -> the slug of its node ("mistral" -> "mistral-ai"; see organization_key)."""
    model_matches: Mapping[str, str]
    """Record slug -> "exact", "alias", "normalised" (an earlier dataset's model) or "new"."""


@dataclass(frozen=True)
class Identities:
    """The nodes every dataset of a load writes onto, decided over all of them at once."""

    datasets: Mapping[str, DatasetIdentity]
    known_models: Mapping[str, str]
    """name_key of every model text of every dataset -> its node (for base-model names)."""
    known_benchmarks: Mapping[str, str]
    developers_rank: Mapping[str, int]
    """Model node -> the best rank of a record that names its developers: only records of
    that rank add developers, so a lower source's spelling of an organization ("Meta" for
    "Meta AI") does not give a model a second developer."""
    nodes: frozenset[str] = field(default_factory=frozenset)
    """Every model node the datasets write (the rest of the graph is someone else's)."""


def _decide(
    datasets: Sequence[tuple[str, Sequence[Model] | Sequence[Benchmark] | Sequence[Organization]]],
    key_of: Callable[[str], str] = name_key,
) -> tuple[dict[str, dict[str, tuple[str, str]]], dict[str, str]]:
    """Per dataset, record slug -> (node, how), and the final name_key -> node map.

    Datasets come in precedence order; each is matched against the ones before it (never
    against itself: two models of one file stay two models, as a file-by-file import has it).
    """
    texts: dict[str, list[str]] = {}
    decided: dict[str, dict[str, tuple[str, str]]] = {}
    for name, records in datasets:
        known = model_lookup(texts.items(), key_of)
        own: dict[str, tuple[str, str]] = {}
        for record in records:
            found, how = _match(_texts(record), known, texts, key_of)
            own[record.slug] = (found or record.slug, how)
        for record in records:
            texts.setdefault(own[record.slug][0], []).extend(_texts(record))
        decided[name] = own
    return decided, model_lookup(texts.items(), key_of)


def decide_identities(datasets: Sequence[tuple[str, int, Dataset]]) -> Identities:
    """Match the models and benchmarks of all (name, rank, dataset) of a load, best rank
    first, so that any order of writing them reaches the same nodes."""
    ordered = sorted(datasets, key=lambda item: (item[1], item[0]))
    models, known_models = _decide([(name, data.models) for name, _rank, data in ordered])
    benchmarks, known_benchmarks = _decide(
        [(name, data.benchmarks) for name, _rank, data in ordered]
    )
    organizations, _known = _decide(
        [(name, data.organizations) for name, _rank, data in ordered], organization_key
    )
    developers_rank: dict[str, int] = {}
    for name, rank, data in ordered:
        for model in data.models:
            if model.developers:
                developers_rank.setdefault(models[name][model.slug][0], rank)
    return Identities(
        datasets={
            name: DatasetIdentity(
                rank=rank,
                models={slug: node for slug, (node, _how) in models[name].items()},
                benchmarks={slug: node for slug, (node, _how) in benchmarks[name].items()},
                organizations={
                    slug: node for slug, (node, _how) in organizations[name].items() if node != slug
                },
                model_matches={slug: how for slug, (_node, how) in models[name].items()},
            )
            for name, rank, _data in ordered
        },
        known_models=known_models,
        known_benchmarks=known_benchmarks,
        developers_rank=developers_rank,
        nodes=frozenset(node for own in models.values() for node, _how in own.values()),
    )


# --------------------------------------------------------------------------- rewriting


@dataclass
class _Plan:
    """How one batch is re-keyed: where each model and benchmark goes, which are dropped."""

    models: dict[str, str] = field(default_factory=dict)
    dropped_models: set[str] = field(default_factory=set)
    benchmarks: dict[str, str] = field(default_factory=dict)
    dropped_benchmarks: set[str] = field(default_factory=set)
    organizations: Mapping[str, str] = field(default_factory=dict)
    base_known: Mapping[str, str] = field(default_factory=dict)
    base_existing: set[str] = field(default_factory=set)
    no_developers: set[str] = field(default_factory=set)
    """Record slugs whose developers are left to a better-ranked record of their node."""
    matches: Counter[str] = field(default_factory=Counter)
    new: list[str] = field(default_factory=list)


def resolve_models(
    batch: ImportBatch,
    known: Mapping[str, str],
    *,
    benchmarks: Mapping[str, str] | None = None,
) -> ImportBatch:
    """Point a batch's model references at the graph's existing models, dropping duplicates."""
    # ``known`` maps name_key of the graph models' slugs, names and aliases to their slugs
    # (see model_lookup). Model records the graph already has are dropped, so the existing
    # nodes stay as they are; their DERIVED_FROM edges come back in ``extra_derivations``
    # for the caller to write after the dataset. ``benchmarks``, built the same way from
    # Benchmark nodes, does the same for benchmarks when given.
    existing = set(known.values())
    plan = _Plan(base_known=known, base_existing=existing)
    for model in batch.dataset.models:
        found, how = _match(_texts(model), known, existing)
        plan.matches[how] += 1
        if found is None:
            plan.new.append(model.name)
        else:
            plan.models[model.slug] = found
            plan.dropped_models.add(model.slug)
    if benchmarks is not None:
        existing_benchmarks = set(benchmarks.values())
        for benchmark in batch.dataset.benchmarks:
            found = _match(_texts(benchmark), benchmarks, existing_benchmarks)[0]
            if found is not None:
                plan.benchmarks[benchmark.slug] = found
                plan.dropped_benchmarks.add(benchmark.slug)
    return _rewrite(batch, plan)


def resolve_with(
    batch: ImportBatch,
    identity: DatasetIdentity,
    identities: Identities,
    graph_models: Mapping[str, str],
) -> ImportBatch:
    """Re-key a batch onto the nodes :func:`decide_identities` chose for it.

    Every record is kept and written onto its node (at the dataset's rank, so precedence
    decides each value), except a second record of one file for the same node. A node the
    load would create but whose name already belongs to a model nobody in the load writes
    (one added by hand or by another import) is matched to that model instead, as
    :func:`resolve_models` would; ``graph_models`` is model_lookup over those models.
    """
    plan = _Plan(
        base_known=identities.known_models,
        base_existing=set(identities.nodes),
        organizations=identity.organizations,
    )
    taken: set[str] = set()
    for model in batch.dataset.models:
        node = identity.models.get(model.slug, model.slug)
        how = identity.model_matches.get(model.slug, "new")
        other, how_other = _match(_texts(model), graph_models, set(graph_models.values()))
        if other is not None and other not in identities.nodes:
            node, how = other, how_other
            plan.dropped_models.add(model.slug)
        elif node in taken:
            plan.dropped_models.add(model.slug)
        taken.add(node)
        plan.matches[how] += 1
        if how == "new":
            plan.new.append(model.name)
        if node != model.slug:
            plan.models[model.slug] = node
        if identities.developers_rank.get(node, identity.rank) < identity.rank:
            plan.no_developers.add(model.slug)
    taken_benchmarks: set[str] = set()
    for benchmark in batch.dataset.benchmarks:
        node = identity.benchmarks.get(benchmark.slug, benchmark.slug)
        if node in taken_benchmarks:
            plan.dropped_benchmarks.add(benchmark.slug)
        taken_benchmarks.add(node)
        if node != benchmark.slug:
            plan.benchmarks[benchmark.slug] = node
    return _rewrite(batch, plan)


def _rewrite(batch: ImportBatch, plan: _Plan) -> ImportBatch:
    """The batch with every model and benchmark reference re-pointed as the plan says."""
    dataset = batch.dataset

    def to(slug: str) -> str:
        return plan.models.get(slug, slug)

    def org(slugs: Iterable[str]) -> list[str]:
        return list(dict.fromkeys(plan.organizations.get(slug, slug) for slug in slugs))

    # Base names not in the file: the known names first, then the batch's own models.
    in_batch: dict[str, str] = {}
    for model in dataset.models:
        for text in _texts(model):
            try:
                in_batch.setdefault(name_key(text), to(model.slug))
            except ValueError:
                continue
    added: dict[str, list[str]] = {}
    extra: list[tuple[str, str]] = list(batch.extra_derivations)
    unresolved: list[tuple[str, str]] = []
    for model_slug_, base in batch.unresolved_bases:
        target = _match([base], plan.base_known, plan.base_existing)[0]
        if target is None:
            try:
                target = in_batch.get(name_key(base))
            except ValueError:
                target = None
        if target is None:
            unresolved.append((to(model_slug_), base))
        elif model_slug_ in plan.dropped_models:
            extra.append((to(model_slug_), target))
        else:
            added.setdefault(model_slug_, []).append(target)

    # A base outside the batch becomes an edge for the caller to link once every dataset
    # is written (it may be another dataset's model, not in the graph yet).
    kept = {to(m.slug) for m in dataset.models if m.slug not in plan.dropped_models}
    models: list[Model] = []
    for model in dataset.models:
        if model.slug in plan.dropped_models:
            extra.extend((to(model.slug), to(base)) for base in model.derived_from)
            continue
        slug = to(model.slug)
        derived = [to(base) for base in [*model.derived_from, *added.get(model.slug, [])]]
        extra.extend((slug, base) for base in derived if base not in kept)
        variant = to(model.variant_of) if model.variant_of else None
        models.append(
            _with(
                model,
                slug=slug,
                derived_from=list(dict.fromkeys(b for b in derived if b != slug and b in kept)),
                variant_of=variant if variant != slug else None,
                developers=[] if model.slug in plan.no_developers else org(model.developers),
            )
        )
    extra = [(a, b) for a, b in dict.fromkeys(extra) if a != b]

    benchmarks = [
        _with(benchmark, slug=plan.benchmarks.get(benchmark.slug, benchmark.slug))
        for benchmark in dataset.benchmarks
        if benchmark.slug not in plan.dropped_benchmarks
    ]
    releases = [
        _with(
            release,
            introduced=list(dict.fromkeys(to(slug) for slug in release.introduced)),
            announced_by=org(release.announced_by),
        )
        for release in dataset.releases
    ]
    # Two organizations of one file may be one node ("Google", and "Google AI" that an
    # earlier dataset calls Google): the record keyed as the node is kept, else the first.
    organizations: dict[str, Organization] = {}
    for organization in sorted(dataset.organizations, key=lambda o: o.slug in plan.organizations):
        node = org([organization.slug])[0]
        organizations.setdefault(
            node,
            _with(
                organization,
                slug=node,
                part_of=org([organization.part_of])[0] if organization.part_of else None,
                partners=org(organization.partners),
            ),
        )
    claims = [_with(c, claimed_by=org([c.claimed_by])[0]) for c in dataset.claims]
    events = [_with(e, affected=org(e.affected)) for e in dataset.market_events]
    results = [
        _with(
            result,
            model=to(result.model),
            benchmark=plan.benchmarks.get(result.benchmark, result.benchmark),
        )
        for result in dataset.results
    ]
    resolved = dataset.model_copy(
        update={
            "organizations": list(organizations.values()),
            "claims": claims,
            "market_events": events,
            "models": models,
            "releases": releases,
            "benchmarks": benchmarks,
            "results": results,
        }
    )
    report = dataclasses.replace(
        batch.report,
        existing_models=batch.report.existing_models + len(plan.dropped_models),
        unresolved=tuple(f"{slug}: {base}" for slug, base in unresolved),
        resolution=dict(plan.matches),
        new_models=tuple(sorted(plan.new)),
    )
    return ImportBatch(resolved, report, tuple(unresolved), tuple(extra))
