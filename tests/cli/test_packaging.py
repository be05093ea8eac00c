"""One Neo4j version everywhere, a valid compose file, and schema, seed and the vendored
JavaScript/CSS inside the wheel."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import yaml

from modelatlas.db.local import NEO4J_VERSION

REPO = Path(__file__).resolve().parents[2]


def test_compose_and_pom_pin_the_same_neo4j() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert compose["services"]["neo4j"]["image"] == f"neo4j:{NEO4J_VERSION}-community"
    pom = (REPO / "service" / "modelatlas" / "db" / "neo4j-pom.xml").read_text()
    assert re.search(r"<neo4j.version>([^<]+)</neo4j.version>", pom).group(1) == NEO4J_VERSION  # type: ignore[union-attr]
    healthcheck = compose["services"]["neo4j"]["healthcheck"]["test"]
    assert "cypher-shell" in " ".join(healthcheck)
    api = compose["services"]["api"]
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert api["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"


def test_wheel_ships_schema_seed_vendored_assets_and_no_top_level_strays(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        check=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("modelatlas-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "modelatlas/_resources/schema/migrations/0001_constraints.cypher" in names
    assert any(n.startswith("modelatlas/_resources/seed/") and n.endswith(".yaml") for n in names)
    assert "modelatlas/db/neo4j-pom.xml" in names and "modelatlas/py.typed" in names
    vendored = json.loads((REPO / "service/modelatlas/web/static/vendor/MANIFEST.json").read_text())
    assert {f"modelatlas/web/static/vendor/{name}" for name in vendored} <= set(names)
    assert "modelatlas/web/static/vendor/MANIFEST.json" in names
    top = {n.split("/")[0] for n in names}
    assert not top & {"service", "schema", "seed", "tests"}
