"""Model versions as variants: `gpt-4-0613`, `gpt-4o-2024-05-13`, `gpt-4-turbo-apr-2024` are
VARIANT_OF the model whose slug is theirs without the dated or versioned tail, when that model
is in the graph. Pure over slugs; the graph layer reads and links them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

__all__ = ["version_parents"]

_MONTH: Final = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
# One version tail: a date, a 4-digit snapshot (0314, 1106), a month and year, a preview tag.
_TAIL: Final = re.compile(
    rf"-(?:\d{{4}}-\d{{2}}-\d{{2}}|20\d{{6}}|\d{{4}}|{_MONTH}-20\d{{2}}|preview|latest|exp)$"
)


def _stripped(slug: str) -> Iterable[str]:
    """The slug without one, then two, ... version tails (outermost first)."""
    while (match := _TAIL.search(slug)) is not None and match.start() > 0:
        slug = slug[: match.start()]
        yield slug


def version_parents(models: Mapping[str, bool]) -> dict[str, str]:
    """slug -> parent slug for each model (without a VARIANT_OF yet: `models[slug]` False)
    whose slug minus version tails is another model's; the nearest such model wins."""
    parents: dict[str, str] = {}
    for slug, linked in sorted(models.items()):
        if linked:
            continue
        for parent in _stripped(slug):
            if parent in models:
                parents[slug] = parent
                break
    return parents
