"""The read layer is entered through its package interface only (graph/reads/__init__.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import modelatlas
from modelatlas.graph import reads

PACKAGE = Path(modelatlas.__file__).resolve().parent


def test_code_outside_the_graph_layer_imports_reads_only_through_the_package() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if PACKAGE / "graph" in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "modelatlas.graph.reads."
            ):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.module}")
    assert offenders == []


def test_every_name_the_package_exports_exists() -> None:
    assert reads.__all__, "the read layer exports nothing"
    assert [name for name in reads.__all__ if not hasattr(reads, name)] == []
