"""Compiled reads: a document made only of node lookups by key, root lists and the root questions
`modelsClaimedToBeat`, `search` and `path` (plans.QUESTIONS: the model, the text or the two ends
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

The modules: compiled.py (this one: the plans of an endpoint's documents and the schema
extension that answers from them), compiler.py (how a document becomes a plan) and plans.py
(what a plan is and how it runs).

Plans run inside strawberry, as a SchemaExtension (CompiledReadsExtension, last in the schema's
list): its `on_execute` sets the execution context's result, which makes strawberry skip
graphql-core's execution, so parsing and validation (cached), access control, the limits and
the cost estimate, error codes and the operation log all run for a compiled request as for any
other. The fields it answers are those whose resolvers declare what they read
(loaders.declare: a node by key, a page of a kind, a lineage); the root questions are
plans.QUESTIONS. MODELATLAS_COMPILED_READS=false leaves the endpoint's CompiledReads out of the
context, and every request runs through strawberry.

A plan never answers what it cannot answer exactly as strawberry would: a variable of another
type than a string, a null where the schema promises a value, an error. It gives up (plans.GiveUp)
and the request runs through strawberry as usual, whose answer (and error) is then the one
sent. Every fallback is counted by reason (Fallback; modelatlas_compiled_reads_fallbacks at
/metrics); one that is a bug (planning or running a plan raised anything else) is also
logged at WARNING with the operation's name and the exception, and the plan is dropped. A
read that failed is not sent again: the request's loaders keep its exception and every
resolver that reads raises it (an outage costs one retry window, and the error is the one
strawberry gives for it, on the first field that reads).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from enum import StrEnum
from typing import Any, Final

from graphql import (
    ExecutionResult,
    parse,
)
from strawberry import Schema
from strawberry.extensions import SchemaExtension
from strawberry.types.base import StrawberryObjectDefinition

from modelatlas.api.compiler import Compiler
from modelatlas.api.loaders import (
    READS,
    LineageOf,
    NodeByKey,
    PageOf,
)
from modelatlas.api.plans import GiveUp, Plan, ReadFailed
from modelatlas.graph.reads import (
    InvalidArgument,
    LineageDirection,
)

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
            plan = Compiler(self.schema, self.lookups, self.lists, self.lineages).compile(
                parse(query, no_location=True), operation_name
            )
        except (GiveUp, InvalidArgument):
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
        except GiveUp:
            self.fallbacks[Fallback.GAVE_UP] += 1
            return None
        except ReadFailed:
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
