"""Server facts and whole-graph maintenance queries."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from modelatlas.graph.core import Graph


async def server_components(graph: Graph) -> tuple[str, str, str]:
    """(name, version, edition) of the Neo4j server, from dbms.components()."""
    rows = await graph.read(
        "CALL dbms.components() YIELD name, versions, edition "
        "RETURN name, versions[0] AS version, edition"
    )
    row = rows[0]
    return str(row["name"]), str(row["version"]), str(row["edition"])


async def clear_data(graph: Graph) -> None:
    """Delete every node but the migration records, in batches (tests and `reset`)."""
    await graph.autocommit(
        "MATCH (n) WHERE NOT n:_Migration "
        "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
    )


async def import_digests(graph: Graph) -> dict[str, str]:
    """Dataset name -> digest of the files last imported from it (see `record_import`)."""
    rows = await graph.read("MATCH (i:_Import) RETURN i.dataset AS dataset, i.digest AS digest")
    return {str(row["dataset"]): str(row["digest"]) for row in rows}


async def record_import(
    graph: Graph, dataset: str, digest: str, matching: ImportMatching | None = None
) -> None:
    """Note that a dataset's files with this digest are in the graph, so a restart skips them,
    and (when given) how its models matched, for `modelatlas stats --resolution`."""
    await graph.write(
        "MERGE (i:_Import {dataset: $dataset}) SET i.digest = $digest, i.importedAt = datetime()"
        " FOREACH (m IN CASE WHEN $matching IS NULL THEN [] ELSE [$matching] END |"
        "  SET i.resolution = m.resolution, i.newModels = m.newModels,"
        "      i.unresolvedBases = m.unresolvedBases)",
        {"dataset": dataset, "digest": digest, "matching": matching.as_row() if matching else None},
    )


@dataclass(frozen=True)
class ImportMatching:
    """How one imported dataset's models matched the graph's, as recorded at import."""

    dataset: str
    resolution: Mapping[str, int]
    """"exact" slug, "alias" (a name or alias as written), "normalised" (their name_key),
    "new" (matched nothing: its own model)."""
    new_models: tuple[str, ...] = ()
    unresolved_bases: tuple[str, ...] = ()
    """"model-slug: base name" of base models found in no dataset and not in the graph."""

    def as_row(self) -> dict[str, Any]:
        """The parameters record_import stores."""
        return {
            "resolution": json.dumps(dict(self.resolution), sort_keys=True),
            "newModels": list(self.new_models),
            "unresolvedBases": list(self.unresolved_bases),
        }


async def import_matchings(graph: Graph) -> list[ImportMatching]:
    """What record_import noted of each dataset's model matching, by dataset name."""
    rows = await graph.read(
        "MATCH (i:_Import) WHERE i.resolution IS NOT NULL RETURN i.dataset AS dataset,"
        " i.resolution AS resolution, i.newModels AS new, i.unresolvedBases AS bases"
        " ORDER BY dataset"
    )
    return [
        ImportMatching(
            str(row["dataset"]),
            {str(k): int(v) for k, v in json.loads(row["resolution"]).items()},
            tuple(map(str, row["new"] or ())),
            tuple(map(str, row["bases"] or ())),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Fingerprint:
    """Counts per label and relationship type, plus a checksum over keys and properties.

    Two graphs with equal fingerprints hold the same facts: reliability tests compare them
    before and after a failed, repeated or interrupted write.
    """

    labels: dict[str, int]
    relationships: dict[str, int]
    checksum: str

    def as_dict(self) -> dict[str, object]:
        """Plain data for --json output."""
        return {
            "labels": self.labels,
            "relationships": self.relationships,
            "checksum": self.checksum,
        }


def _canonical(value: object) -> object:
    """Make Neo4j values (dates, lists) hashable in a stable textual form."""
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if hasattr(value, "iso_format"):
        return str(value.iso_format())
    return value


async def fingerprint(graph: Graph) -> Fingerprint:
    """The graph's fingerprint (migration and import bookkeeping excluded)."""
    nodes = await graph.read(
        "MATCH (n) WHERE NOT n:_Migration AND NOT n:_Import "
        "RETURN labels(n) AS labels, properties(n) AS props"
    )
    rels = await graph.read(
        "MATCH (a)-[r]->(b) WHERE NOT a:_Migration AND NOT a:_Import "
        "RETURN type(r) AS type, labels(a)[0] AS fromLabel, "
        "coalesce(a.slug, a.id, a.url, a.code) AS fromKey, labels(b)[0] AS toLabel, "
        "coalesce(b.slug, b.id, b.url, b.code) AS toKey, properties(r) AS props"
    )
    labels: Counter[str] = Counter()
    lines: list[bytes] = []
    for row in nodes:
        labels.update(row["labels"])
        props = {k: _canonical(v) for k, v in row["props"].items()}
        lines.append(json.dumps([sorted(row["labels"]), props], sort_keys=True).encode())
    types: Counter[str] = Counter()
    for row in rels:
        types[row["type"]] += 1
        props = {k: _canonical(v) for k, v in row["props"].items()}
        ends = [row["type"], row["fromLabel"], row["fromKey"], row["toLabel"], row["toKey"]]
        lines.append(json.dumps([ends, props], sort_keys=True).encode())
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line + b"\n")
    return Fingerprint(
        dict(sorted(labels.items())), dict(sorted(types.items())), digest.hexdigest()
    )
