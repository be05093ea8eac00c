"""Charts drawn on the server as inline SVG: no chart library, no script, readable anywhere.

Each chart is a titled `role="img"` SVG whose marks carry a <title> (what a pointer shows) and
a class the stylesheet colours; the page puts the same figures in a table beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup, escape

_WIDTH: Final = 640
_ROW: Final = 34
_LABEL: Final = 200
_PAD: Final = 12


@dataclass(frozen=True, slots=True)
class Bar:
    """One benchmark's pair of scores: the developer's own and the best independent one."""

    label: str
    self_reported: float | None
    independent: float | None


def _fmt(score: float) -> str:
    return f"{score:.3g}" if abs(score) < 10 else f"{score:,.0f}"


def score_bars(bars: Sequence[Bar], *, title: str) -> Markup:
    """Self-reported vs independent scores per benchmark, each row on its own scale."""
    height = _PAD * 2 + _ROW * len(bars) + 20
    span = _WIDTH - _LABEL - _PAD * 2 - 60
    parts = [
        f'<svg class="chart bars" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, bar in enumerate(bars):
        y = _PAD + i * _ROW
        values = [v for v in (bar.self_reported, bar.independent) if v is not None]
        top = max(values, default=1.0)
        scale = 1.0 if 0 <= top <= 1 else top * 1.05 if top > 0 else 1.0
        parts.append(
            f'<text class="label" x="{_LABEL - 6}" y="{y + 18}" text-anchor="end">'
            f"{escape(bar.label[:30])}</text>"
        )
        for j, (value, cls, who) in enumerate(
            ((bar.self_reported, "self", "self-reported"), (bar.independent, "independent",
             "independent"))
        ):  # fmt: skip
            if value is None:
                continue
            w = max(1.0, span * max(value, 0.0) / scale)
            by = y + 3 + j * 14
            parts.append(
                f'<rect class="bar {cls}" x="{_LABEL}" y="{by}" width="{w:.1f}" height="12" '
                f'data-score="{value}"><title>{escape(bar.label)}: {who} {_fmt(value)}</title>'
                f"</rect>"
                f'<text class="value" x="{_LABEL + w + 4:.1f}" y="{by + 10}">{_fmt(value)}</text>'
            )
    ly = height - 14
    parts.append(
        f'<rect class="bar self" x="{_LABEL}" y="{ly}" width="12" height="10"/>'
        f'<text class="legend" x="{_LABEL + 16}" y="{ly + 9}">self-reported</text>'
        f'<rect class="bar independent" x="{_LABEL + 120}" y="{ly}" width="12" height="10"/>'
        f'<text class="legend" x="{_LABEL + 136}" y="{ly + 9}">independent (best)</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part above is escaped


@dataclass(frozen=True, slots=True)
class Point:
    """A dated score on a line chart, with what its mark says."""

    date: dt.date
    score: float
    label: str


def step_line(points: Sequence[Point], *, title: str) -> Markup:
    """A record's history: a step line through the dates the best score improved."""
    height, left, bottom = 260, 56, 28
    parts = [
        f'<svg class="chart line" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    if points:
        first, last = points[0].date.toordinal(), points[-1].date.toordinal()
        low = min(p.score for p in points)
        high = max(p.score for p in points)
        if high == low:
            low, high = low - 1, high + 1
        days = max(1, last - first)

        def x(p: Point) -> float:
            return left + (_WIDTH - left - _PAD) * (p.date.toordinal() - first) / days

        def y(p: Point) -> float:
            return _PAD + (height - bottom - _PAD) * (high - p.score) / (high - low)

        path = [f"M{x(points[0]):.1f},{y(points[0]):.1f}"]
        for p in points[1:]:
            path.append(f"H{x(p):.1f}V{y(p):.1f}")
        path.append(f"H{_WIDTH - _PAD}")
        base = height - bottom
        parts.append(
            f'<line class="axis" x1="{left}" y1="{base}" x2="{_WIDTH - _PAD}" y2="{base}"/>'
            f'<line class="axis" x1="{left}" y1="{_PAD}" x2="{left}" y2="{base}"/>'
            f'<text class="tick" x="{left - 4}" y="{_PAD + 4}" text-anchor="end">'
            f"{_fmt(high)}</text>"
            f'<text class="tick" x="{left - 4}" y="{base}" text-anchor="end">{_fmt(low)}</text>'
            f'<text class="tick" x="{left}" y="{height - 8}">{points[0].date.isoformat()}</text>'
            f'<text class="tick" x="{_WIDTH - _PAD}" y="{height - 8}" text-anchor="end">'
            f"{points[-1].date.isoformat()}</text>"
            f'<path class="step" d="{"".join(path)}"/>'
        )
        for p in points:
            parts.append(
                f'<circle class="point" cx="{x(p):.1f}" cy="{y(p):.1f}" r="4" '
                f'data-score="{p.score}" data-date="{p.date.isoformat()}">'
                f"<title>{p.date.isoformat()}: {escape(p.label)} {_fmt(p.score)}</title>"
                f"</circle>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part above is escaped
