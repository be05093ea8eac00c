"""Epoch AI's Benchmarking Hub CSVs (one file per benchmark) as benchmarks and results."""

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from modelatlas.domain import Benchmark, Dataset, Model, Result, Source, slugify
from modelatlas.ingest.epoch import (
    BENCHMARK_NAMES,
    BENCHMARKS_SOURCE,
    EpochFormatError,
    _fallback_name,
    _past_date,
    csv_files,
    model_slug,
)
from modelatlas.ingest.tabular import (
    Collector,
    ImportBatch,
    Organizations,
    clean,
    error_text,
    first_url,
    parse_score,
    read_csv,
    record_id,
    source_for,
)

# Hub columns that say when a score was measured, best first. "Release date" is the
# model's release, and terminalbench's "Created" is when Epoch entered the row: neither is.
MEASURED_COLUMNS: Final = (
    "Started at",
    "Date of evaluation",
    "Evaluation date",
    "Date run",
    "Run date",
    "Date",
    "Date added",
    "Last updated",
)
_RECORD_ID_COLUMNS: Final = ("id", "ID", "UUID")


@dataclass(frozen=True, slots=True)
class _Layout:
    """Which columns of one hub file hold what."""

    benchmark: Benchmark
    score: str
    measured: str | None
    source: str | None
    link: str | None
    epoch_run: bool
    settings: tuple[str, ...]
    """Columns between the model and the score (scaffold, agent, tools) plus record ids."""


def _layout(path: Path, header: list[str]) -> _Layout | str:
    """How to read a hub file, or why it is not a per-benchmark results table."""
    if "Model version" not in header or "Release date" not in header:
        return "not a per-benchmark results table (no 'Model version' and 'Release date')"
    if "Model name" in header:
        return (
            "the Epoch Capabilities Index, a composite of other benchmarks, not a benchmark "
            "(used only to map model versions to model names)"
        )
    release_at = header.index("Release date")
    score = "mean_score" if "mean_score" in header else header[release_at - 1]
    if score == "Model version":
        return "no score column before 'Release date'"
    stem = _csv_stem(path).removesuffix("_external")
    try:
        benchmark = Benchmark(
            slug=slugify(stem),
            name=BENCHMARK_NAMES.get(stem) or stem.replace("_", " ").title(),
            metric=score,
        )
    except ValueError as exc:  # ValidationError is a ValueError
        return f"no benchmark from the file name: {exc}"
    model_at = header.index("Model version")
    between = (
        tuple(header[model_at + 1 : header.index(score)]) if header.index(score) > model_at else ()
    )
    return _Layout(
        benchmark=benchmark,
        score=score,
        measured=next((name for name in MEASURED_COLUMNS if name in header), None),
        source="Source" if "Source" in header else None,
        link=next((name for name in header if name.casefold().startswith("source link")), None),
        epoch_run="Log viewer" in header,
        settings=between + tuple(name for name in _RECORD_ID_COLUMNS if name in header),
    )


def _csv_stem(path: Path) -> str:
    """A CSV file's name without ".csv" or ".csv.gz"."""
    return path.name.removesuffix(".gz").removesuffix(".csv")


def _version_names(directory: Path) -> dict[str, str]:
    """Model version (API id) -> Epoch model name, from the capabilities index if present."""
    path = next(
        (p for p in csv_files(directory) if _csv_stem(p) == "epoch_capabilities_index"), None
    )
    if path is None or path.parent != directory:
        return {}
    header, rows = read_csv(path)
    if "Model version" not in header or "Model name" not in header:
        return {}
    names: dict[str, str] = {}
    for row in rows:
        version, name = clean(row.get("Model version")), clean(row.get("Model name"))
        if version and name:
            names.setdefault(version, name)
    return names


class _HubModels:
    """Models named by hub rows, with every version id seen as an alias."""

    def __init__(self) -> None:
        """Start with none."""
        self.fields: dict[str, dict[str, Any]] = {}

    def add(self, slug: str, name: str, version: str, developers: list[str]) -> None:
        """Note one row's model version."""
        fields = self.fields.setdefault(
            slug, {"slug": slug, "name": name, "aliases": [], "developers": []}
        )
        if version != fields["name"] and version not in fields["aliases"]:
            fields["aliases"].append(version)
        fields["developers"].extend(org for org in developers if org not in fields["developers"])

    def records(self) -> list[Model]:
        """The Model records."""
        return [Model.model_validate(fields) for fields in self.fields.values()]


def parse_epoch_benchmarks(directory: Path) -> ImportBatch:
    """Read the Benchmarking Hub's per-benchmark CSVs in a folder into an ImportBatch."""
    if not directory.is_dir():
        raise EpochFormatError(f"{directory}: not a folder")
    report = Collector(str(directory))
    organizations = Organizations(report)
    models = _HubModels()
    version_names = _version_names(directory)
    sources: dict[str, Source] = {BENCHMARKS_SOURCE.url: BENCHMARKS_SOURCE}
    benchmarks: list[Benchmark] = []
    results: dict[str, Result] = {}
    rows_read = 0

    for path in csv_files(directory):
        relative = path.relative_to(directory).as_posix()
        if path.parent != directory:
            report.skipped_files[relative] = "in a subfolder (model-fitting data, not results)"
            continue
        try:
            header, rows = read_csv(path)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            report.skipped_files[relative] = f"cannot read: {exc}"
            continue
        layout = _layout(path, header)
        if isinstance(layout, str):
            report.skipped_files[relative] = layout
            continue
        if all(b.slug != layout.benchmark.slug for b in benchmarks):
            benchmarks.append(layout.benchmark)  # "x.csv" and "x_external.csv" share one
        rows_read += len(rows)
        for number, row in enumerate(rows, start=1):
            version = clean(row.get("Model version"))
            where = f"{path.name} row {number}" + (f" ({version})" if version else "")
            if not version:
                report.skip("result: no model version (only the source's own name)", where)
                continue
            score = parse_score(clean(row.get(layout.score)), report, where)
            if score is None:
                continue
            measured = (
                _past_date(clean(row.get(layout.measured)), "measurement date", report, where)
                if layout.measured
                else None
            )
            source_name = clean(row.get(layout.source)) if layout.source else ""
            link = source_for(first_url(row.get(layout.link)) if layout.link else None, source_name)
            name = version_names.get(version) or _fallback_name(version)
            try:
                slug = model_slug(name)
                Model(slug=slug, name=name, aliases=[version])
            except (ValueError, ValidationError):
                report.skip("result: model version gives no valid model", where)
                continue
            developers = organizations.add_row(
                row.get("Organization", ""), row.get("Country", ""), "", where
            )
            parts = [
                layout.benchmark.slug,
                version,
                link.url if link else source_name or "epoch",
                measured.isoformat() if measured else "",
                repr(score),
                *(clean(row.get(column)) for column in layout.settings),
            ]
            result_id = record_id("epoch", parts)
            if result_id in results:
                report.skip("result: duplicate row", where)
                continue
            cited = [link.url] if link else []
            try:
                result = Result(
                    id=result_id,
                    model=slug,
                    benchmark=layout.benchmark.slug,
                    score=score,
                    measured_on=measured,
                    evaluator="Epoch AI" if layout.epoch_run else source_name or None,
                    sources=[*cited, BENCHMARKS_SOURCE.url],
                )
            except ValidationError as exc:
                report.skip("result: invalid", f"{where}: {error_text(exc)}")
                continue
            if link:
                sources.setdefault(link.url, link)
            models.add(slug, name, version, developers)
            results[result_id] = result

    dataset = Dataset(
        sources=list(sources.values()),
        organizations=organizations.records(),
        models=models.records(),
        benchmarks=benchmarks,
        results=list(results.values()),
    )
    return ImportBatch(dataset=dataset, report=report.report(rows_read, len(results)))
