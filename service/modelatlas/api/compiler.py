"""How a plain read document becomes a plan (api/plans.py), or is left to strawberry: the
compiler walks the operation against the schema and the resolvers' read declarations. See
api/compiled.py for what it answers and why."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Any, Final

from graphql import (
    DocumentNode,
    EnumValueNode,
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
    Visitor,
    get_named_type,
    is_leaf_type,
    value_from_ast,
    visit,
)
from graphql.execution.values import get_argument_values
from graphql.language.predicates import is_const_value_node
from graphql.pyutils import Undefined
from strawberry import Schema

from modelatlas.api.loaders import (
    connection_nodes,
    selected_fields,
    selection_prefetch,
    selects_total,
)
from modelatlas.api.plans import (
    QUESTIONS,
    Analytic,
    GiveUp,
    Key,
    Lookup,
    Paged,
    Pending,
    Plan,
    Reader,
    Root,
    RootList,
    Shape,
    key_argument,
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
    page_along,
)
from modelatlas.knowledge import KnowledgeGraph

KEY_TYPES: Final = frozenset({"ID", "String"})
"""Variable types a plan accepts: non-null strings, given as JSON strings."""

CONNECTION_ARGUMENTS: Final = frozenset({"first", "after", "where", "orderBy"})
"""A connection's arguments (loaders.page reads with these and nothing else)."""
PAGE_ARGUMENTS: Final = frozenset({"first", "orderBy"})
"""Those a planned connection may be given (as literals): no `after`, no `where`."""
LINEAGE_ARGUMENTS: Final = frozenset({"maxDepth", "first", "after"})
"""A lineage's arguments (loaders.lineage reads with these and nothing else)."""
LINEAGE_GIVEN: Final = frozenset({"maxDepth", "first"})
"""Those a planned lineage may be given (as literals): no `after`."""


class Compiler:
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
            raise GiveUp
        visit(document, _PlainDocument(self.schema))
        operation = operations[0]
        name = operation.name.value if operation.name is not None else None
        if operation.operation is not OperationType.QUERY:
            raise GiveUp
        if operation_name is not None and operation_name != name:
            raise GiveUp
        variables = []
        for definition in operation.variable_definitions or ():
            kind = definition.type
            if (
                definition.default_value is not None
                or not isinstance(kind, NonNullTypeNode)
                or not isinstance(kind.type, NamedTypeNode)
                or kind.type.name.value not in KEY_TYPES
            ):
                raise GiveUp
            variables.append(definition.variable.name.value)
        roots: list[Root] = []
        query_type = self.schema.query_type
        assert query_type is not None
        for key, nodes in self._collect([operation.selection_set], query_type.name).items():
            field = nodes[0].name.value
            if field == "__typename":
                roots.append((key, query_type.name))
            elif field in self.lists:
                roots.append(self._list(query_type, nodes, key))
            elif field in QUESTIONS:
                roots.append(self._analytic(query_type, nodes, key))
            else:
                roots.append(self._lookup(query_type, nodes, key))
        return Plan(name, tuple(variables), tuple(roots))

    def _lookup(self, query_type: GraphQLObjectType, nodes: list[FieldNode], key: str) -> Lookup:
        """A root lookup field with its key as a literal string or a variable."""
        field = nodes[0]
        kind = self.lookups.get(field.name.value)
        definition = query_type.fields.get(field.name.value)
        arguments = field.arguments or ()
        if kind is None or definition is None or len(definition.args) != 1 or len(arguments) != 1:
            raise GiveUp
        if get_named_type(definition.type).name != kind:
            raise GiveUp
        lookup_key = key_argument(arguments[0].value)
        node_type = self.schema.get_type(kind)
        if not isinstance(node_type, GraphQLObjectType):
            raise GiveUp
        prefetch, shape = self._node(node_type, nodes)
        return Lookup(key, kind, lookup_key, prefetch, shape)

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
    ) -> Analytic:
        """A root question's field: its key arguments literal strings or variables, its other
        arguments literals (coerced as graphql-core coerces them) or their defaults, as its
        resolver takes them."""
        (field,) = nodes
        question = QUESTIONS[field.name.value]
        definition = query_type.fields[field.name.value]
        defaults = {n: definition.args[n].default_value for n in question.literals}
        given = {n: value for n, value in defaults.items() if value is not Undefined}
        keyed: dict[str, Key] = {}
        for argument in field.arguments or ():
            name, value = argument.name.value, argument.value
            if name in question.keys:
                keyed[name] = key_argument(value)
            elif name in question.literals and is_const_value_node(value):
                given[name] = value_from_ast(value, definition.args[name].type)
            else:
                raise GiveUp
        if set(keyed) != set(question.keys) or any(v is Undefined for v in given.values()):
            raise GiveUp

        def read(knowledge: KnowledgeGraph, keys: tuple[str, ...]) -> Awaitable[Any]:
            return question.read(knowledge, keys, given)

        complete = self._page_shape(definition, nodes, (), None)
        return Analytic(key, tuple(keyed[k] for k in question.keys), read, complete)

    def _list(self, query_type: GraphQLObjectType, nodes: list[FieldNode], key: str) -> RootList:
        """A root list field (one page of a kind, as schema._list reads it)."""
        kind = self.lists[nodes[0].name.value]
        definition = query_type.fields[nodes[0].name.value]
        request, complete = self._connection(definition, nodes, kind)
        return RootList(key, kind, request, complete)

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
        values = _literal_arguments(definition, nodes, PAGE_ARGUMENTS, CONNECTION_ARGUMENTS)
        total = selects_total(_subselections(nodes), self.fragments)
        return PageRequest(values["first"], None, values.get("orderBy"), None, total, prefetch)

    def _page_shape(
        self, definition: GraphQLField, nodes: list[FieldNode], read: Prefetch, kind: str | None
    ) -> Shape:
        """How a page field's value (connection, edges, page info) is completed; its nodes'
        `read` and `kind` pass down to them."""
        connection = get_named_type(definition.type)
        if not isinstance(connection, GraphQLObjectType):
            raise GiveUp
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
                values = _literal_arguments(definition, [field], LINEAGE_GIVEN, LINEAGE_ARGUMENTS)
                return lineage_along(direction, values.get("maxDepth"), values["first"])
        except (GiveUp, InvalidArgument):
            pass
        return None

    def _paged(self, relation: str, definition: GraphQLField, nodes: list[FieldNode]) -> Paged:
        """A node's field with arguments: a connection of a relationship (loaders.page) or
        a lineage (loaders.lineage); anything else gives up."""
        if relation in RELATIONS:
            request, complete = self._connection(definition, nodes, RELATIONS[relation].child)
            return Paged(("pages", relation, request), _pages(relation, request), complete)
        direction = self.lineages.get(relation)
        if direction is None:
            raise GiveUp
        values = _literal_arguments(definition, nodes, LINEAGE_GIVEN, LINEAGE_ARGUMENTS)
        max_depth, first = values.get("maxDepth"), values["first"]
        return Paged(
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
    ) -> Paged:
        """A relationship field not read along with its parents: all their nodes of it in one
        statement (what loaders.related's loader reads), each with its own read along."""
        prefetch, shape = self._node(child, nodes)
        complete = _complete(definition.type, shape)
        many = _is_list(definition.type)

        def value(found: Any, pending: list[Pending]) -> Any:
            return complete(_as_field(found or [], many), pending)

        return Paged(("related", relation, prefetch), _relations(relation, prefetch), value)

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
            raise GiveUp
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
        later: list[tuple[str, Paged]] = []
        for key, nodes in self._collect(selections, graphql_type.name).items():
            field = nodes[0]
            name = field.name.value
            if name == "__typename":
                parts.append((key, _constant(graphql_type.name)))
                continue
            found = graphql_type.fields.get(name)
            if found is None:
                raise GiveUp
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
                raise GiveUp
            child = get_named_type(found.type)
            if name in plain and all(n.selection_set is None for n in nodes):
                if not is_leaf_type(child):
                    raise GiveUp
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
                raise GiveUp
        if not later:
            return lambda node, pending: {key: part(node, pending) for key, part in parts}
        assert kind is not None
        key_name = KINDS[kind].key

        def shape_with_pages(node: Any, pending: list[Pending]) -> dict[str, Any]:
            made = {key: part(node, pending) for key, part in parts}
            parent = getattr(node, key_name)
            for key, paged in later:
                pending.append(Pending(paged, parent, made, key))
            return made

        return shape_with_pages


def _literal_arguments(
    definition: GraphQLField, nodes: list[FieldNode], given: frozenset[str], known: frozenset[str]
) -> dict[str, Any]:
    """A field's argument values with defaults, when its definition has only `known`
    arguments and the document gives only `given` ones, as int or enum literals."""
    if set(definition.args) - known:
        raise GiveUp
    for node in nodes:
        for argument in node.arguments or ():
            if argument.name.value not in given or not isinstance(
                argument.value, (IntValueNode, EnumValueNode)
            ):
                raise GiveUp
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
        raise GiveUp

    def enter_inline_fragment(self, node: InlineFragmentNode, *_: Any) -> None:
        self._object_type(node.type_condition)

    def enter_fragment_definition(self, node: FragmentDefinitionNode, *_: Any) -> None:
        self._object_type(node.type_condition)

    def _object_type(self, condition: NamedTypeNode | None) -> None:
        if condition is not None and not isinstance(
            self.schema.get_type(condition.name.value), GraphQLObjectType
        ):
            raise GiveUp


def _subselections(nodes: list[FieldNode]) -> list[SelectionSetNode]:
    """The selection sets of a composite field's merged nodes (each must have one)."""
    found = [n.selection_set for n in nodes if n.selection_set is not None]
    if len(found) != len(nodes):
        raise GiveUp
    return found


def _response_key(field: FieldNode) -> str:
    return field.alias.value if field.alias is not None else field.name.value


def _constant(value: str) -> Shape:
    return lambda _node, _pending: value


def _placeholder(_node: Any, _pending: list[Pending]) -> None:
    """Keeps a connection field's place in its object until its page is read."""
    return None


def _attribute(name: str, complete: Shape) -> Shape:
    """A field read off the object by attribute, completed."""
    return lambda node, pending: complete(getattr(node, name), pending)


def _related(relation: str | Along, many: bool, complete: Shape) -> Shape:
    """A relationship field: the nodes read along with the parent (the first one for a
    to-one field), completed; or a connection: its page read along."""

    def read(node: Any, pending: list[Pending]) -> Any:
        prefetched = node.prefetched
        found = None if prefetched is None else prefetched.get(relation)
        if found is None:
            raise GiveUp
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

        def non_null(value: Any, pending: list[Pending]) -> Any:
            completed = inner(value, pending)
            if completed is None:
                raise GiveUp
            return completed

        return non_null
    if isinstance(graphql_type, GraphQLList):
        item = _complete(graphql_type.of_type, shape)
        return lambda value, pending: None if value is None else [item(v, pending) for v in value]
    if is_leaf_type(graphql_type):
        serialize = graphql_type.serialize

        def leaf(value: Any, _pending: list[Pending]) -> Any:
            if value is None:
                return None
            try:
                serialized = serialize(value)
            except GraphQLError:  # strawberry answers it with the error
                raise GiveUp from None
            if serialized is None or serialized is Undefined:
                raise GiveUp
            return serialized

        return leaf
    if shape is None:
        raise GiveUp
    object_shape = shape
    return lambda value, pending: None if value is None else object_shape(value, pending)
