"""Bring curated or third-party data into validated Datasets; nothing here touches the database."""

from modelatlas.ingest.errors import Problem, SeedValidationError
from modelatlas.ingest.yaml_files import load_yaml_files

__all__ = ["Problem", "SeedValidationError", "load_yaml_files"]
