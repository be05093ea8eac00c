"""A compiled read's plan: its root fields, what each reads and makes of its answer, and how it
runs a request's reads (together per step, connections level by level). See api/compiled.py."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    StringValueNode,
    VariableNode,
)

from modelatlas.api.loaders import (
    RequestLoaders,
    request_loaders,
)
from modelatlas.errors import ModelAtlasError
from modelatlas.graph.reads import (
    InvalidArgument,
    PageRequest,
    Prefetch,
    normalise_key,
)
from modelatlas.knowledge import KnowledgeGraph


class GiveUp(ModelAtlasError):
    """The plan cannot answer this request as strawberry would (never leaves api/compiled.py:
    strawberry answers the request instead)."""


class ReadFailed(ModelAtlasError):
    """A plan's read failed; the error is kept in the request's loaders for strawberry (never
    leaves api/compiled.py either)."""


@dataclass(slots=True)
class Pending:
    """A connection field of one shaped object, to fill once its level's pages are read."""

    paged: Paged
    parent: str
    target: dict[str, Any]
    response_key: str


Shape = Callable[[Any, list[Pending]], Any]
"""Makes a value's response from it; connection fields below it go to the pending list."""


Reader = Callable[[KnowledgeGraph, list[str]], Awaitable[Mapping[str, Any]]]
"""Reads a paged field's pages for many parents (by key) in one statement."""


@dataclass(frozen=True, slots=True)
class Paged:
    """A paged field of a node kind (a connection, a lineage): read for all the parents of
    one level at once, one statement per field and arguments (`batch`), as strawberry's
    loaders batch it, and what is made of each parent's page."""

    batch: Hashable
    read: Reader
    complete: Shape


@dataclass(frozen=True, slots=True)
class Key:
    """A key argument of a root field: a literal string, or the variable that gives it."""

    text: str
    variable: bool

    def value(self, variables: Mapping[str, Any]) -> str:
        """The request's value of it (Plan._keys checked the variables are strings)."""
        return str(variables[self.text]) if self.variable else self.text


def key_argument(value: Any) -> Key:
    """A key argument's value node as a Key; anything but a string or a variable gives up."""
    if isinstance(value, StringValueNode):
        return Key(value.value, False)
    if isinstance(value, VariableNode):
        return Key(value.name.value, True)
    raise GiveUp


@dataclass(frozen=True, slots=True)
class Lookup:
    """One root lookup field: its response key, node kind, key and what its selection reads
    along and makes of the node."""

    response_key: str
    kind: str
    key: Key
    prefetch: Prefetch
    shape: Shape


@dataclass(frozen=True, slots=True)
class RootList:
    """One root list field: its response key, node kind, page and what is made of it."""

    response_key: str
    kind: str
    request: PageRequest
    complete: Shape


@dataclass(frozen=True, slots=True)
class Analytic:
    """One root question (QUESTIONS): its response key, its key arguments (each a literal or
    a variable), its one read given them and what is made of its answer."""

    response_key: str
    keys: tuple[Key, ...]
    read: Callable[[KnowledgeGraph, tuple[str, ...]], Awaitable[Any]]
    complete: Shape


Root = Lookup | RootList | Analytic | tuple[str, str]
"""A plan's root field; (response key, "Query") for __typename."""

Literals = Mapping[str, Any]
"""A root question's literal arguments and the schema's defaults of those not given, by GraphQL
name (one with no default and not given is absent: its resolver takes its Python default)."""


@dataclass(frozen=True, slots=True)
class Question:
    """A root field a plan answers with one KnowledgeGraph read: the arguments the read takes
    first (strings, each a literal or a variable, all required), the others it may be given
    as literals, and the read (any other argument, `after` or a filter, goes to strawberry)."""

    keys: tuple[str, ...]
    literals: frozenset[str]
    read: Callable[[KnowledgeGraph, tuple[str, ...], Literals], Awaitable[Any]]


QUESTIONS: Final = {
    "modelsClaimedToBeat": Question(
        ("model",),
        frozenset({"includeVariants", "first"}),
        lambda kg, keys, given: kg.models_claimed_to_beat(
            keys[0], include_variants=given["includeVariants"], first=given["first"]
        ),
    ),
    "search": Question(
        ("text",),
        frozenset({"first"}),
        lambda kg, keys, given: kg.search(keys[0], first=given["first"]),
    ),
    "path": Question(
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
    roots: tuple[Root, ...]

    async def run(self, context: Any, variables: Mapping[str, Any] | None) -> dict[str, Any]:
        """The operation's `data`; raises GiveUp when strawberry must answer (see the
        module's doc) and ReadFailed when a read failed, which is left in the request's
        loaders for strawberry to answer with rather than read again. Anything else it raises
        is a bug."""
        wanted, keys = self._keys(variables or {})
        state = request_loaders(context)
        knowledge = state.knowledge
        reads: list[Awaitable[Any]] = [
            knowledge.nodes(kind, found, prefetch) for (kind, prefetch), found in wanted.items()
        ]
        for root, key in zip(self.roots, keys, strict=True):  # pages, in the roots' order
            if isinstance(root, RootList):
                reads.append(knowledge.page(root.kind, root.request))
            elif isinstance(root, Analytic):
                reads.append(root.read(knowledge, key))
        answers = await _read(state, reads)
        nodes = dict(zip(wanted, answers, strict=False))
        pages = iter(answers[len(wanted) :])
        data: dict[str, Any] = {}
        pending: list[Pending] = []
        for root, key in zip(self.roots, keys, strict=True):
            if isinstance(root, Lookup):
                node = nodes[(root.kind, root.prefetch)].get(key[0])
                data[root.response_key] = None if node is None else root.shape(node, pending)
            elif isinstance(root, (RootList, Analytic)):
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
                raise GiveUp
        wanted: dict[tuple[str, Prefetch], list[str]] = {}
        keys: list[tuple[str, ...]] = []
        for root in self.roots:
            if isinstance(root, Lookup):
                try:
                    key = normalise_key(root.kind, root.key.value(variables))
                except InvalidArgument:  # strawberry answers it with its error
                    raise GiveUp from None
                wanted.setdefault((root.kind, root.prefetch), []).append(key)
                keys.append((key,))
            elif isinstance(root, Analytic):
                keys.append(tuple(k.value(variables) for k in root.keys))
            else:
                keys.append(())
        return wanted, keys


async def _read(state: RequestLoaders, reads: list[Awaitable[Any]]) -> list[Any]:
    """The answers of a plan's reads of one step, sent together; ReadFailed if one failed,
    its error kept in the request's loaders for strawberry to answer with (a read error is
    the graph's or the database's, never the plan's: strawberry's resolvers raise it)."""
    try:
        return [await reads[0]] if len(reads) == 1 else list(await asyncio.gather(*reads))
    except Exception as exc:
        state.failed = exc
        raise ReadFailed from exc


def _batches(pending: list[Pending]) -> list[list[Pending]]:
    """One level's connection fields grouped as strawberry's loaders batch them: by field and
    arguments, whatever the parent."""
    batches: dict[Hashable, list[Pending]] = {}
    for entry in pending:
        batches.setdefault(entry.paged.batch, []).append(entry)
    return list(batches.values())


def _parents(batch: list[Pending]) -> list[str]:
    """The distinct parent keys of a batch, in order (a DataLoader's keys)."""
    return list(dict.fromkeys(entry.parent for entry in batch))


def _fill(batches: list[list[Pending]], found: list[Mapping[str, Any]]) -> list[Pending]:
    """Put each parent's page (read per batch, in order) into its object; the connection
    fields of the level below."""
    below: list[Pending] = []
    for entries, pages in zip(batches, found, strict=True):
        for entry in entries:
            entry.target[entry.response_key] = entry.paged.complete(pages.get(entry.parent), below)
    return below
