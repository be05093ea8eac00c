"""Deletes that never leave a sourced fact invalid: refused, or cascaded on request.

A fact (Release, Claim, Result, MarketEvent) needs some of the nodes it points to, exactly as
its domain model requires them: a Claim its subject, claimant and sources, a comparative
Claim at least one model it is compared with, a Result its model and benchmark, and so on.
Deleting such a node would leave those facts invalid ("orphaned"), so the delete is refused
and names them, unless the caller asks to cascade: then the facts go too, in the same
transaction. Relationships that are optional (lineage, partners, a market event's
attribution) are simply removed with the node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, LiteralString

from modelatlas.domain import COMPARATIVE_CLAIM_KINDS, RECORD_TYPES
from modelatlas.graph.core import Graph, Transaction

_KEYS: Final[dict[str, str]] = {cls.KIND: cls.KEY_FIELD for cls in RECORD_TYPES.values()}
"""Kind -> natural key property, from the domain (targets before the facts that cite them)."""

# Per kind: the facts that need the node `n` and have no other node to fall back on.
# Each branch returns `f`; UNION removes duplicates.
_NEEDED_BY: Final[dict[str, LiteralString]] = {
    "Source": """
  MATCH (f)-[:CITED_IN]->(n)
  WHERE NOT EXISTS { (f)-[:CITED_IN]->(other:Source) WHERE other <> n }
  RETURN f
""",
    "Organization": """
  MATCH (f:Release)-[:ANNOUNCED_BY]->(n)
  WHERE NOT EXISTS { (f)-[:ANNOUNCED_BY]->(other) WHERE other <> n }
  RETURN f
  UNION
  MATCH (f:Claim)-[:CLAIMED_BY]->(n)
  RETURN f
  UNION
  MATCH (f:MarketEvent)-[:AFFECTED]->(n)
  WHERE NOT EXISTS { (f)-[:AFFECTED]->(other) WHERE other <> n }
  RETURN f
""",
    "Model": """
  MATCH (f:Release)-[:INTRODUCED]->(n)
  WHERE NOT EXISTS { (f)-[:INTRODUCED]->(other) WHERE other <> n }
  RETURN f
  UNION
  MATCH (f:Claim)-[:SUBJECT]->(n)
  RETURN f
  UNION
  MATCH (f:Claim)-[:AGAINST]->(n)
  WHERE f.kind IN $comparative AND NOT EXISTS { (f)-[:AGAINST]->(other) WHERE other <> n }
  RETURN f
  UNION
  MATCH (f:Result)-[:OF]->(n)
  RETURN f
""",
    "Benchmark": """
  MATCH (f:Result)-[:ON]->(n)
  RETURN f
  UNION
  MATCH (f:Claim)-[:ON]->(n)
  WHERE f.score IS NOT NULL OR EXISTS { (f)-[c:CITED_IN]->() WHERE c.score IS NOT NULL }
  RETURN f
""",
}


def _lock(label: str, key: str) -> LiteralString:
    """Find the node and take its write lock first, so no fact can attach to it meanwhile."""
    return f"MATCH (n:{label} {{{key}: $key}}) SET n._deleting = true RETURN count(n) AS found"


def _dependents(label: str, key: str, needed_by: LiteralString) -> LiteralString:
    """The facts that would be left invalid, with their kind, key and element id."""
    return (
        f"MATCH (n:{label} {{{key}: $key}}) CALL (n) {{"
        + needed_by
        + "} RETURN head(labels(f)) AS kind, coalesce(f.slug, f.id) AS key, "
        "elementId(f) AS element ORDER BY kind, key"
    )


def _delete(label: str, key: str) -> LiteralString:
    """Delete the node and its relationships; returns how many relationships went."""
    return (
        f"MATCH (n:{label} {{{key}: $key}}) "
        "WITH n, COUNT { (n)--() } AS rels DETACH DELETE n RETURN rels"
    )


_DELETE_FACTS: Final = (
    "UNWIND $elements AS element MATCH (f) WHERE elementId(f) = element "
    "WITH f, COUNT { (f)--() } AS rels DETACH DELETE f RETURN count(f) AS nodes, sum(rels) AS rels"
)

_STATEMENTS: Final[dict[str, tuple[LiteralString, LiteralString | None, LiteralString]]] = {
    kind: (
        _lock(kind, key),
        _dependents(kind, key, _NEEDED_BY[kind]) if kind in _NEEDED_BY else None,
        _delete(kind, key),
    )
    for kind, key in _KEYS.items()
}
KINDS: Final = tuple(_KEYS)
"""Every kind a delete can name."""


@dataclass(frozen=True, slots=True)
class NodeRef:
    """One node, by kind and natural key."""

    kind: str
    key: str


class NodeNotFoundError(LookupError):
    """The node to delete does not exist."""

    def __init__(self, kind: str, key: str) -> None:
        """Name the missing node."""
        super().__init__(f"no {kind} {key!r} exists")
        self.kind = kind
        self.key = key


class WouldOrphanError(ValueError):
    """Deleting the node would leave sourced facts invalid; nothing was deleted."""

    def __init__(self, target: NodeRef, dependents: list[NodeRef]) -> None:
        """Name the node and the facts that need it."""
        count = len(dependents)
        listed = ", ".join(f"{d.kind} {d.key!r}" for d in dependents[:10])
        more = f" and {count - 10} more" if count > 10 else ""
        super().__init__(
            f"deleting {target.kind} {target.key!r} would orphan {count} sourced "
            f"fact{'s' if count != 1 else ''} ({listed}{more}); nothing was deleted. "
            "Pass cascade: true to delete them too."
        )
        self.target = target
        self.dependents = dependents


@dataclass
class DeleteReport:
    """What a delete removed: the node, the facts cascaded with it, and relationship count."""

    target: NodeRef
    cascaded: list[NodeRef] = field(default_factory=list)
    relationships: int = 0

    @property
    def nodes(self) -> int:
        """Nodes deleted in all, the target included."""
        return 1 + len(self.cascaded)


async def delete_node(graph: Graph, kind: str, key: str, *, cascade: bool) -> DeleteReport:
    """Delete one node by natural key in one write transaction, refusing to orphan facts.

    Raises NodeNotFoundError or WouldOrphanError; either way the graph is unchanged.
    """
    if kind not in _STATEMENTS:
        raise ValueError(f"unknown kind {kind!r}")
    lock, dependents_query, delete = _STATEMENTS[kind]
    target = NodeRef(kind, key)
    params: dict[str, Any] = {
        "key": key,
        "comparative": sorted(k.value for k in COMPARATIVE_CLAIM_KINDS),
    }

    async def work(tx: Transaction) -> DeleteReport:
        found = await tx.run(lock, params)
        if not found or not found[0]["found"]:
            raise NodeNotFoundError(kind, key)
        rows = await tx.run(dependents_query, params) if dependents_query else []
        dependents = [NodeRef(str(r["kind"]), str(r["key"])) for r in rows]
        if dependents and not cascade:
            raise WouldOrphanError(target, dependents)  # rolls the lock back
        report = DeleteReport(target, dependents)
        if rows:
            gone = await tx.run(_DELETE_FACTS, {"elements": [r["element"] for r in rows]})
            report.relationships += int(gone[0]["rels"] or 0)
        deleted = await tx.run(delete, params)
        report.relationships += int(deleted[0]["rels"]) if deleted else 0
        return report

    return await graph.write_tx(work)
