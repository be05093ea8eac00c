"""Per-request DataLoaders, so a relationship field costs one Cypher round trip per query level.

Every relationship field of every parent at one depth of a query asks the same loader (keyed by
the field and its arguments); the loader sends all parent keys in one `UNWIND $keys` statement
of the read layer. Round trips therefore grow with the depth of a query, never with its rows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
)
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from modelatlas.graph import Graph
from modelatlas.graph.reads import (
    KINDS,
    MAX_PREFETCH_BRANCHES,
    MAX_PREFETCH_DEPTH,
    RELATIONS,
    Along,
    LineageDirection,
    PageAlong,
    PageRequest,
    Prefetch,
    check_first,
)
from modelatlas.knowledge import KnowledgeGraph

_STATE: Final = "modelatlas.reads"

READS: Final = "modelatlas.compiled"
"""The strawberry field metadata entry in which a resolver declares what it reads (`declare`),
so compiled reads (api/compiled.py) know the fields they may answer from the fields
themselves."""


@dataclass(frozen=True, slots=True)
class NodeByKey:
    """A root field reading one node of `kind` by its one key argument, normalised (`node`)."""

    kind: str


@dataclass(frozen=True, slots=True)
class PageOf:
    """A root field reading one keyset page of `kind` (first, after, where, orderBy)."""

    kind: str


@dataclass(frozen=True, slots=True)
class LineageOf:
    """A model's field reading its lineage in `direction` (`lineage`)."""

    direction: LineageDirection


Declared = NodeByKey | PageOf | LineageOf


def declare(declared: Declared) -> Mapping[str, Declared]:
    """Field metadata declaring what its resolver reads: strawberry.field(metadata=declare(...))
    lets compiled reads answer the field without a table kept beside the schema."""
    return {READS: declared}


class RequestLoaders:
    """The DataLoaders of one GraphQL request (never shared between requests)."""

    def __init__(self, knowledge: KnowledgeGraph) -> None:
        """Start empty; loaders are made on first use."""
        self.knowledge = knowledge
        self.failed: Exception | None = None
        """A read of this request that already failed (a compiled read's), which every
        resolver that reads raises again (see `loaders`) rather than read twice (an outage
        would cost two retry windows)."""
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

    def nodes(self, kind: str, prefetch: Prefetch = ()) -> DataLoader[str, Any]:
        """Nodes of one kind by key (None when missing)."""
        return self._loader(
            ("nodes", kind, prefetch),
            lambda keys: self.knowledge.nodes(kind, keys, prefetch),
            None,
        )

    def related(self, relation: str, prefetch: Prefetch = ()) -> DataLoader[str, Any]:
        """All nodes of one relationship field, per parent key."""
        return self._loader(
            ("related", relation, prefetch),
            lambda keys: self.knowledge.related(relation, keys, prefetch),
            [],
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

    def evidence(self) -> DataLoader[str, Any]:
        """Each claim's independent evidence, per claim id."""
        return self._loader(("evidence",), self.knowledge.claim_evidence, [])

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
            known = self._wants_total[id(node)] = selects_total(
                [field.selection_set for field in raw.field_nodes], raw.fragments
            )
        return known


def selects_total(selections: Iterable[SelectionSetNode | None], fragments: dict[str, Any]) -> bool:
    """Whether a connection's selections ask for `totalCount`, directly or through fragments."""
    return any(_selects(selection_set, "totalCount", fragments) for selection_set in selections)


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
    """This request's loaders, made on first use and kept in the GraphQL context; raises the
    request's failed read, if a compiled read had one (every resolver that reads asks here)."""
    state = request_loaders(info.context)
    if state.failed is not None:
        raise state.failed
    return state


def request_loaders(context: Any) -> RequestLoaders:
    """The loaders kept in a GraphQL context (a dict or an object), made on first use."""
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


# ----------------------------------------------------------------------------- prefetching
# A relationship field without arguments (Model.developers, Organization.country, Claim.sources)
# is read in the same statement as its parent when the query selects it: the selection below a
# field that reads nodes becomes a reads.Prefetch, and the resolvers of those fields find their
# nodes already on the parent. Paged fields (with arguments) keep their own batched statement.

_PLANS: Final[dict[int, tuple[FieldNode, Prefetch]]] = {}
_PLAN_CACHE_SIZE: Final = 4096
_PREFETCHABLE: Final[dict[tuple[str, str], str | None]] = {}


def prefetchable(schema: GraphQLSchema, kind: str, field: str) -> str | None:
    """The RELATIONS name of `kind.field` if it is a relationship field without arguments."""
    known = (kind, field)
    if known not in _PREFETCHABLE:
        name = kind + "." + field
        definition = None
        graphql_type = schema.get_type(kind)
        if isinstance(graphql_type, GraphQLObjectType):
            definition = graphql_type.fields.get(field)
        _PREFETCHABLE[known] = (
            name if name in RELATIONS and definition is not None and not definition.args else None
        )
    return _PREFETCHABLE[known]


def selected_fields(
    selections: Iterable[SelectionSetNode | None], kind: str, fragments: dict[str, Any]
) -> Iterator[FieldNode]:
    """The fields selected on `kind`, through inline fragments and fragment spreads."""
    for selection_set in selections:
        if selection_set is None:
            continue
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or condition.name.value == kind:
                    yield from selected_fields([selection.selection_set], kind, fragments)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None and fragment.type_condition.name.value == kind:
                    yield from selected_fields([fragment.selection_set], kind, fragments)


def connection_nodes(
    selections: Iterable[SelectionSetNode | None], fragments: dict[str, Any]
) -> list[SelectionSetNode | None]:
    """The selections on a connection's nodes (its `edges { node { ... } }`)."""
    edges = [
        e.selection_set
        for e in selected_fields(selections, "", fragments)
        if e.name.value == "edges"
    ]
    return [
        n.selection_set for n in selected_fields(edges, "", fragments) if n.name.value == "node"
    ]


PagedAlong = Callable[[str, FieldNode], Along | None]
"""Whether a paged field on a kind (field node, with its arguments) can be read along with
its parents, as which page or lineage."""


def selection_prefetch(
    schema: GraphQLSchema,
    kind: str,
    selections: list[SelectionSetNode | None],
    fragments: dict[str, Any],
    paged: PagedAlong | None = None,
) -> Prefetch:
    """What to read along with `kind` nodes for these selections on them: every relationship
    field without arguments and every paged field `paged` gives a page or lineage for, down to
    MAX_PREFETCH_DEPTH levels (a lineage's models read nothing along), or fewer levels when
    that reads more than MAX_PREFETCH_BRANCHES along (on one level: the first that many)."""
    whole = _prefetch(schema, kind, selections, fragments, MAX_PREFETCH_DEPTH, paged)
    for levels in range(MAX_PREFETCH_DEPTH, 0, -1):
        plan = _cut(whole, levels)
        if branches(plan) <= MAX_PREFETCH_BRANCHES:
            return plan
    return plan[:MAX_PREFETCH_BRANCHES]


def _cut(prefetch: Prefetch, levels: int) -> Prefetch:
    """A prefetch tree down to `levels` levels."""
    if levels <= 0:
        return ()
    return tuple((along, _cut(below, levels - 1)) for along, below in prefetch)


def branches(prefetch: Prefetch) -> int:
    """How many relationships, pages and lineages a prefetch reads along, all levels."""
    return sum(1 + branches(below) for _, below in prefetch)


def _prefetch(
    schema: GraphQLSchema,
    kind: str,
    selections: list[SelectionSetNode | None],
    fragments: dict[str, Any],
    levels: int,
    paged: PagedAlong | None,
) -> Prefetch:
    """selection_prefetch's tree down to `levels` levels, however wide."""
    if levels <= 0:
        return ()
    wanted: dict[str, list[SelectionSetNode | None]] = {}
    pages: dict[Along, list[SelectionSetNode | None]] = {}
    for field in selected_fields(selections, kind, fragments):
        relation = prefetchable(schema, kind, field.name.value)
        if relation is not None:
            wanted.setdefault(relation, []).append(field.selection_set)
        elif paged is not None and (along := paged(kind, field)) is not None:
            pages.setdefault(along, []).append(field.selection_set)

    def below(child: str, sets: list[SelectionSetNode | None]) -> Prefetch:
        return _prefetch(schema, child, sets, fragments, levels - 1, paged)

    return tuple(
        (relation, below(RELATIONS[relation].child, sets))
        for relation, sets in sorted(wanted.items())
    ) + tuple(
        (
            along,
            below(RELATIONS[along.relation].child, connection_nodes(sets, fragments))
            if isinstance(along, PageAlong)
            else (),
        )
        for along, sets in sorted(pages.items(), key=lambda item: repr(item[0]))
    )


def prefetch_plan(info: Info[Any, Any], kind: str, *, connection: bool = False) -> Prefetch:
    """What to read along with the `kind` nodes the field being resolved returns (for a
    connection: its edges' nodes). Cached per parsed field node, as documents are cached."""
    raw = info._raw_info
    first = raw.field_nodes[0]
    cached = _PLANS.get(id(first))
    if cached is not None and cached[0] is first and len(raw.field_nodes) == 1:
        return cached[1]
    selections: list[SelectionSetNode | None] = [f.selection_set for f in raw.field_nodes]
    if connection:
        selections = connection_nodes(selections, raw.fragments)
    plan = selection_prefetch(raw.schema, kind, selections, raw.fragments)
    if len(raw.field_nodes) == 1:
        if len(_PLANS) >= _PLAN_CACHE_SIZE:
            _PLANS.clear()
        _PLANS[id(first)] = (first, plan)
    return plan


async def node(info: Info[Any, Any], kind: str, key: str) -> Any:
    """One node by key: lookups batch across aliases through the request's loader, and the
    only field of an operation reads directly (the loader's task hop cost ~0.4 ms CPU, 7% of
    a lookup by slug, for nothing to batch with)."""
    state = loaders(info)
    plan = prefetch_plan(info, kind)
    if _alone(info):
        return (await state.knowledge.nodes(kind, [key], plan)).get(key)
    return await state.nodes(kind, plan).load(key)


def _alone(info: Info[Any, Any]) -> bool:
    """Whether the field being resolved is its operation's only root field."""
    raw = info._raw_info
    selections = raw.operation.selection_set.selections
    return raw.path.prev is None and len(selections) == 1 and isinstance(selections[0], FieldNode)


async def related(info: Info[Any, Any], relation: str, parent: Any) -> Any:
    """A list relationship field of one parent: read along with the parent when the query
    asked for it there, else batched with its siblings."""
    prefetched = parent.prefetched
    if prefetched is not None:
        found = prefetched.get(relation)
        if found is not None:
            return found
    spec = RELATIONS[relation]
    key = getattr(parent, KINDS[spec.parent].key)
    return await loaders(info).related(relation, prefetch_plan(info, spec.child)).load(key)


async def single(info: Info[Any, Any], relation: str, parent: Any) -> Any:
    """A to-one relationship field of one parent (the first match)."""
    found = await related(info, relation, parent)
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
    plan = prefetch_plan(info, RELATIONS[relation].child, connection=True)
    request = PageRequest(first, after, order, where, state.wants_total(info), plan)
    return await state.pages(relation, request).load(key)


async def citations(info: Info[Any, Any], kind: str, key: str) -> Any:
    """A fact's citations, batched with its siblings."""
    return await loaders(info).citations(kind).load(key)


async def evidence(info: Info[Any, Any], key: str) -> Any:
    """A claim's evidence, batched with its siblings."""
    return await loaders(info).evidence().load(key)


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
