"""Compiled reads: a document made only of node lookups by key, their scalar fields and their
relationships without arguments (directly or through fragments on those types; no directives)
is answered by a plan made once per document, instead of by strawberry's and graphql-core's
per-request, per-field execution.

Such a document is one statement (the lookup reads every relationship it selects along, see
loaders.selection_prefetch), so the per-field machinery around it was most of its cost: a plan
took the service's CPU per lookup by slug from 4.2 to 2.7 ms (the driver's part is ~1.3). The
plan does what graphql-core does for these fields and nothing else: response keys and aliases
in selection order, `__typename`, leaf values through the schema's own `serialize`, null for a
missing node. It is made only after the document ran once through strawberry without an error
(so it parsed and validated under the endpoint's limits), and it keeps that run's response
extensions (the cost estimate, which cannot vary: a compiled document has no `first`).

A plan never answers what it cannot answer exactly as strawberry would: a variable of another
type than a string, a null where the schema promises a value, a relationship not read along,
an error. It gives up (`None`) and the request runs through strawberry as usual, whose answer
(and error) is then the one sent. A read that failed is not sent again: the request's loaders
keep its exception and strawberry's lookups raise it (an outage costs one retry window, and
the error is the one strawberry gives for it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
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
    visit,
)
from graphql.pyutils import Undefined
from strawberry import Schema

from modelatlas.api.loaders import request_loaders, selected_fields, selection_prefetch
from modelatlas.graph.reads import RELATIONS, Prefetch, normalise_key

CACHE_SIZE: Final = 1024
"""Distinct (document, operation name) pairs whose plan (or want of one) is kept."""

_KEY_TYPES: Final = frozenset({"ID", "String"})
"""Variable types a plan accepts: non-null strings, given as JSON strings."""

Shape = Callable[[Any], Any]


class _GiveUp(Exception):
    """The plan cannot answer this request as strawberry would."""


@dataclass(frozen=True, slots=True)
class _Lookup:
    """One root lookup field: its response key, node kind, key (literal or variable) and
    what its selection reads along and makes of the node."""

    response_key: str
    kind: str
    literal: str | None
    variable: str | None
    prefetch: Prefetch
    shape: Shape


@dataclass(frozen=True, slots=True)
class Plan:
    """A compiled read: the operation's name, its variables, its root fields in order."""

    operation_name: str | None
    variables: tuple[str, ...]
    roots: tuple[_Lookup | tuple[str, str], ...]  # a lookup, or (response key, "Query")
    extensions: Mapping[str, Any] | None

    async def run(self, context: Any, variables: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """The operation's `data`, or None when strawberry must answer (see the module's doc).
        A failed read is left in the request's loaders, for strawberry to answer with it
        rather than read again."""
        try:
            wanted, keys = self._keys(variables or {})
        except Exception:
            return None
        state = request_loaders(context)
        reads = [
            state.knowledge.nodes(kind, found, prefetch)
            for (kind, prefetch), found in wanted.items()
        ]
        try:
            answers = [await reads[0]] if len(reads) == 1 else await asyncio.gather(*reads)
        except Exception as exc:
            state.failed = exc
            return None
        nodes = dict(zip(wanted, answers, strict=True))
        data: dict[str, Any] = {}
        try:
            for root, key in zip(self.roots, keys, strict=True):
                if isinstance(root, _Lookup):
                    node = nodes[(root.kind, root.prefetch)].get(key)
                    data[root.response_key] = None if node is None else root.shape(node)
                else:
                    data[root[0]] = root[1]
        except Exception:
            return None
        return data

    def _keys(
        self, variables: Mapping[str, Any]
    ) -> tuple[dict[tuple[str, Prefetch], list[str]], list[str]]:
        """The normalised keys to read, per kind and prefetch, and each root field's key."""
        for name in self.variables:
            if not isinstance(variables.get(name), str):
                raise _GiveUp
        wanted: dict[tuple[str, Prefetch], list[str]] = {}
        keys: list[str] = []
        for root in self.roots:
            if isinstance(root, _Lookup):
                raw = root.literal if root.variable is None else variables[root.variable]
                key = normalise_key(root.kind, str(raw))
                wanted.setdefault((root.kind, root.prefetch), []).append(key)
                keys.append(key)
            else:
                keys.append("")
        return wanted, keys


class CompiledReads:
    """The plans of one endpoint's documents, made on a document's first clean run."""

    def __init__(self, schema: Schema, lookups: Mapping[str, str]) -> None:
        """Plan for `schema`; `lookups` maps each root lookup field to the kind it returns
        (each such field's resolver reads one node by its key argument, normalised)."""
        self.schema = schema
        self.lookups = dict(lookups)
        self.answered = 0
        """Requests answered by a plan (for tests and diagnostics)."""
        self._plans: dict[tuple[str, str | None], Plan | None] = {}

    def plan(self, query: str, operation_name: str | None) -> Plan | None:
        """The document's plan, if it has one yet."""
        return self._plans.get((query, operation_name))

    def learn(
        self, query: str, operation_name: str | None, extensions: Mapping[str, Any] | None
    ) -> None:
        """Plan a document that just ran through strawberry without an error (once: a
        document that cannot be planned is remembered as such)."""
        key = (query, operation_name)
        if key in self._plans:
            return
        if len(self._plans) >= CACHE_SIZE:
            self._plans.clear()
        try:
            self._plans[key] = _Compiler(self.schema, self.lookups).compile(
                parse(query, no_location=True), operation_name, extensions
            )
        except Exception:
            self._plans[key] = None


class _Compiler:
    """Turns one document into a Plan, or gives up on anything beyond plain reads."""

    def __init__(self, schema: Schema, lookups: Mapping[str, str]) -> None:
        self.strawberry = schema
        self.schema: GraphQLSchema = schema._schema
        self.lookups = lookups
        self.fragments: dict[str, FragmentDefinitionNode] = {}

    def compile(
        self,
        document: DocumentNode,
        operation_name: str | None,
        extensions: Mapping[str, Any] | None,
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
        roots: list[_Lookup | tuple[str, str]] = []
        query_type = self.schema.query_type
        assert query_type is not None
        for key, nodes in self._collect([operation.selection_set], query_type.name).items():
            if nodes[0].name.value == "__typename":
                roots.append((key, query_type.name))
            else:
                roots.append(self._lookup(query_type, nodes, key))
        return Plan(name, tuple(variables), tuple(roots), extensions)

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
        value = arguments[0].value
        if isinstance(value, StringValueNode):
            literal, variable = value.value, None
        elif isinstance(value, VariableNode):
            literal, variable = None, value.name.value
        else:
            raise _GiveUp
        node_type = self.schema.get_type(kind)
        if not isinstance(node_type, GraphQLObjectType):
            raise _GiveUp
        selections = _subselections(nodes)
        prefetch = selection_prefetch(self.schema, kind, [*selections], self.fragments)
        shape = self._object(node_type, selections, prefetch)
        return _Lookup(key, kind, literal, variable, prefetch, shape)

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
        self, graphql_type: GraphQLObjectType, selections: list[SelectionSetNode], read: Prefetch
    ) -> Shape:
        """The shape of one node for a selection on its type; `read` is what its statement
        reads along with it (the selection's own prefetch), so a relationship field is shaped
        only if its nodes come with the parent."""
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
        parts: list[tuple[str, Callable[[Any], Any]]] = []
        for key, nodes in self._collect(selections, graphql_type.name).items():
            field = nodes[0]
            name = field.name.value
            if name == "__typename":
                parts.append((key, _constant(graphql_type.name)))
                continue
            if field.arguments:
                raise _GiveUp
            found = graphql_type.fields.get(name)
            if found is None:
                raise _GiveUp
            if (
                name in plain
                and all(n.selection_set is None for n in nodes)
                and is_leaf_type(get_named_type(found.type))
            ):
                parts.append(
                    (key, _attribute(plain[name].python_name, _complete(found.type, None)))
                )
                continue
            relation = f"{graphql_type.name}.{name}"
            child = get_named_type(found.type)
            if (
                relation not in read_along
                or not isinstance(child, GraphQLObjectType)
                or child.name != RELATIONS[relation].child
            ):
                raise _GiveUp
            shape = self._object(child, _subselections(nodes), read_along[relation])
            many = _is_list(found.type)
            parts.append((key, _related(relation, many, _complete(found.type, shape))))
        return lambda node: {key: part(node) for key, part in parts}


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


def _constant(value: str) -> Callable[[Any], str]:
    return lambda _node: value


def _attribute(name: str, complete: Shape) -> Callable[[Any], Any]:
    """A scalar field: the node's attribute, completed."""
    return lambda node: complete(getattr(node, name))


def _related(relation: str, many: bool, complete: Shape) -> Callable[[Any], Any]:
    """A relationship field: the nodes read along with the parent (the first one for a
    to-one field), completed."""

    def read(node: Any) -> Any:
        prefetched = node.prefetched
        found = None if prefetched is None else prefetched.get(relation)
        if found is None:
            raise _GiveUp
        return complete(found if many else (found[0] if found else None))

    return read


def _is_list(graphql_type: GraphQLOutputType) -> bool:
    inner = graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type
    return isinstance(inner, GraphQLList)


def _complete(graphql_type: GraphQLOutputType, shape: Shape | None) -> Shape:
    """graphql-core's value completion for a type: non-null checked, lists item by item,
    leaves through the type's `serialize`, objects by `shape`."""
    if isinstance(graphql_type, GraphQLNonNull):
        inner = _complete(graphql_type.of_type, shape)

        def non_null(value: Any) -> Any:
            completed = inner(value)
            if completed is None:
                raise _GiveUp
            return completed

        return non_null
    if isinstance(graphql_type, GraphQLList):
        item = _complete(graphql_type.of_type, shape)
        return lambda value: None if value is None else [item(v) for v in value]
    if is_leaf_type(graphql_type):
        serialize = graphql_type.serialize

        def leaf(value: Any) -> Any:
            if value is None:
                return None
            serialized = serialize(value)
            if serialized is None or serialized is Undefined:
                raise _GiveUp
            return serialized

        return leaf
    if shape is None:
        raise _GiveUp
    object_shape = shape
    return lambda value: None if value is None else object_shape(value)
