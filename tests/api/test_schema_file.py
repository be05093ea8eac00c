"""The committed SDL (schema/schema.graphql) is exactly what the code serves."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modelatlas.api.schema import schema, sdl

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == str(schema) + "\n", (
        "schema/schema.graphql drifted from the code: run "
        "`modelatlas export-schema --output schema/schema.graphql` and commit the result"
    )
    assert sdl() == committed


def test_export_schema_command_prints_or_writes_the_sdl(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = dict(os.environ)
    printed = cli("export-schema", env=env)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == sdl()
    target = tmp_path / "schema.graphql"
    written = cli("export-schema", "--output", str(target), env=env)
    assert written.returncode == 0, written.stderr
    assert target.read_text(encoding="utf-8") == sdl()


def test_every_python_enum_of_the_schema_is_registered_once_in_api_enums() -> None:
    from enum import Enum

    from graphql import GraphQLEnumType

    from modelatlas.api.enums import ENUMS

    package = Path(__file__).resolve().parents[2] / "service" / "modelatlas"
    calls = {
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if any(
            "strawberry.enum(" in line and not line.lstrip().startswith("@")
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    }
    assert calls == {"api/enums.py"}  # api/review.py's own enums use the decorator
    served = {
        definition.name
        for definition in schema._schema.type_map.values()
        if isinstance(definition, GraphQLEnumType) and not definition.name.startswith("__")
    }
    registered = {e.__strawberry_definition__.name for e in ENUMS}  # type: ignore[attr-defined]
    review = {"ReviewDecision", "DraftStatus"}
    assert registered <= served and served - registered <= review, served - registered
    assert all(issubclass(e, Enum) for e in ENUMS)


def test_filter_inputs_are_generated_from_the_read_layers_declarations() -> None:
    # One declaration per filter field (graph/reads/filters.py: its type, predicate and
    # description); the GraphQL input and the kind table's predicates are read from it.
    from dataclasses import fields

    from modelatlas.api import filters
    from modelatlas.graph import reads
    from modelatlas.graph.reads.kinds import KINDS

    for label, kind in KINDS.items():
        where = kind.where
        assert where is not None, label
        declared = reads.where_fields(where)
        definition = getattr(filters, label + "Filter").__strawberry_definition__
        assert [f.python_name for f in definition.fields] == [f.name for f in fields(where)]
        assert [f.description for f in definition.fields] == [f.description for f in declared]
        assert list(kind.filters) == [f.name for f in declared], label
        assert definition.description == " ".join((where.__doc__ or "").split()), label
        order = getattr(reads, label + "Order")
        assert set(kind.orders) == {member.value for member in order}, label
        assert kind.default_order in kind.orders, label
    model_filter = schema._schema.type_map["ModelFilter"]
    served = {name: str(f.type) for name, f in model_filter.fields.items()}
    # a field taking an entity's key is an ID, a choice of several a list, a date a Date
    assert served["organization"] == "ID"
    assert served["country"] == "String"
    assert served["accessibility"] == "[Accessibility!]"
    assert served["releasedFrom"] == "Date"


def test_a_where_field_declared_without_its_predicate_is_refused() -> None:
    from dataclasses import dataclass

    from modelatlas.graph import reads

    @dataclass(frozen=True)
    class LooseWhere:
        name_contains: str | None = None

    with pytest.raises(TypeError, match=r"LooseWhere\.name_contains is declared without _by"):
        reads.where_fields(LooseWhere)
