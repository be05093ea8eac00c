"""docs/configuration.md lists every setting, with its default, and nothing else.

The README only points there; the table is the one place a setting is documented.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic_core import PydanticUndefined

from modelatlas.config import Settings

CONFIGURATION = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
_CODE = re.compile(r"`([^`]+)`")


def _table() -> list[tuple[list[str], list[str]]]:
    """(variables, default values) of each row of the configuration table (the page's only
    table whose rows start with a variable in backticks)."""
    rows = []
    for line in CONFIGURATION.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        names: list[str] = []
        for name in _CODE.findall(cells[0]):
            # `MODELATLAS_RATE_LIMIT_PER_KEY` / `_BURST` stands for two variables
            names.append(names[-1] + name if name.startswith("_") else name)
        rows.append((names, _CODE.findall(cells[1])))
    return rows


def _settings() -> dict[str, Any]:
    """Environment variable -> field info of every setting."""
    return {field.alias or name: field for name, field in Settings.model_fields.items()}


def test_every_setting_has_a_row_and_every_row_a_setting() -> None:
    documented = [name for names, _ in _table() for name in names]
    assert len(documented) == len(set(documented)), "a variable is listed twice"
    assert sorted(documented) == sorted(_settings())


@pytest.mark.parametrize("row", _table(), ids=lambda row: "/".join(row[0]))
def test_documented_defaults_are_the_defaults(row: tuple[list[str], list[str]]) -> None:
    names, values = row
    fields = _settings()
    for name, shown in zip(names, values, strict=False):
        default = fields[name].default
        if default is PydanticUndefined or default is None or isinstance(default, list):
            continue  # made by a factory, or unset / empty: described in words
        if isinstance(default, bool):
            assert shown == str(default).lower(), name
        elif isinstance(default, int | float):
            assert float(shown) == default, name
        else:
            assert shown == str(default), name
