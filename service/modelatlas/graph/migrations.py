"""Numbered Cypher migrations from schema/migrations, applied once and recorded in the graph."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from modelatlas.errors import ModelAtlasError
from modelatlas.graph.core import Graph
from modelatlas.resources import resource_dir

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.cypher$")


class MigrationError(ModelAtlasError, RuntimeError):
    """A migration file is malformed or was edited after it was applied."""


@dataclass(frozen=True)
class Migration:
    """One numbered file of schema statements."""

    version: int
    name: str
    statements: tuple[str, ...]
    checksum: str


def load_migrations(folder: Path | None = None) -> list[Migration]:
    """Every migration in order; file names are NNNN_name.cypher, statements end with `;`."""
    folder = folder or resource_dir("schema") / "migrations"
    found: list[Migration] = []
    for path in sorted(folder.glob("*.cypher")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_name.cypher")
        text = path.read_text(encoding="utf-8")
        body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))
        statements = tuple(s.strip() for s in body.split(";") if s.strip())
        checksum = hashlib.sha256("\n;\n".join(statements).encode()).hexdigest()
        found.append(Migration(int(match.group(1)), match.group(2), statements, checksum))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"duplicate migration numbers in {folder}")
    return found


async def applied_migrations(graph: Graph) -> dict[int, str]:
    """Version -> checksum of what this database has applied."""
    rows = await graph.read(
        "MATCH (m:_Migration) RETURN m.version AS version, m.checksum AS checksum"
    )
    return {int(r["version"]): str(r["checksum"]) for r in rows}


async def migrate(graph: Graph, folder: Path | None = None) -> list[Migration]:
    """Apply the migrations not yet applied, in order; returns those it applied."""
    await graph.autocommit(
        "CREATE CONSTRAINT _migration_version IF NOT EXISTS "
        "FOR (m:_Migration) REQUIRE m.version IS UNIQUE"
    )
    done = await applied_migrations(graph)
    applied: list[Migration] = []
    for migration in load_migrations(folder):
        if migration.version in done:
            if done[migration.version] != migration.checksum:
                raise MigrationError(
                    f"migration {migration.version:04d}_{migration.name} was changed after it "
                    "was applied; add a new migration instead of editing an applied one"
                )
            continue
        for statement in migration.statements:
            # Statements come from the packaged schema files, never from user input.
            await graph.autocommit(statement)
        await graph.write(
            "MERGE (m:_Migration {version: $version}) "
            "SET m.name = $name, m.checksum = $checksum, m.appliedAt = $at",
            {
                "version": migration.version,
                "name": migration.name,
                "checksum": migration.checksum,
                "at": datetime.now(UTC).isoformat(),
            },
        )
        applied.append(migration)
    return applied


async def pending_migrations(graph: Graph, folder: Path | None = None) -> list[Migration]:
    """Migrations this database still lacks (readiness fails while there are any)."""
    done = await applied_migrations(graph)
    return [m for m in load_migrations(folder) if m.version not in done]
