"""Per-request DataLoaders, so a relationship field costs one Cypher round trip per query level.

Every relationship field of every parent at one depth of a query asks the same loader (keyed by
the field and its arguments); the loader sends all parent keys in one `UNWIND $keys` statement
of the read layer. Round trips therefore grow with the depth of a query, never with its rows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, Final

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from modelatlas.graph import Graph
from modelatlas.graph.reads import LineageDirection, PageRequest, check_first
from modelatlas.knowledge import KnowledgeGraph

_STATE: Final = "modelatlas.reads"


class RequestLoaders:
    """The DataLoaders of one GraphQL request (never shared between requests)."""

    def __init__(self, knowledge: KnowledgeGraph) -> None:
        """Start empty; loaders are made on first use."""
        self.knowledge = knowledge
        self._loaders: dict[Hashable, DataLoader[str, Any]] = {}
        self._wants_total: dict[int, bool] = {}

    def _loader(
        self, key: Hashable, load: Callable[[Sequence[str]], Awaitable[dict[str, Any]]], empty: Any
    ) -> DataLoader[str, Any]:
        loader = self._loaders.get(key)
        if loader is None:

            async def batch(keys: list[str]) -> list[Any]:
                found = await load(keys)
                return [found.get(k, empty) for k in keys]

            loader = self._loaders[key] = DataLoader(load_fn=batch)
        return loader

    def nodes(self, kind: str) -> DataLoader[str, Any]:
        """Nodes of one kind by key (None when missing)."""
        return self._loader(("nodes", kind), lambda keys: self.knowledge.nodes(kind, keys), None)

    def related(self, relation: str) -> DataLoader[str, Any]:
        """All nodes of one relationship field, per parent key."""
        return self._loader(
            ("related", relation), lambda keys: self.knowledge.related(relation, keys), []
        )

    def pages(self, relation: str, request: PageRequest) -> DataLoader[str, Any]:
        """One page of one relationship field, per parent key."""
        return self._loader(
            ("pages", relation, request),
            lambda keys: self.knowledge.related_pages(relation, keys, request),
            None,
        )

    def citations(self, kind: str) -> DataLoader[str, Any]:
        """Sources with per-source values, per fact key."""
        return self._loader(
            ("citations", kind), lambda keys: self.knowledge.citations(kind, keys), []
        )

    def lineage(
        self, direction: LineageDirection, max_depth: int | None, first: int, after: str | None
    ) -> DataLoader[str, Any]:
        """One page of descendants or ancestors, per model slug."""
        return self._loader(
            ("lineage", direction, max_depth, first, after),
            lambda keys: self.knowledge.lineage(
                keys, direction, max_depth=max_depth, first=first, after=after
            ),
            None,
        )

    def wants_total(self, info: Info[Any, Any]) -> bool:
        """Whether the connection being resolved selects `totalCount` (counting costs a scan)."""
        raw = info._raw_info
        node = raw.field_nodes[0]
        known = self._wants_total.get(id(node))
        if known is None:
            known = self._wants_total[id(node)] = any(
                _selects(field.selection_set, "totalCount", raw.fragments)
                for field in raw.field_nodes
            )
        return known


def _selects(selections: SelectionSetNode | None, name: str, fragments: dict[str, Any]) -> bool:
    """Whether a selection set asks for a field, directly or through fragments."""
    if selections is None:
        return False
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value == name:
                return True
        elif isinstance(selection, InlineFragmentNode):
            if _selects(selection.selection_set, name, fragments):
                return True
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None and _selects(fragment.selection_set, name, fragments):
                return True
    return False


def loaders(info: Info[Any, Any]) -> RequestLoaders:
    """This request's loaders, made on first use and kept in the GraphQL context."""
    context = info.context
    state: RequestLoaders | None = (
        context.get(_STATE) if isinstance(context, dict) else getattr(context, _STATE, None)
    )
    if state is None:
        graph: Graph = context["graph"] if isinstance(context, dict) else context.graph
        state = RequestLoaders(KnowledgeGraph(graph))
        if isinstance(context, dict):
            context[_STATE] = state
        else:
            setattr(context, _STATE, state)
    return state


def knowledge(info: Info[Any, Any]) -> KnowledgeGraph:
    """The request's KnowledgeGraph (over the request's graph and its bookmarks)."""
    return loaders(info).knowledge


async def node(info: Info[Any, Any], kind: str, key: str) -> Any:
    """One node by key through the request's loader (lookups batch across aliases)."""
    return await loaders(info).nodes(kind).load(key)


async def related(info: Info[Any, Any], relation: str, key: str) -> Any:
    """A list relationship field of one parent, batched with its siblings."""
    return await loaders(info).related(relation).load(key)


async def single(info: Info[Any, Any], relation: str, key: str) -> Any:
    """A to-one relationship field of one parent (the first match), batched."""
    found = await related(info, relation, key)
    return found[0] if found else None


async def page(
    info: Info[Any, Any],
    relation: str,
    key: str,
    *,
    first: int,
    after: str | None,
    order: str | None = None,
    where: Any = None,
) -> Any:
    """A connection field of one parent, batched with its siblings (same arguments)."""
    check_first(first, relation.split(".")[-1])
    state = loaders(info)
    request = PageRequest(first, after, order, where, state.wants_total(info))
    return await state.pages(relation, request).load(key)


async def citations(info: Info[Any, Any], kind: str, key: str) -> Any:
    """A fact's citations, batched with its siblings."""
    return await loaders(info).citations(kind).load(key)


async def lineage(
    info: Info[Any, Any],
    direction: LineageDirection,
    key: str,
    *,
    max_depth: int | None,
    first: int,
    after: str | None,
) -> Any:
    """Descendants or ancestors of one model, batched with its siblings."""
    check_first(
        first, "derivedModels" if direction is LineageDirection.DESCENDANTS else "ancestors"
    )
    return await loaders(info).lineage(direction, max_depth, first, after).load(key)
