"""Limits on one request, checked before it runs, the way trusted public GraphQL APIs do it.

A request body over ``max_body_bytes`` is refused with 413 before it is read in full. A query
document over ``max_tokens`` tokens stops the parser (TOO_MANY_TOKENS). Depth, aliases and,
in production, introspection are checked as validation rules (QUERY_TOO_DEEP,
TOO_MANY_ALIASES), so ValidationCache remembers the outcome per document. Then the query's
cost is estimated from the document and its variables, like GitHub's node limit and
Shopify's requested cost: each connection multiplies what is under it by its `first`
(default 20), an object costs 1 per instance, connection and edge wrappers cost nothing, a
connection's lookup costs 1, and a list without `first` is taken to hold
``UNPAGED_LIST_SIZE`` items. Over ``max_cost`` the query is refused (QUERY_TOO_COSTLY);
either way the estimate is reported under ``extensions.cost``. `first` outside 0..100 is
refused there too (BAD_USER_INPUT), before anything runs. Finally every Neo4j transaction
of a request has a timeout (graph/core.py); one that runs out answers TIMEOUT. So does a
request whose Neo4j work as a whole outlasts its deadline (MODELATLAS_REQUEST_TIMEOUT_S, set on
the request's Graph by http.graph_for_request and coded by errors.classify).

Why not strawberry's QueryDepthLimiter, MaxAliasesLimiter and MaxTokensLimiter as they are:
the limits come from each app's settings while the schema is shared, and those extensions
build a new validation-rule class per request, so ValidationCache (keyed on the rule classes)
would never hit again (strawberry issue #4635); QueryDepthLimiter also fails with a KeyError
on an unknown fragment, and none of them gives its error a code.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
)
from graphql.utilities import get_operation_ast, value_from_ast_untyped
from graphql.validation import ASTValidationRule
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from modelatlas.api.errors import TIMEOUT, error_extensions, neo4j_codes
from modelatlas.api.requestlog import note_error_code
from modelatlas.config import Settings
from modelatlas.errors import Timeout
from modelatlas.graph.reads import InvalidArgument, check_first

T = TypeVar("T")

QUERY_TOO_DEEP: Final = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES: Final = "TOO_MANY_ALIASES"
TOO_MANY_TOKENS: Final = "TOO_MANY_TOKENS"
QUERY_TOO_COSTLY: Final = "QUERY_TOO_COSTLY"
PAYLOAD_TOO_LARGE: Final = "PAYLOAD_TOO_LARGE"
BAD_USER_INPUT: Final = "BAD_USER_INPUT"
GRAPHQL_VALIDATION_FAILED: Final = "GRAPHQL_VALIDATION_FAILED"

LIMITS: Final = "limits"
"""The GraphQL context entry that holds the request's :class:`QueryLimits`."""
UNPAGED_LIST_SIZE: Final = 10
"""How many items a list without `first` (a model's developers, a fact's sources) is taken
to hold when estimating a query's cost."""
_TIMED_OUT: Final = "Neo.ClientError.Transaction.TransactionTimedOut"
"""Prefix of the codes Neo4j gives a transaction it stopped for running out of time."""


@dataclass(frozen=True, slots=True)
class QueryLimits:
    """The limits of one app, kept in the GraphQL context; the defaults are the settings'."""

    max_depth: int = 15
    max_aliases: int = 30
    max_tokens: int = 20_000
    max_cost: int = 50_000
    introspection: bool = True
    timeout_s: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings) -> QueryLimits:
        """The limits the settings configure (introspection off in production)."""
        return cls(
            max_depth=settings.max_query_depth,
            max_aliases=settings.max_aliases,
            max_tokens=settings.max_query_tokens,
            max_cost=settings.max_query_cost,
            introspection=not settings.is_production,
            timeout_s=settings.query_timeout_s,
        )


DEFAULT_LIMITS: Final = QueryLimits()


def limits_of(context: Any) -> QueryLimits:
    """The request's limits; a context without them (direct schema execution) gets defaults."""
    found = context.get(LIMITS) if isinstance(context, Mapping) else getattr(context, LIMITS, None)
    return found if isinstance(found, QueryLimits) else DEFAULT_LIMITS


# --------------------------------------------------------------------------- document shape


class _Shape:
    """Depth and alias count of a document's selections, each fragment walked once."""

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        """Walk over these fragment definitions (unknown spreads count as empty)."""
        self.fragments = fragments
        self._depth: dict[str, int] = {}
        self._aliases: dict[str, int] = {}

    def depth(self, selections: SelectionSetNode | None) -> int:
        """Nesting below this selection set, as QueryDepthLimiter counts it (introspection
        fields are not counted)."""
        deepest = 0
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                if selection.selection_set and not selection.name.value.startswith("__"):
                    deepest = max(deepest, 1 + self.depth(selection.selection_set))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self.depth(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                deepest = max(deepest, self._fragment(selection.name.value, self._depth, "depth"))
        return deepest

    def aliases(self, selections: SelectionSetNode | None) -> int:
        """Aliased fields under this selection set, fragments counted at each spread."""
        count = 0
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                count += (selection.alias is not None) + self.aliases(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                count += self.aliases(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                count += self._fragment(selection.name.value, self._aliases, "aliases")
        return count

    def _fragment(self, name: str, memo: dict[str, int], measure: str) -> int:
        """A fragment's measure, computed once; a cycle (refused by validation) counts 0."""
        if name not in memo:
            fragment = self.fragments.get(name)
            memo[name] = 0  # in progress: a spread of itself adds nothing
            if fragment is not None:
                memo[name] = getattr(self, measure)(fragment.selection_set)
        return memo[name]


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def _operation_label(operation: OperationDefinitionNode) -> str:
    return f"'{operation.name.value}'" if operation.name else "The operation"


@functools.cache
def validation_rules(
    max_depth: int, max_aliases: int, introspection: bool
) -> tuple[type[ASTValidationRule], ...]:
    """The rules for one set of limits, made once so ValidationCache keeps hitting."""

    class DocumentLimits(ValidationRule):
        """Refuse documents nested deeper or with more aliases than allowed."""

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            operations = _operations(document)
            shape = _Shape(_fragments(document))
            try:
                for operation in operations:
                    depth = shape.depth(operation.selection_set)
                    if depth > max_depth:
                        context.report_error(
                            GraphQLError(
                                f"{_operation_label(operation)} is nested {depth} levels deep; "
                                f"at most {max_depth} are allowed",
                                operation,
                                extensions={"code": QUERY_TOO_DEEP, "maximum": max_depth},
                            )
                        )
                aliases = sum(shape.aliases(operation.selection_set) for operation in operations)
            except RecursionError:
                context.report_error(
                    GraphQLError(
                        "The document's fragments are nested too deeply to analyse",
                        extensions={"code": QUERY_TOO_DEEP, "maximum": max_depth},
                    )
                )
                return
            if aliases > max_aliases:
                context.report_error(
                    GraphQLError(
                        f"The document uses {aliases} aliases; at most {max_aliases} are allowed",
                        extensions={"code": TOO_MANY_ALIASES, "maximum": max_aliases},
                    )
                )

    rules: list[type[ASTValidationRule]] = [DocumentLimits]
    if not introspection:

        class NoIntrospection(ValidationRule):
            """Refuse __schema and __type (introspection is off in production)."""

            def enter_field(self, node: FieldNode, *_args: Any) -> None:
                if node.name.value in ("__schema", "__type"):
                    self.report_error(
                        GraphQLError(
                            "GraphQL introspection is turned off on this server "
                            f"(cannot query field '{node.name.value}')",
                            node,
                            extensions={"code": GRAPHQL_VALIDATION_FAILED},
                        )
                    )

        rules.append(NoIntrospection)
    return tuple(rules)


# --------------------------------------------------------------------------- cost


def _is_wrapper(type_: GraphQLNamedType) -> bool:
    """Relay plumbing: a connection, an edge or page info is not a row of its own."""
    name = type_.name
    return name.endswith(("Connection", "Edge")) or name == "PageInfo"


class _Cost:
    """The estimated cost of one operation, for given variables."""

    def __init__(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        """Prepare to walk `operation` with these fragments and variable values."""
        self.schema = schema
        self.fragments = fragments
        self.variables = dict(variables)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in self.variables and definition.default_value is not None:
                self.variables[name] = value_from_ast_untyped(definition.default_value)
        self._per_fragment: dict[str, int] = {}

    def selection_set(
        self, selections: SelectionSetNode | None, parent: GraphQLNamedType | None, times: int
    ) -> int:
        """The cost of a selection set resolved `times` times."""
        total = 0
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, times)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                on = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(selection.selection_set, on, times)
            elif isinstance(selection, FragmentSpreadNode):
                total += times * self.fragment(selection.name.value)
        return total

    def fragment(self, name: str) -> int:
        """A fragment's cost when resolved once (costs scale linearly), computed once."""
        if name not in self._per_fragment:
            self._per_fragment[name] = 0
            fragment = self.fragments.get(name)
            if fragment is not None:
                on = self.schema.get_type(fragment.type_condition.name.value)
                self._per_fragment[name] = self.selection_set(fragment.selection_set, on, 1)
        return self._per_fragment[name]

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, times: int) -> int:
        """A field's cost: objects it returns, plus one lookup per instance if paged."""
        name = node.name.value
        if name.startswith("__") or not isinstance(
            parent, GraphQLObjectType | GraphQLInterfaceType
        ):
            return 0
        definition = parent.fields.get(name)
        if definition is None or node.selection_set is None:
            return 0
        returned = get_named_type(definition.type)
        if not is_composite_type(returned):
            return 0
        cost = 0
        if "first" in definition.args:
            cost += times  # the lookup itself
            inner = times * self.first(node, definition.args["first"].default_value)
        elif is_list_type(get_nullable_type(definition.type)) and not _is_wrapper(parent):
            inner = times * UNPAGED_LIST_SIZE
        else:
            inner = times
        if not _is_wrapper(returned):
            cost += inner
        return cost + self.selection_set(node.selection_set, returned, inner)

    def first(self, node: FieldNode, default: Any) -> int:
        """The page size a field asks for; refused outside 0..100 as GitHub does."""
        value: Any = default
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                value = self.variables.get(argument.value.name.value, default)
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # GraphQL coerces 5.0 to the Int 5
        if not isinstance(value, int) or isinstance(value, bool):
            value = default  # not an Int: variable coercion refuses it before anything runs
        try:
            check_first(value, node.name.value)
        except InvalidArgument as exc:
            raise GraphQLError(str(exc), node, extensions=error_extensions(exc)) from None
        return int(value)


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> int:
    """The estimated cost of the operation a request runs (0 when it cannot be told which).

    Raises a GraphQLError with code BAD_USER_INPUT for a `first` outside 0..100.
    """
    operation = get_operation_ast(document, operation_name)
    if operation is None and operation_name is None:
        # strawberry runs the first operation when none is named (graphql-core would refuse)
        operation = next(iter(_operations(document)), None)
    if operation is None:
        return 0
    root = schema.get_root_type(operation.operation)
    walk = _Cost(schema, operation, _fragments(document), variables or {})
    return walk.selection_set(operation.selection_set, root, 1)


class PerDocument(Generic[T]):
    """Values remembered per parsed document, by its identity: the parser cache hands out the
    same DocumentNode for the same text, and hashing a document walks its whole tree (for
    strawberry's ValidationCache, which keys on it, 6% of a small lookup's CPU)."""

    def __init__(self, size: int) -> None:
        """Keep at most `size` values (all are dropped when full: documents are few)."""
        self._found: dict[Hashable, tuple[DocumentNode, T]] = {}
        self._size = size

    def get(self, document: DocumentNode, key: Hashable, make: Callable[[], T]) -> T:
        """The value for this very document and `key`, made by `make` the first time."""
        index = (id(document), key)
        found = self._found.get(index)
        if found is not None and found[0] is document:
            return found[1]
        value = make()
        if len(self._found) >= self._size:
            self._found.clear()
        self._found[index] = (document, value)
        return value


_CACHE_SIZE: Final = 4096
_COSTS: Final[PerDocument[int]] = PerDocument(_CACHE_SIZE)
_FIRST_VARIABLES: Final[PerDocument[tuple[str, ...]]] = PerDocument(_CACHE_SIZE)
_VALIDATIONS: Final[PerDocument[list[GraphQLError]]] = PerDocument(_CACHE_SIZE)


def _first_variables(document: DocumentNode) -> tuple[str, ...]:
    """The variables a document passes as `first` (the only ones its cost depends on)."""
    return _FIRST_VARIABLES.get(document, None, lambda: _find_first_variables(document))


def _find_first_variables(document: DocumentNode) -> tuple[str, ...]:
    names: set[str] = set()
    pending: list[SelectionSetNode | None] = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while pending:
        selections = pending.pop()
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                for argument in selection.arguments or ():
                    if argument.name.value == "first" and isinstance(argument.value, VariableNode):
                        names.add(argument.value.name.value)
                pending.append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
    return tuple(sorted(names))


def cached_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
) -> int:
    """`estimate_cost`, remembered per parsed document, operation and `first` values: walking
    the document each time was a measurable part of a small query's cost."""
    firsts = tuple(repr(variables.get(name)) for name in _first_variables(document))
    return _COSTS.get(
        document,
        (id(schema), operation_name, firsts),
        lambda: estimate_cost(schema, document, operation_name, variables),
    )


class ValidationCache(SchemaExtension):
    """Validation remembered per parsed document (`PerDocument`) and rules, as strawberry's
    ValidationCache remembers it per document hash: the same rules (strawberry's
    `validate_document`, which adds its own), the same errors, without walking the tree."""

    def on_validate(self) -> Iterator[None]:
        """Set the validation outcome unless there is nothing to validate."""
        context = self.execution_context
        document = context.graphql_document
        rules = context.validation_rules
        if document is not None and rules:
            schema = context.schema._schema
            context.pre_execution_errors = _VALIDATIONS.get(
                document, (id(schema), rules), lambda: validate_document(schema, document, rules)
            )
        yield


# --------------------------------------------------------------------------- extension


def _recoded_syntax_error(error: GraphQLSyntaxError, limits: QueryLimits) -> GraphQLError | None:
    """The coded limit error for a parser refusal that is one (token count, nesting)."""
    message = error.message
    if "Document contains more than" in message:
        return GraphQLError(
            f"The document has more than {limits.max_tokens} tokens; shorten it or send "
            "values as variables",
            extensions={"code": TOO_MANY_TOKENS, "maximum": limits.max_tokens},
        )
    if "nested too deeply" in message:
        return GraphQLError(
            "The document is nested too deeply to parse",
            extensions={"code": QUERY_TOO_DEEP, "maximum": limits.max_depth},
        )
    return None


def _timed_out(error: GraphQLError) -> bool:
    """Whether Neo4j stopped this error's transaction for running out of its own time (not of
    the request's: that is a Timeout, coded by errors.classify)."""
    original = error.original_error
    if isinstance(original, Timeout):
        return False
    return any(code.startswith(_TIMED_OUT) for code in neo4j_codes(original))


def _timeout_error(error: GraphQLError, limits: QueryLimits) -> GraphQLError:
    """TIMEOUT in place of a Neo4j transaction timeout (masked otherwise)."""
    return GraphQLError(
        f"The query ran longer than the {limits.timeout_s:g} s limit and was stopped; ask for "
        "less (a smaller `first`, fewer nested connections)",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": TIMEOUT, "timeoutSeconds": limits.timeout_s, "scope": "transaction"},
    )


class Limits(SchemaExtension):
    """Schema extension enforcing the request's QueryLimits before execution.

    List it after ValidationCache and AccessControl (its cost check reads their outcome in
    `on_validate`) and after ErrorCodes (so its `on_operation` sees raw errors first and can
    give a timeout its code before ErrorCodes masks unknown errors).
    """

    def __init__(self) -> None:
        """Start with the default limits and no estimate."""
        self._limits = DEFAULT_LIMITS
        self._cost: int | None = None

    def on_operation(self) -> Iterator[None]:
        """Set the token limit and the validation rules; code what the limits refused."""
        context = self.execution_context
        limits = self._limits = limits_of(context.context)
        context.parse_options["max_tokens"] = limits.max_tokens
        context.validation_rules = context.validation_rules + validation_rules(
            limits.max_depth, limits.max_aliases, limits.introspection
        )
        try:
            yield
        except GraphQLSyntaxError as exc:
            recoded = _recoded_syntax_error(exc, limits)
            if recoded is None:
                raise
            raise recoded from None
        result = context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors and any(_timed_out(e) for e in errors):
            result.errors = [_timeout_error(e, limits) if _timed_out(e) else e for e in errors]

    def on_validate(self) -> Iterator[None]:
        """Estimate a valid, allowed operation's cost and refuse it over the maximum."""
        context = self.execution_context
        document = context.graphql_document
        if not context.pre_execution_errors and document is not None:
            try:
                self._cost = cached_cost(
                    context.schema._schema,
                    document,
                    context.operation_name,
                    context.variables or {},
                )
            except GraphQLError as exc:
                context.pre_execution_errors = [exc]
            else:
                maximum = self._limits.max_cost
                if self._cost > maximum:
                    context.pre_execution_errors = [
                        GraphQLError(
                            f"The query's estimated cost is {self._cost}, over the limit of "
                            f"{maximum}: ask for fewer rows (a smaller `first`) or fewer "
                            "nested connections",
                            extensions={
                                "code": QUERY_TOO_COSTLY,
                                "cost": self._cost,
                                "maximum": maximum,
                            },
                        )
                    ]
        yield

    def get_results(self) -> dict[str, Any]:
        """Report the estimate in the response's extensions, as Shopify does."""
        if self._cost is None:
            return {}
        return {"cost": {"requestedQueryCost": self._cost, "maximum": self._limits.max_cost}}


# --------------------------------------------------------------------------- body size


class _BodyTooLarge(Exception):
    """The request body grew past the limit while being read."""


async def send_refusal(
    scope: Scope,
    send: Send,
    status: int,
    message: str,
    code: str,
    *,
    headers: list[tuple[bytes, bytes]] | None = None,
    **extensions: Any,
) -> None:
    """Answer a request refused before GraphQL ran with a GraphQL-shaped, coded JSON error
    (and note the code for the request's log line)."""
    note_error_code(scope, code)
    error = {"message": message, "extensions": {"code": code, **extensions}}
    body = json.dumps({"errors": [error]}).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode("ascii")),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    """ASGI middleware answering 413 to a request body over the limit, before it is parsed:
    at once when Content-Length says so, else as soon as the streamed body passes it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        """Wrap `app`; bodies may be at most `max_bytes` long."""
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse or pass the request on with a receive that counts the bytes."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except _BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        """Send the 413 with a coded JSON error."""
        await send_refusal(
            scope,
            send,
            413,
            f"The request body is larger than the {self.max_bytes}-byte limit",
            PAYLOAD_TOO_LARGE,
            headers=[(b"connection", b"close")],
            maximum=self.max_bytes,
        )


def _content_length(scope: Scope) -> int | None:
    """The declared body length, if the request declared a usable one."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
