"""Find the schema/ and seed/ folders both in a wheel (packaged copies) and in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The packaged `schema` or `seed` folder; falls back to the repository's top-level copy."""
    for candidate in (_PACKAGE / "_resources" / name, _PACKAGE.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"modelatlas resource folder {name!r} is missing from the install")
