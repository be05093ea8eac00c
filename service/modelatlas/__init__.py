"""Model Atlas: a knowledge graph of the AI industry in Neo4j, served as GraphQL."""

from importlib.metadata import version

__version__ = version("modelatlas")
