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

from modelatlas import graph_model
from modelatlas.domain import COMPARATIVE_CLAIM_KINDS
from modelatlas.errors import InvalidInput, NotFound
from modelatlas.graph.core import Graph, Transaction

_KEYS: Final[dict[str, str]] = {kind.label: kind.key for kind in graph_model.NODE_KINDS.values()}
"""Kind -> natural key property, from the graph model (targets before the facts that cite them)."""

_CONDITIONS: Final[dict[str, LiteralString]] = {
    "comparative": "f.kind IN $comparative",
    "scored": (
        "(f.score IS NOT NULL OR EXISTS { (f)-[c:CITED_IN]->() WHERE c.score IS NOT NULL })"
    ),
}
"""The graph model's `need_when` conditions on a fact `f`, as the domain validates them."""


def _branch(r: graph_model.Relationship) -> LiteralString:
    """The facts `f` that need the node `n` through one relationship (fixed text)."""
    rel = "[:" + r.type + "]"
    arrow = ("<-" + rel + "-") if r.incoming else ("-" + rel + "->")
    tests: list[LiteralString] = []
    if r.need_when is not None:
        tests.append(_CONDITIONS[r.need_when])
    if r.need == graph_model.Need.SOME:
        other = "(other:" + r.target + ")"
        tests.append("NOT EXISTS { (f)" + arrow + other + " WHERE other <> n }")
    where = ("\n  WHERE " + " AND ".join(tests)) if tests else ""
    return "\n  MATCH (f:" + r.owner + ")" + arrow + "(n)" + where + "\n  RETURN f"


def _needed_by() -> dict[str, LiteralString]:
    """Per kind, the facts that need the node `n` and have no other node to fall back on,
    from the graph model's `need` of each relationship. Each branch returns `f`; UNION
    removes duplicates."""
    branches: dict[str, list[LiteralString]] = {}
    for r in graph_model.RELATIONSHIPS:
        if r.need != graph_model.Need.NONE:
            branches.setdefault(r.target, []).append(_branch(r))
    return {kind: "\n  UNION".join(parts) + "\n" for kind, parts in branches.items()}


_NEEDED_BY: Final[dict[str, LiteralString]] = _needed_by()


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


class WouldOrphanError(InvalidInput):
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

    Raises NotFound or WouldOrphanError; either way the graph is unchanged.
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
            raise NotFound(f"no {kind} {key!r} exists", kind=kind, key=key)
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
