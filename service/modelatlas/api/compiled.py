"""Compiled reads: a document made only of node lookups by key, root lists and the root questions
`modelsClaimedToBeat`, `search` and `path` (_QUESTIONS: the model, the text or the two ends
literals or variables; `includeVariants`, `first`, `maxHops` and `relationships` literals),
their scalar fields, their relationships without arguments, their connections given literal
`first` and `orderBy` and their lineages given literal `maxDepth` and `first` (directly or
through fragments on those types; no directives) is answered by a plan made once per document,
instead of by strawberry's and graphql-core's per-request, per-field execution.

A plan reads what strawberry's resolvers read, in fewer statements: a lookup reads every
relationship it selects along (loaders.selection_prefetch) and a root list one page, as they
do, and a connection or a lineage given literal arguments is read inside its parents' statement
too (a reads.PageAlong: the same sorted first + 1 rows and count as read_related_pages reads; a
reads.LineageAlong: those of read_lineage), down to MAX_PREFETCH_DEPTH levels and
MAX_PREFETCH_BRANCHES subqueries (loaders.selection_prefetch), where strawberry's loaders read
one level at a time. Those beyond are read per level, one statement per field and arguments for
all its parents (as loaders.related, loaders.page and loaders.lineage batch them). The
per-field machinery around the reads was most of the cost: a plan took the service's CPU per
lookup by slug from 4.2 to 2.7 ms (the driver's part is ~1.3), for a model with its ancestors
and descendants from 7.9 to 5.8 ms and for the nested organizations -> models -> claims ->
sources query from 15.3 to 7.4 ms; reading pages and lineages along (1 statement instead of 4,
or 3) took these two to 4.7 and 3.0 ms. The plan does what graphql-core does for these fields
and nothing else: response keys and aliases in selection order, `__typename`, leaf values
through the schema's own `serialize`, null for a missing node. It is made only after the
document ran once through strawberry without an error.

Plans run inside strawberry, as a SchemaExtension (CompiledReadsExtension, last in the schema's
list): its `on_execute` sets the execution context's result, which makes strawberry skip
graphql-core's execution, so parsing and validation (cached), access control, the limits and
the cost estimate, error codes and the operation log all run for a compiled request as for any
other. The fields it answers are those whose resolvers declare what they read
(loaders.declare: a node by key, a page of a kind, a lineage); the root questions are
_QUESTIONS here. MODELATLAS_COMPILED_READS=false leaves the endpoint's CompiledReads out of the
context, and every request runs through strawberry.

A plan never answers what it cannot answer exactly as strawberry would: a variable of another
type than a string, a null where the schema promises a value, an error. It gives up (_GiveUp)
and the request runs through strawberry as usual, whose answer (and error) is then the one
sent. Every fallback is counted by reason (Fallback; modelatlas_compiled_reads_fallbacks at
/metrics); one that is a bug (planning or running a plan raised anything else) is also
logged at WARNING with the operation's name and the exception, and the plan is dropped. A
read that failed is not sent again: the request's loaders keep its exception and every
resolver that reads raises it (an outage costs one retry window, and the error is the one
strawberry gives for it, on the first field that reads).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from graphql import (
    DocumentNode,
    EnumValueNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    Visitor,
    get_named_type,
    is_leaf_type,
    parse,
    value_from_ast,
    visit,
)
from graphql.execution.values import get_argument_values
from graphql.language.predicates import is_const_value_node
from graphql.pyutils import Undefined
from strawberry import Schema
from strawberry.extensions import SchemaExtension
from strawberry.types.base import StrawberryObjectDefinition

from modelatlas.api.loaders import (
    READS,
    LineageOf,
    NodeByKey,
    PageOf,
    RequestLoaders,
    connection_nodes,
    request_loaders,
    selected_fields,
    selection_prefetch,
    selects_total,
)
from modelatlas.graph.reads import (
    KINDS,
    RELATIONS,
    Along,
    InvalidArgument,
    LineageDirection,
    PageAlong,
    PageRequest,
    Prefetch,
    lineage_along,
    normalise_key,
    page_along,
)
from modelatlas.knowledge import KnowledgeGraph

log = logging.getLogger("modelatlas.api.compiled")

CACHE_SIZE: Final = 1024
"""Distinct (document, operation name) pairs whose plan (or want of one) is kept."""

COMPILED: Final = "compiled_reads"
"""The GraphQL context entry that holds the endpoint's :class:`CompiledReads` (absent or None:
every request runs through strawberry, as with MODELATLAS_COMPILED_READS=false)."""


class Fallback(StrEnum):
    """Why a planned document was answered by strawberry after all (the fallbacks metric's
    reason label)."""

    GAVE_UP = "gave_up"
    """The plan cannot answer this request exactly as strawberry would (a variable of
    another type, a null where the schema promises a value): by design, not logged."""
    READ_FAILED = "read_failed"
    """A read failed; strawberry answers with its error (kept, not read again)."""
    PLAN_ERROR = "plan_error"
    """Running the plan raised: a bug, logged; the plan is dropped."""
    COMPILE_ERROR = "compile_error"
    """Planning the document raised: a bug, logged; the document is not planned."""


_KEY_TYPES: Final = frozenset({"ID", "String"})
"""Variable types a plan accepts: non-null strings, given as JSON strings."""

_CONNECTION_ARGUMENTS: Final = frozenset({"first", "after", "where", "orderBy"})
"""A connection's arguments (loaders.page reads with these and nothing else)."""
_PAGE_ARGUMENTS: Final = frozenset({"first", "orderBy"})
"""Those a planned connection may be given (as literals): no `after`, no `where`."""
_LINEAGE_ARGUMENTS: Final = frozenset({"maxDepth", "first", "after"})
"""A lineage's arguments (loaders.lineage reads with these and nothing else)."""
_LINEAGE_GIVEN: Final = frozenset({"maxDepth", "first"})
"""Those a planned lineage may be given (as literals): no `after`."""


class _GiveUp(Exception):
    """The plan cannot answer this request as strawberry would."""


class _ReadFailed(Exception):
    """A plan's read failed; the error is kept in the request's loaders for strawberry."""


@dataclass(slots=True)
class _Pending:
    """A connection field of one shaped object, to fill once its level's pages are read."""

    paged: _Paged
    parent: str
    target: dict[str, Any]
    response_key: str


Shape = Callable[[Any, list[_Pending]], Any]
"""Makes a value's response from it; connection fields below it go to the pending list."""


Reader = Callable[[KnowledgeGraph, list[str]], Awaitable[Mapping[str, Any]]]
"""Reads a paged field's pages for many parents (by key) in one statement."""


@dataclass(frozen=True, slots=True)
class _Paged:
    """A paged field of a node kind (a connection, a lineage): read for all the parents of
    one level at once, one statement per field and arguments (`batch`), as strawberry's
    loaders batch it, and what is made of each parent's page."""

    batch: Hashable
    read: Reader
    complete: Shape


@dataclass(frozen=True, slots=True)
class _Key:
    """A key argument of a root field: a literal string, or the variable that gives it."""

    text: str
    variable: bool

    def value(self, variables: Mapping[str, Any]) -> str:
        """The request's value of it (Plan._keys checked the variables are strings)."""
        return str(variables[self.text]) if self.variable else self.text


def _key(value: Any) -> _Key:
    """A key argument's value node as a _Key; anything but a string or a variable gives up."""
    if isinstance(value, StringValueNode):
        return _Key(value.value, False)
    if isinstance(value, VariableNode):
        return _Key(value.name.value, True)
    raise _GiveUp


@dataclass(frozen=True, slots=True)
class _Lookup:
    """One root lookup field: its response key, node kind, key and what its selection reads
    along and makes of the node."""

    response_key: str
    kind: str
    key: _Key
    prefetch: Prefetch
    shape: Shape


@dataclass(frozen=True, slots=True)
class _List:
    """One root list field: its response key, node kind, page and what is made of it."""

    response_key: str
    kind: str
    request: PageRequest
    complete: Shape


@dataclass(frozen=True, slots=True)
class _Analytic:
    """One root question (_QUESTIONS): its response key, its key arguments (each a literal or
    a variable), its one read given them and what is made of its answer."""

    response_key: str
    keys: tuple[_Key, ...]
    read: Callable[[KnowledgeGraph, tuple[str, ...]], Awaitable[Any]]
    complete: Shape


_Root = _Lookup | _List | _Analytic | tuple[str, str]
"""A plan's root field; (response key, "Query") for __typename."""

Literals = Mapping[str, Any]
"""A root question's literal arguments and the schema's defaults of those not given, by GraphQL
name (one with no default and not given is absent: its resolver takes its Python default)."""


@dataclass(frozen=True, slots=True)
class _Question:
    """A root field a plan answers with one KnowledgeGraph read: the arguments the read takes
    first (strings, each a literal or a variable, all required), the others it may be given
    as literals, and the read (any other argument, `after` or a filter, goes to strawberry)."""

    keys: tuple[str, ...]
    literals: frozenset[str]
    read: Callable[[KnowledgeGraph, tuple[str, ...], Literals], Awaitable[Any]]


_QUESTIONS: Final = {
    "modelsClaimedToBeat": _Question(
        ("model",),
        frozenset({"includeVariants", "first"}),
        lambda kg, keys, given: kg.models_claimed_to_beat(
            keys[0], include_variants=given["includeVariants"], first=given["first"]
        ),
    ),
    "search": _Question(
        ("text",),
        frozenset({"first"}),
        lambda kg, keys, given: kg.search(keys[0], first=given["first"]),
    ),
    "path": _Question(
        ("from", "to"),
        frozenset({"maxHops", "relationships"}),
        lambda kg, keys, given: kg.path(
            keys[0], keys[1], max_hops=given["maxHops"], relationships=given.get("relationships")
        ),
    ),
}
"""The root questions a plan answers besides lookups and lists, as their resolvers read them."""


@dataclass(frozen=True, slots=True)
class Plan:
    """A compiled read: the operation's name, its variables, its root fields in order."""

    operation_name: str | None
    variables: tuple[str, ...]
    roots: tuple[_Root, ...]

    async def run(self, context: Any, variables: Mapping[str, Any] | None) -> dict[str, Any]:
        """The operation's `data`; raises _GiveUp when strawberry must answer (see the
        module's doc) and _ReadFailed when a read failed, which is left in the request's
        loaders for strawberry to answer with rather than read again. Anything else it raises
        is a bug."""
        wanted, keys = self._keys(variables or {})
        state = request_loaders(context)
        knowledge = state.knowledge
        reads: list[Awaitable[Any]] = [
            knowledge.nodes(kind, found, prefetch) for (kind, prefetch), found in wanted.items()
        ]
        for root, key in zip(self.roots, keys, strict=True):  # pages, in the roots' order
            if isinstance(root, _List):
                reads.append(knowledge.page(root.kind, root.request))
            elif isinstance(root, _Analytic):
                reads.append(root.read(knowledge, key))
        answers = await _read(state, reads)
        nodes = dict(zip(wanted, answers, strict=False))
        pages = iter(answers[len(wanted) :])
        data: dict[str, Any] = {}
        pending: list[_Pending] = []
        for root, key in zip(self.roots, keys, strict=True):
            if isinstance(root, _Lookup):
                node = nodes[(root.kind, root.prefetch)].get(key[0])
                data[root.response_key] = None if node is None else root.shape(node, pending)
            elif isinstance(root, (_List, _Analytic)):
                data[root.response_key] = root.complete(next(pages), pending)
            else:
                data[root[0]] = root[1]
        while pending:  # a level of connection fields: one read per field and arguments
            batches = _batches(pending)
            found = await _read(state, [b[0].paged.read(knowledge, _parents(b)) for b in batches])
            pending = _fill(batches, found)
        return data

    def _keys(
        self, variables: Mapping[str, Any]
    ) -> tuple[dict[tuple[str, Prefetch], list[str]], list[tuple[str, ...]]]:
        """The normalised keys to read, per kind and prefetch, and each root field's keys (a
        lookup's one, a question's key arguments, none for __typename)."""
        for name in self.variables:
            if not isinstance(variables.get(name), str):
                raise _GiveUp
        wanted: dict[tuple[str, Prefetch], list[str]] = {}
        keys: list[tuple[str, ...]] = []
        for root in self.roots:
            if isinstance(root, _Lookup):
                try:
                    key = normalise_key(root.kind, root.key.value(variables))
                except InvalidArgument:  # strawberry answers it with its error
                    raise _GiveUp from None
                wanted.setdefault((root.kind, root.prefetch), []).append(key)
                keys.append((key,))
            elif isinstance(root, _Analytic):
                keys.append(tuple(k.value(variables) for k in root.keys))
            else:
                keys.append(())
        return wanted, keys


async def _read(state: RequestLoaders, reads: list[Awaitable[Any]]) -> list[Any]:
    """The answers of a plan's reads of one step, sent together; _ReadFailed if one failed,
    its error kept in the request's loaders for strawberry to answer with (a read error is
    the graph's or the database's, never the plan's: strawberry's resolvers raise it)."""
    try:
        return [await reads[0]] if len(reads) == 1 else list(await asyncio.gather(*reads))
    except Exception as exc:
        state.failed = exc
        raise _ReadFailed from exc


def _batches(pending: list[_Pending]) -> list[list[_Pending]]:
    """One level's connection fields grouped as strawberry's loaders batch them: by field and
    arguments, whatever the parent."""
    batches: dict[Hashable, list[_Pending]] = {}
    for entry in pending:
        batches.setdefault(entry.paged.batch, []).append(entry)
    return list(batches.values())


def _parents(batch: list[_Pending]) -> list[str]:
    """The distinct parent keys of a batch, in order (a DataLoader's keys)."""
    return list(dict.fromkeys(entry.parent for entry in batch))


def _fill(batches: list[list[_Pending]], found: list[Mapping[str, Any]]) -> list[_Pending]:
    """Put each parent's page (read per batch, in order) into its object; the connection
    fields of the level below."""
    below: list[_Pending] = []
    for entries, pages in zip(batches, found, strict=True):
        for entry in entries:
            entry.target[entry.response_key] = entry.paged.complete(pages.get(entry.parent), below)
    return below


class CompiledReads:
    """The plans of one endpoint's documents, made on a document's first clean run, and the
    count of requests they answered and of those they left to strawberry, by reason."""

    def __init__(self, schema: Schema) -> None:
        """Plan for `schema`: the root lookups, root lists and lineages it may answer are the
        fields whose resolvers declare so (loaders.declare in their metadata)."""
        self.schema = schema
        self.lookups: dict[str, str] = {}
        self.lists: dict[str, str] = {}
        self.lineages: dict[str, LineageDirection] = {}
        for type_name, field_name, declared in _declarations(schema):
            if isinstance(declared, NodeByKey) and type_name == "Query":
                self.lookups[field_name] = declared.kind
            elif isinstance(declared, PageOf) and type_name == "Query":
                self.lists[field_name] = declared.kind
            elif isinstance(declared, LineageOf):
                self.lineages[f"{type_name}.{field_name}"] = declared.direction
        self.answered = 0
        """Requests answered by a plan (the compiled reads metric)."""
        self.fallbacks: Counter[Fallback] = Counter()
        """Planned requests (or plannings) left to strawberry, by reason."""
        self._plans: dict[tuple[str, str | None], Plan | None] = {}

    def plan(self, query: str, operation_name: str | None) -> Plan | None:
        """The document's plan, if it has one yet."""
        return self._plans.get((query, operation_name))

    def learn(self, query: str, operation_name: str | None) -> None:
        """Plan a document that just ran through strawberry without an error (once: a
        document that cannot be planned is remembered as such; one whose planning raised is
        logged and counted, and not planned)."""
        key = (query, operation_name)
        if key in self._plans:
            return
        if len(self._plans) >= CACHE_SIZE:
            self._plans.clear()
        plan: Plan | None = None
        try:
            plan = _Compiler(self.schema, self.lookups, self.lists, self.lineages).compile(
                parse(query, no_location=True), operation_name
            )
        except (_GiveUp, InvalidArgument):
            pass
        except Exception as exc:
            self._fell_back(Fallback.COMPILE_ERROR, operation_name, exc)
        self._plans[key] = plan

    async def answer(
        self,
        query: str,
        plan: Plan,
        context: Any,
        variables: Mapping[str, Any] | None,
    ) -> dict[str, Any] | None:
        """The plan's `data` for one request, or None when strawberry must answer it: counted
        by reason, and a plan that raised (a bug) logged and dropped."""
        try:
            data = await plan.run(context, variables)
        except _GiveUp:
            self.fallbacks[Fallback.GAVE_UP] += 1
            return None
        except _ReadFailed:
            self.fallbacks[Fallback.READ_FAILED] += 1
            return None
        except Exception as exc:
            self._fell_back(Fallback.PLAN_ERROR, plan.operation_name, exc)
            self._plans[(query, plan.operation_name)] = None
            return None
        self.answered += 1
        return data

    def _fell_back(self, reason: Fallback, operation_name: str | None, exc: Exception) -> None:
        """Count and log a fallback that is a bug, so it is seen rather than only slower."""
        self.fallbacks[reason] += 1
        log.warning(
            "compiled read of operation %s fell back to strawberry (%s): %r",
            operation_name or "(anonymous)",
            reason.value,
            exc,
            exc_info=exc,
        )


def _declarations(schema: Schema) -> list[tuple[str, str, Any]]:
    """(GraphQL type name, GraphQL field name, declaration) of every field of the schema's
    object types whose metadata declares what it reads."""
    converter = schema.config.name_converter
    found = []
    for graphql_type in schema._schema.type_map.values():
        definition = schema.get_type_by_name(graphql_type.name)
        if not isinstance(definition, StrawberryObjectDefinition):
            continue
        for field in definition.fields:
            metadata: Mapping[Any, Any] = field.metadata or {}
            declared = metadata.get(READS)
            if declared is not None:
                found.append((graphql_type.name, converter.get_graphql_name(field), declared))
    return found


def compiled_reads_of(context: Any) -> CompiledReads | None:
    """The endpoint's compiled reads kept in a GraphQL context (a dict or an object), if on."""
    found = (
        context.get(COMPILED) if isinstance(context, Mapping) else getattr(context, COMPILED, None)
    )
    return found if isinstance(found, CompiledReads) else None


class CompiledReadsExtension(SchemaExtension):
    """Schema extension answering a planned document in `on_execute` (setting the execution
    context's result, so graphql-core's execution is skipped) and planning a document after a
    clean run through strawberry: every other extension (access control, limits and cost,
    error codes, the operation log) runs for a compiled request as for any other."""

    async def on_execute(self) -> AsyncIterator[None]:
        """Answer from the plan before execution, or learn from strawberry's answer after."""
        context = self.execution_context
        compiled = compiled_reads_of(context.context)
        query = context.query
        if compiled is None or query is None:
            yield
            return
        operation_name = context.operation_name
        plan = compiled.plan(query, operation_name)
        if plan is not None:
            data = await compiled.answer(query, plan, context.context, context.variables)
            if data is not None:
                context.result = ExecutionResult(data=data)
        yield
        result = context.result
        clean = isinstance(result, ExecutionResult) and not result.errors and result.data
        if plan is None and clean:
            compiled.learn(query, operation_name)


class _Compiler:
    """Turns one document into a Plan, or gives up on anything beyond plain reads."""

    def __init__(
        self,
        schema: Schema,
        lookups: Mapping[str, str],
        lists: Mapping[str, str],
        lineages: Mapping[str, LineageDirection],
    ) -> None:
        self.strawberry = schema
        self.schema: GraphQLSchema = schema._schema
        self.lookups = lookups
        self.lists = lists
        self.lineages = lineages
        self.fragments: dict[str, FragmentDefinitionNode] = {}

    def compile(
        self,
        document: DocumentNode,
        operation_name: str | None,
    ) -> Plan:
        """The plan of the document's only operation (a query without directives; fragments
        on the node types are merged in as graphql-core merges them)."""
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        if len(operations) != 1 or len(operations) + len(self.fragments) != len(
            document.definitions
        ):
            raise _GiveUp
        visit(document, _PlainDocument(self.schema))
        operation = operations[0]
        name = operation.name.value if operation.name is not None else None
        if operation.operation is not OperationType.QUERY:
            raise _GiveUp
        if operation_name is not None and operation_name != name:
            raise _GiveUp
        variables = []
        for definition in operation.variable_definitions or ():
            kind = definition.type
            if (
                definition.default_value is not None
                or not isinstance(kind, NonNullTypeNode)
                or not isinstance(kind.type, NamedTypeNode)
                or kind.type.name.value not in _KEY_TYPES
            ):
                raise _GiveUp
            variables.append(definition.variable.name.value)
        roots: list[_Root] = []
        query_type = self.schema.query_type
        assert query_type is not None
        for key, nodes in self._collect([operation.selection_set], query_type.name).items():
            field = nodes[0].name.value
            if field == "__typename":
                roots.append((key, query_type.name))
            elif field in self.lists:
                roots.append(self._list(query_type, nodes, key))
            elif field in _QUESTIONS:
                roots.append(self._analytic(query_type, nodes, key))
            else:
                roots.append(self._lookup(query_type, nodes, key))
        return Plan(name, tuple(variables), tuple(roots))

    def _lookup(self, query_type: GraphQLObjectType, nodes: list[FieldNode], key: str) -> _Lookup:
        """A root lookup field with its key as a literal string or a variable."""
        field = nodes[0]
        kind = self.lookups.get(field.name.value)
        definition = query_type.fields.get(field.name.value)
        arguments = field.arguments or ()
        if kind is None or definition is None or len(definition.args) != 1 or len(arguments) != 1:
            raise _GiveUp
        if get_named_type(definition.type).name != kind:
            raise _GiveUp
        lookup_key = _key(arguments[0].value)
        node_type = self.schema.get_type(kind)
        if not isinstance(node_type, GraphQLObjectType):
            raise _GiveUp
        prefetch, shape = self._node(node_type, nodes)
        return _Lookup(key, kind, lookup_key, prefetch, shape)

    def _node(self, node_type: GraphQLObjectType, nodes: list[FieldNode]) -> tuple[Prefetch, Shape]:
        """What a node's own statement reads along for a field's selections on it, and the
        node's shape given that (a lookup's node, a relationship's read per level)."""
        selections = _subselections(nodes)
        prefetch = selection_prefetch(
            self.schema, node_type.name, [*selections], self.fragments, paged=self._along
        )
        return prefetch, self._object(node_type, selections, prefetch)

    def _analytic(
        self, query_type: GraphQLObjectType, nodes: list[FieldNode], key: str
    ) -> _Analytic:
        """A root question's field: its key arguments literal strings or variables, its other
        arguments literals (coerced as graphql-core coerces them) or their defaults, as its
        resolver takes them."""
        (field,) = nodes
        question = _QUESTIONS[field.name.value]
        definition = query_type.fields[field.name.value]
        defaults = {n: definition.args[n].default_value for n in question.literals}
        given = {n: value for n, value in defaults.items() if value is not Undefined}
        keyed: dict[str, _Key] = {}
        for argument in field.arguments or ():
            name, value = argument.name.value, argument.value
            if name in question.keys:
                keyed[name] = _key(value)
            elif name in question.literals and is_const_value_node(value):
                given[name] = value_from_ast(value, definition.args[name].type)
            else:
                raise _GiveUp
        if set(keyed) != set(question.keys) or any(v is Undefined for v in given.values()):
            raise _GiveUp

        def read(knowledge: KnowledgeGraph, keys: tuple[str, ...]) -> Awaitable[Any]:
            return question.read(knowledge, keys, given)

        complete = self._page_shape(definition, nodes, (), None)
        return _Analytic(key, tuple(keyed[k] for k in question.keys), read, complete)

    def _list(self, query_type: GraphQLObjectType, nodes: list[FieldNode], key: str) -> _List:
        """A root list field (one page of a kind, as schema._list reads it)."""
        kind = self.lists[nodes[0].name.value]
        definition = query_type.fields[nodes[0].name.value]
        request, complete = self._connection(definition, nodes, kind)
        return _List(key, kind, request, complete)

    def _connection(
        self, definition: GraphQLField, nodes: list[FieldNode], kind: str
    ) -> tuple[PageRequest, Shape]:
        """The page a connection field reads (literal `first` and `orderBy` only, as its
        resolver would make it) and how its value is completed."""
        selections = _subselections(nodes)
        prefetch = selection_prefetch(
            self.schema,
            kind,
            connection_nodes(selections, self.fragments),
            self.fragments,
            paged=self._along,
        )
        request = self._request(definition, nodes, prefetch)
        return request, self._page_shape(definition, nodes, prefetch, kind)

    def _request(
        self, definition: GraphQLField, nodes: list[FieldNode], prefetch: Prefetch
    ) -> PageRequest:
        """The page request of a connection field given literal `first`/`orderBy` only."""
        values = _literal_arguments(definition, nodes, _PAGE_ARGUMENTS, _CONNECTION_ARGUMENTS)
        total = selects_total(_subselections(nodes), self.fragments)
        return PageRequest(values["first"], None, values.get("orderBy"), None, total, prefetch)

    def _page_shape(
        self, definition: GraphQLField, nodes: list[FieldNode], read: Prefetch, kind: str | None
    ) -> Shape:
        """How a page field's value (connection, edges, page info) is completed; its nodes'
        `read` and `kind` pass down to them."""
        connection = get_named_type(definition.type)
        if not isinstance(connection, GraphQLObjectType):
            raise _GiveUp
        shape = self._object(connection, _subselections(nodes), read, kind)
        return _complete(definition.type, shape)

    def _along(self, kind: str, field: FieldNode) -> Along | None:
        """How a paged field on a node kind is read along with its parents, when it can be:
        a connection's page (the one _connection reads), a lineage's (the one _paged reads)."""
        relation = f"{kind}.{field.name.value}"
        node_type = self.schema.get_type(kind)
        if not isinstance(node_type, GraphQLObjectType):
            return None
        definition = node_type.fields.get(field.name.value)
        direction = self.lineages.get(relation)
        if definition is None or not definition.args:
            return None
        try:
            if relation in RELATIONS:
                return page_along(relation, self._request(definition, [field], ()))
            if direction is not None:
                values = _literal_arguments(definition, [field], _LINEAGE_GIVEN, _LINEAGE_ARGUMENTS)
                return lineage_along(direction, values.get("maxDepth"), values["first"])
        except (_GiveUp, InvalidArgument):
            pass
        return None

    def _paged(self, relation: str, definition: GraphQLField, nodes: list[FieldNode]) -> _Paged:
        """A node's field with arguments: a connection of a relationship (loaders.page) or
        a lineage (loaders.lineage); anything else gives up."""
        if relation in RELATIONS:
            request, complete = self._connection(definition, nodes, RELATIONS[relation].child)
            return _Paged(("pages", relation, request), _pages(relation, request), complete)
        direction = self.lineages.get(relation)
        if direction is None:
            raise _GiveUp
        values = _literal_arguments(definition, nodes, _LINEAGE_GIVEN, _LINEAGE_ARGUMENTS)
        max_depth, first = values.get("maxDepth"), values["first"]
        return _Paged(
            ("lineage", direction, max_depth, first),
            _lineage(direction, max_depth, first),
            # the entries' models come without relationships read along (reads.read_lineage)
            self._page_shape(definition, nodes, (), None),
        )

    def _relation(
        self,
        relation: str,
        definition: GraphQLField,
        nodes: list[FieldNode],
        child: GraphQLObjectType,
    ) -> _Paged:
        """A relationship field not read along with its parents: all their nodes of it in one
        statement (what loaders.related's loader reads), each with its own read along."""
        prefetch, shape = self._node(child, nodes)
        complete = _complete(definition.type, shape)
        many = _is_list(definition.type)

        def value(found: Any, pending: list[_Pending]) -> Any:
            return complete(_as_field(found or [], many), pending)

        return _Paged(("related", relation, prefetch), _relations(relation, prefetch), value)

    def _collect(
        self, selection_sets: list[SelectionSetNode], type_name: str
    ) -> dict[str, list[FieldNode]]:
        """The fields selected on an object type, by response key in the order they first
        appear (graphql-core's field collection, for a document _PlainDocument let through)."""
        fields: dict[str, list[FieldNode]] = {}
        for field in selected_fields(selection_sets, type_name, self.fragments):
            fields.setdefault(_response_key(field), []).append(field)
        return fields

    def _object(
        self,
        graphql_type: GraphQLObjectType,
        selections: list[SelectionSetNode],
        read: Prefetch,
        kind: str | None = None,
    ) -> Shape:
        """The shape of one object for a selection on its type. For a node, `read` is what
        its statement reads along with it (the selection's own prefetch), so a relationship
        field is shaped only if its nodes come with the parent; a connection or an edge
        passes its nodes' `read` and `kind` down to them."""
        is_node = graphql_type.name in KINDS
        if is_node:
            kind = graphql_type.name
        read_along = dict(read)
        definition = self.strawberry.get_type_by_name(graphql_type.name)
        if definition is None or not hasattr(definition, "fields"):
            raise _GiveUp
        converter = self.strawberry.config.name_converter
        plain = {
            converter.get_graphql_name(f): f
            for f in definition.fields
            if f.base_resolver is None
            and not f.arguments
            and not f.permission_classes
            and not f.extensions
            and not f.directives
        }
        parts: list[tuple[str, Shape]] = []
        later: list[tuple[str, _Paged]] = []
        for key, nodes in self._collect(selections, graphql_type.name).items():
            field = nodes[0]
            name = field.name.value
            if name == "__typename":
                parts.append((key, _constant(graphql_type.name)))
                continue
            found = graphql_type.fields.get(name)
            if found is None:
                raise _GiveUp
            relation = f"{graphql_type.name}.{name}"
            along = self._along(graphql_type.name, field) if is_node and found.args else None
            if along is not None and along in read_along:
                # read along with the node (its statement has the page)
                child_kind = RELATIONS[relation].child if isinstance(along, PageAlong) else None
                page = self._page_shape(found, nodes, read_along[along], child_kind)
                parts.append((key, _related(along, True, page)))
                continue
            if is_node and found.args:  # read per level, after the nodes
                parts.append((key, _placeholder))
                later.append((key, self._paged(relation, found, nodes)))
                continue
            if field.arguments:
                raise _GiveUp
            child = get_named_type(found.type)
            if name in plain and all(n.selection_set is None for n in nodes):
                if not is_leaf_type(child):
                    raise _GiveUp
                complete = _complete(found.type, None)
                parts.append((key, _attribute(plain[name].python_name, complete)))
            elif name in plain and not is_node and isinstance(child, GraphQLObjectType):
                # a connection's edges and page info, an edge's node
                shape = self._object(child, _subselections(nodes), read, kind)
                complete = _complete(found.type, shape)
                parts.append((key, _attribute(plain[name].python_name, complete)))
            elif (
                is_node
                and relation in RELATIONS
                and isinstance(child, GraphQLObjectType)
                and child.name == RELATIONS[relation].child
            ):
                if relation in read_along:
                    shape = self._object(child, _subselections(nodes), read_along[relation])
                    many = _is_list(found.type)
                    parts.append((key, _related(relation, many, _complete(found.type, shape))))
                else:  # below the statement's depth or budget: read per level, after the nodes
                    parts.append((key, _placeholder))
                    later.append((key, self._relation(relation, found, nodes, child)))
            else:
                raise _GiveUp
        if not later:
            return lambda node, pending: {key: part(node, pending) for key, part in parts}
        assert kind is not None
        key_name = KINDS[kind].key

        def shape_with_pages(node: Any, pending: list[_Pending]) -> dict[str, Any]:
            made = {key: part(node, pending) for key, part in parts}
            parent = getattr(node, key_name)
            for key, paged in later:
                pending.append(_Pending(paged, parent, made, key))
            return made

        return shape_with_pages


def _literal_arguments(
    definition: GraphQLField, nodes: list[FieldNode], given: frozenset[str], known: frozenset[str]
) -> dict[str, Any]:
    """A field's argument values with defaults, when its definition has only `known`
    arguments and the document gives only `given` ones, as int or enum literals."""
    if set(definition.args) - known:
        raise _GiveUp
    for node in nodes:
        for argument in node.arguments or ():
            if argument.name.value not in given or not isinstance(
                argument.value, (IntValueNode, EnumValueNode)
            ):
                raise _GiveUp
    return get_argument_values(definition, nodes[0])


def _pages(relation: str, request: PageRequest) -> Reader:
    """Reads one page of a relationship per parent (what loaders.page's loader reads)."""
    return lambda knowledge, keys: knowledge.related_pages(relation, keys, request)


def _relations(relation: str, prefetch: Prefetch) -> Reader:
    """Reads all nodes of a relationship per parent (what loaders.related's loader reads)."""
    return lambda knowledge, keys: knowledge.related(relation, keys, prefetch)


def _lineage(direction: LineageDirection, max_depth: int | None, first: int) -> Reader:
    """Reads one page of lineage per model (what loaders.lineage's loader reads)."""
    return lambda knowledge, keys: knowledge.lineage(
        keys, direction, max_depth=max_depth, first=first
    )


class _PlainDocument(Visitor):
    """Gives up on a directive anywhere, or a fragment on an interface or a union: what is
    left, fields collect as loaders.selected_fields walks them."""

    def __init__(self, schema: GraphQLSchema) -> None:
        super().__init__()
        self.schema = schema

    def enter_directive(self, *_: Any) -> None:
        raise _GiveUp

    def enter_inline_fragment(self, node: InlineFragmentNode, *_: Any) -> None:
        self._object_type(node.type_condition)

    def enter_fragment_definition(self, node: FragmentDefinitionNode, *_: Any) -> None:
        self._object_type(node.type_condition)

    def _object_type(self, condition: NamedTypeNode | None) -> None:
        if condition is not None and not isinstance(
            self.schema.get_type(condition.name.value), GraphQLObjectType
        ):
            raise _GiveUp


def _subselections(nodes: list[FieldNode]) -> list[SelectionSetNode]:
    """The selection sets of a composite field's merged nodes (each must have one)."""
    found = [n.selection_set for n in nodes if n.selection_set is not None]
    if len(found) != len(nodes):
        raise _GiveUp
    return found


def _response_key(field: FieldNode) -> str:
    return field.alias.value if field.alias is not None else field.name.value


def _constant(value: str) -> Shape:
    return lambda _node, _pending: value


def _placeholder(_node: Any, _pending: list[_Pending]) -> None:
    """Keeps a connection field's place in its object until its page is read."""
    return None


def _attribute(name: str, complete: Shape) -> Shape:
    """A field read off the object by attribute, completed."""
    return lambda node, pending: complete(getattr(node, name), pending)


def _related(relation: str | Along, many: bool, complete: Shape) -> Shape:
    """A relationship field: the nodes read along with the parent (the first one for a
    to-one field), completed; or a connection: its page read along."""

    def read(node: Any, pending: list[_Pending]) -> Any:
        prefetched = node.prefetched
        found = None if prefetched is None else prefetched.get(relation)
        if found is None:
            raise _GiveUp
        return complete(_as_field(found, many), pending)

    return read


def _as_field(found: list[Any], many: bool) -> Any:
    """A relationship's nodes as its field gives them: all, or the first one (to-one)."""
    return found if many else (found[0] if found else None)


def _is_list(graphql_type: GraphQLOutputType) -> bool:
    inner = graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type
    return isinstance(inner, GraphQLList)


def _complete(graphql_type: GraphQLOutputType, shape: Shape | None) -> Shape:
    """graphql-core's value completion for a type: non-null checked, lists item by item,
    leaves through the type's `serialize`, objects by `shape`."""
    if isinstance(graphql_type, GraphQLNonNull):
        inner = _complete(graphql_type.of_type, shape)

        def non_null(value: Any, pending: list[_Pending]) -> Any:
            completed = inner(value, pending)
            if completed is None:
                raise _GiveUp
            return completed

        return non_null
    if isinstance(graphql_type, GraphQLList):
        item = _complete(graphql_type.of_type, shape)
        return lambda value, pending: None if value is None else [item(v, pending) for v in value]
    if is_leaf_type(graphql_type):
        serialize = graphql_type.serialize

        def leaf(value: Any, _pending: list[_Pending]) -> Any:
            if value is None:
                return None
            try:
                serialized = serialize(value)
            except GraphQLError:  # strawberry answers it with the error
                raise _GiveUp from None
            if serialized is None or serialized is Undefined:
                raise _GiveUp
            return serialized

        return leaf
    if shape is None:
        raise _GiveUp
    object_shape = shape
    return lambda value, pending: None if value is None else object_shape(value, pending)
