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
