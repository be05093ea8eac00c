"""Model Atlas: a knowledge graph of the AI industry in Neo4j, served as GraphQL."""

from __future__ import annotations

from importlib.metadata import version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from modelatlas.knowledge import KnowledgeGraph

__version__ = version("modelatlas")
__all__ = ["KnowledgeGraph", "__version__"]


def __getattr__(name: str) -> Any:
    """Import the Python API on first use, so `import modelatlas` stays light for the CLI."""
    if name == "KnowledgeGraph":
        from modelatlas.knowledge import KnowledgeGraph

        return KnowledgeGraph
    raise AttributeError(f"module 'modelatlas' has no attribute {name!r}")
