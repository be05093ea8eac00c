"""The README's configuration table lists every setting, with its default, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic_core import PydanticUndefined

from modelatlas.config import Settings

README = Path(__file__).resolve().parents[2] / "README.md"
_CODE = re.compile(r"`([^`]+)`")


def _table() -> list[tuple[list[str], list[str]]]:
    """(variables, default values) of each row of the README's configuration table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
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
