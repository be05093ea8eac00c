"""What every table importer shares: CSV reading, cell cleaning, organizations and the report.

Pure parsing helpers, no database access. Rows that cannot be used are counted in a
:class:`Collector` (frozen into an :class:`ImportReport`), never raised, so one bad row
never stops an import.
"""

import csv
import datetime as dt
import gzip
import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from pydantic import ValidationError

from modelatlas.countries import country_code
from modelatlas.domain import Dataset, Organization, OrganizationKind, Source, slugify

__all__ = [
    "EXAMPLES_PER_REASON",
    "Collector",
    "ImportBatch",
    "ImportReport",
    "Organizations",
    "aligned",
    "clean",
    "error_text",
    "first_url",
    "iso_date",
    "parse_score",
    "read_csv",
    "record_id",
    "source_for",
    "split_cell",
]


EXAMPLES_PER_REASON: Final = 5


_CSV_FIELD_LIMIT: Final = 2**31 - 1  # author lists and abstracts run to several KB


_ORGANIZATION_KINDS: Final[dict[str, OrganizationKind]] = {
    "industry": OrganizationKind.COMPANY,
    "academia": OrganizationKind.ACADEMIA,
    "government": OrganizationKind.GOVERNMENT,
    "research collective": OrganizationKind.RESEARCH_COLLECTIVE,
    "non-profit": OrganizationKind.NONPROFIT,
    "nonprofit": OrganizationKind.NONPROFIT,
}


# Epoch separates values with a bare comma; a comma followed by a space belongs to a name
# ("NERSC, Lawrence Berkeley National Laboratory", "Qilin Hesheng Network Technology Co., Ltd.").
_LIST_SEPARATOR: Final = re.compile(r",(?!\s)")


_URL: Final = re.compile(r"https?://[^\s,;]+(?:[,;][^\s,;]+)*", re.IGNORECASE)


_BARE_URL: Final = re.compile(r"(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+/\S*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What a parse used and what it left out, so an import can be checked by hand."""

    source: str
    rows_read: int = 0
    rows_used: int = 0
    skipped: Mapping[str, int] = field(default_factory=dict)
    """Reason -> how often a row, or one value of a row, was left out for it."""
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Reason -> the first few rows it happened in."""
    unmapped_countries: Mapping[str, int] = field(default_factory=dict)
    """Country names with no ISO code (e.g. "Multinational"), left unset, with counts."""
    skipped_files: Mapping[str, str] = field(default_factory=dict)
    """File (relative to the folder read) -> why it was not read as results."""
    existing_models: int = 0
    """Model records dropped by :func:`resolve_models` because the graph already has them."""
    unresolved: tuple[str, ...] = ()
    """Base-model names that matched no model in the file or graph ("model-slug: name")."""
    resolution: Mapping[str, int] = field(default_factory=dict)
    """How the file's models matched the graph's: "exact" slug, "alias" (a name or alias as
    the graph writes it), "normalised" key of one, or "new" (no match: a model of its own)."""
    new_models: tuple[str, ...] = ()
    """Names of the file's models that matched no graph model and were created."""

    def lines(self) -> list[str]:
        """The report as short human-readable lines."""
        lines = [f"{self.source}: {self.rows_used} of {self.rows_read} rows used"]
        for reason, count in sorted(self.skipped.items(), key=lambda item: (-item[1], item[0])):
            examples = "; ".join(self.examples.get(reason, ()))
            lines.append(f"  {count} x {reason}" + (f" (e.g. {examples})" if examples else ""))
        if self.unmapped_countries:
            names = ", ".join(
                f"{name} ({n})" for name, n in sorted(self.unmapped_countries.items())
            )
            lines.append(f"  countries without an ISO code, left unset: {names}")
        for name, reason in sorted(self.skipped_files.items()):
            lines.append(f"  skipped file {name}: {reason}")
        lines += self.resolution_lines()
        if self.existing_models:
            lines.append(f"  {self.existing_models} models already in the graph, left as they are")
        if self.unresolved:
            lines.append(
                f"  {len(self.unresolved)} base models not found: "
                + "; ".join(self.unresolved[:EXAMPLES_PER_REASON])
            )
        return lines

    def resolution_lines(self) -> list[str]:
        """How the file's models matched the graph's, the part of the report a load prints."""
        lines = []
        if self.resolution:
            counts = ", ".join(f"{n} {how}" for how, n in sorted(self.resolution.items()))
            lines.append(f"  models matched to the graph's: {counts}")
        if self.new_models:
            lines.append(
                f"  {len(self.new_models)} new models, e.g. "
                + "; ".join(self.new_models[:EXAMPLES_PER_REASON])
            )
        return lines


@dataclass(frozen=True, slots=True)
class ImportBatch:
    """A parsed Epoch file: the records to write, the report, and edges left to the caller."""

    dataset: Dataset
    report: ImportReport
    unresolved_bases: tuple[tuple[str, str], ...] = ()
    """(model slug, base-model name) pairs whose base is not a model of this batch."""
    extra_derivations: tuple[tuple[str, str], ...] = ()
    """(model slug, base slug) DERIVED_FROM edges between models the graph already has."""

    def summary(self) -> str:
        """Record counts and the report, one line each, for a CLI to print."""
        counts = ", ".join(
            f"{len(self.dataset.collection(name))} {name}"
            for name in ("sources", "organizations", "models", "releases", "benchmarks", "results")
        )
        if self.extra_derivations:
            counts += f", {len(self.extra_derivations)} extra derivations"
        return "\n".join([counts, *self.report.lines()])


class Collector:
    """Counts and examples of what was skipped, gathered while parsing."""

    def __init__(self, source: str) -> None:
        """Start an empty report for one file or folder."""
        self.source = source
        self.skipped: Counter[str] = Counter()
        self.examples: dict[str, list[str]] = {}
        self.unmapped_countries: Counter[str] = Counter()
        self.skipped_files: dict[str, str] = {}

    def skip(self, reason: str, example: str) -> None:
        """Count one occurrence of a reason, keeping the first few examples."""
        self.skipped[reason] += 1
        examples = self.examples.setdefault(reason, [])
        if len(examples) < EXAMPLES_PER_REASON:
            examples.append(example)

    def report(self, rows_read: int, rows_used: int) -> ImportReport:
        """Freeze what was gathered."""
        return ImportReport(
            source=self.source,
            rows_read=rows_read,
            rows_used=rows_used,
            skipped=dict(self.skipped),
            examples={reason: tuple(items) for reason, items in self.examples.items()},
            unmapped_countries=dict(self.unmapped_countries),
            skipped_files=dict(self.skipped_files),
        )


def clean(value: str | None) -> str:
    """A cell as one line: whitespace runs (newlines included) collapsed, ends stripped."""
    return " ".join(value.split()) if value else ""


def split_cell(value: str | None) -> list[str]:
    """The cleaned items of a comma-separated cell, empty items dropped."""
    return [item for item in (clean(part) for part in _LIST_SEPARATOR.split(value or "")) if item]


def aligned(values: list[str], count: int) -> list[str | None]:
    """Per-organization values: zipped when counts match, else one shared value, else none."""
    if len(values) == count:
        return list(values)
    if values and len(set(values)) == 1:
        return [values[0]] * count
    return [None] * count


def first_url(value: str | None) -> str | None:
    """The first http(s) URL in a cell of links (or a scheme-less "arxiv.org/abs/..." one)."""
    text = value or ""
    match = _URL.search(text)
    if match:
        url = match.group(0)
        # "a,https://b" keeps both in one match; cut at the next URL.
        cut = re.search(r"[,;]\s*https?://", url[8:], re.IGNORECASE)
        return _trim_url(url[: 8 + cut.start()] if cut else url)
    bare = text.strip().split()
    if bare and _BARE_URL.fullmatch(bare[0]):
        return "https://" + _trim_url(bare[0])
    return None


def _trim_url(url: str) -> str:
    """Drop punctuation that ends the sentence around a URL, keeping a balanced ")"."""
    while url and (url[-1] in ".,;" or (url[-1] == ")" and url.count(")") > url.count("("))):
        url = url[:-1]
    return url


def source_for(url: str | None, title: str | None) -> Source | None:
    """A Source for a link, or None when the link is not a valid URL."""
    if url is None:
        return None
    try:
        return Source(url=url, title=title or None)
    except ValidationError:
        return None


def iso_date(value: str) -> dt.date | None:
    """The date at the start of an ISO date or timestamp, or None when there is none."""
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def error_text(exc: ValidationError) -> str:
    """The first validation error of a record, short enough for an example line."""
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV file read whole, with missing cells as ""."""
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    with (
        gzip.open(path, "rt", newline="", encoding="utf-8-sig")
        if path.name.endswith(".gz")
        else path.open(newline="", encoding="utf-8-sig")
    ) as handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        reader.fieldnames = header
        rows = [
            {key: value if isinstance(value, str) else "" for key, value in row.items() if key}
            for row in reader
        ]
    return header, rows


class Organizations:
    """Organizations gathered over many rows; each keeps its most frequent country and kind."""

    def __init__(self, report: Collector) -> None:
        """Start with none."""
        self.report = report
        self.names: dict[str, str] = {}
        self.countries: dict[str, Counter[str]] = {}
        self.kinds: dict[str, Counter[OrganizationKind]] = {}
        self.codes: dict[str, str | None] = {}
        """Country name -> code, as looked up so far: a file repeats a few dozen names."""

    def country_code(self, name: str) -> str | None:
        """The code of a country name (None when it has none), looked up once per name."""
        if name not in self.codes:
            self.codes[name] = country_code(name)
        return self.codes[name]

    def add_row(
        self, names_cell: str, countries_cell: str, kinds_cell: str, where: str
    ) -> list[str]:
        """Note the organizations of one row and return their slugs."""
        names = split_cell(names_cell)
        countries = aligned(split_cell(countries_cell), len(names))
        kinds = aligned(split_cell(kinds_cell), len(names))
        for country_name in split_cell(countries_cell):
            if self.country_code(country_name) is None:
                self.report.unmapped_countries[country_name] += 1
        slugs: list[str] = []
        for name, country, kind in zip(names, countries, kinds, strict=True):
            try:
                slug = slugify(name)
            except ValueError:
                self.report.skip(
                    "organization name without letters or digits", f"{where}: {name!r}"
                )
                continue
            if slug not in self.names:
                try:
                    Organization(slug=slug, name=name)
                except ValidationError as exc:
                    self.report.skip("invalid organization", f"{where}: {error_text(exc)}")
                    continue
                self.names[slug] = name
            code = self.country_code(country) if country else None
            self.countries.setdefault(slug, Counter())
            if code is not None:
                self.countries[slug][code] += 1
            self.kinds.setdefault(slug, Counter())
            if kind:
                self.kinds[slug][
                    _ORGANIZATION_KINDS.get(kind.casefold(), OrganizationKind.OTHER)
                ] += 1
            if slug not in slugs:
                slugs.append(slug)
        return slugs

    def records(self) -> list[Organization]:
        """One Organization per slug, with its most frequent country and kind (first on ties)."""
        records: list[Organization] = []
        for slug, name in self.names.items():
            countries = self.countries[slug].most_common(1)
            kinds = self.kinds[slug].most_common(1)
            records.append(
                Organization(
                    slug=slug,
                    name=name,
                    country=countries[0][0] if countries else None,
                    kind=kinds[0][0] if kinds else None,
                )
            )
        return records


def parse_score(text: str, report: Collector, where: str) -> float | None:
    """A non-negative finite score, or None (reported)."""
    if not text:
        report.skip("result: empty score", where)
        return None
    try:
        score = float(text)
    except ValueError:
        report.skip("result: score is not a number", f"{where}: {text!r}")
        return None
    if not math.isfinite(score):
        report.skip("result: score is not a number", f"{where}: {text!r}")
        return None
    if score < 0:
        report.skip("result: negative score", f"{where}: {text!r}")
        return None
    return score


def record_id(prefix: str, parts: Iterable[str]) -> str:
    """A deterministic record id: the same parts always give the same id."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"{prefix}-{digest[:20]}"
