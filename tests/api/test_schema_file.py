"""The committed SDL (schema/schema.graphql) is exactly what the code serves."""

from __future__ import annotations

import os
from pathlib import Path

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


def test_filter_inputs_and_orders_mirror_the_read_layer_exactly() -> None:
    # The GraphQL inputs and order enums are declared by hand (their descriptions, ID types and
    # SDL order are the published schema); the read layer's filters and orders are what runs.
    import dataclasses
    import typing

    from modelatlas.api import filters
    from modelatlas.graph import reads
    from modelatlas.graph.reads.kinds import KINDS

    for label, kind in KINDS.items():
        where = kind.where
        assert where is not None, label
        graphql_input = getattr(filters, label + "Filter")
        names = [f.name for f in dataclasses.fields(where)]
        assert [f.name for f in dataclasses.fields(graphql_input)] == names, label
        assert list(kind.filters) == names, label
        for field in dataclasses.fields(where):
            read = typing.get_type_hints(where)[field.name]
            given = typing.get_type_hints(graphql_input)[field.name]
            items = [a for a in typing.get_args(read) if a is not type(None)]
            if typing.get_origin(items[0]) is tuple:  # a list in GraphQL
                assert given == list[typing.get_args(items[0])[0]] | None, (label, field.name)
        order = getattr(reads, label + "Order")
        assert set(kind.orders) == {member.value for member in order}, label
        assert kind.default_order in kind.orders, label
