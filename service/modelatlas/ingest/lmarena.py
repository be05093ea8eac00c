"""LMArena's leaderboard files as a Dataset: models, MT-Bench, MMLU and Arena-Hard-Auto results.

Pure parsing, no database access. ``leaderboard_table_*.csv`` is the Chatbot Arena Space's
per-model table (Arena key, display name, MT-bench, MMLU, organization; it has no Elo), and
``arena_hard_auto_leaderboard_v0.1.csv`` is the Arena-Hard-Auto win rate of each Arena key.
Missing numbers ("-") and rows that cannot be mapped are counted in the
:class:`ImportReport`, never raised. ``elo_data.json`` (third-party, top model only) is not
read.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from modelatlas.domain import Benchmark, Dataset, Model, Result, Source
from modelatlas.errors import InvalidInput
from modelatlas.ingest.epoch import csv_files, model_slug
from modelatlas.ingest.tabular import (
    Collector,
    ImportBatch,
    Organizations,
    clean,
    error_text,
    iso_date,
    parse_score,
    read_csv,
    record_id,
)

__all__ = [
    "ARENA_HARD",
    "ARENA_HARD_SOURCE",
    "LMARENA_SOURCE",
    "MMLU",
    "MT_BENCH",
    "LMArenaFormatError",
    "parse_lmarena",
]

LMARENA_SOURCE: Final = Source(
    url="https://huggingface.co/spaces/lmarena-ai/chatbot-arena-leaderboard",
    title="LMArena, 'Chatbot Arena Leaderboard'",
    publisher="LMArena",
)
"""The Chatbot Arena Space, cited by every MT-Bench and MMLU result of the leaderboard table."""

ARENA_HARD_SOURCE: Final = Source(
    url="https://github.com/lmarena/arena-hard-auto",
    title="LMArena, 'Arena-Hard-Auto Leaderboard v0.1'",
    publisher="LMArena",
)
"""The Arena-Hard-Auto project, cited by every Arena-Hard-Auto result."""

MT_BENCH: Final = Benchmark(slug="mt-bench", name="MT-Bench", metric="score (1-10)")
MMLU: Final = Benchmark(slug="mmlu", name="MMLU", metric="EM")
"""The same slug as the Benchmarking Hub's MMLU; LMArena's is a 0..1 fraction like the hub's."""
ARENA_HARD: Final = Benchmark(
    slug="arena-hard-auto", name="Arena-Hard-Auto", metric="win rate vs GPT-4-0314 (%)"
)

EVALUATOR: Final = "LMArena"
_TABLE_PREFIX: Final = "leaderboard_table_"
_ARENA_HARD_STEM: Final = "arena_hard_auto_leaderboard_v0.1"
_TABLE_SCORES: Final = (("MT-bench (score)", MT_BENCH), ("MMLU", MMLU))
_MISSING: Final = frozenset({"", "-"})


class LMArenaFormatError(InvalidInput):
    """Raised when a folder holds neither LMArena leaderboard file, or one lacks its columns."""


def _stem(path: Path) -> str:
    """A CSV file's name without ".csv" or ".csv.gz"."""
    return path.name.removesuffix(".gz").removesuffix(".csv")


@dataclass(frozen=True, slots=True)
class _Files:
    """The two files read, either possibly absent."""

    table: Path | None
    arena_hard: Path | None


def _files(directory: Path, report: Collector) -> _Files:
    """Pick the latest leaderboard table and the Arena-Hard-Auto file; note the other CSVs."""
    paths = [path for path in csv_files(directory) if path.parent == directory]
    tables = sorted((p for p in paths if _stem(p).startswith(_TABLE_PREFIX)), key=_stem)
    table = tables[-1] if tables else None
    arena_hard = next((p for p in paths if _stem(p) == _ARENA_HARD_STEM), None)
    for path in paths:
        if path in (table, arena_hard):
            continue
        reason = (
            f"an older leaderboard table than {table.name}"
            if path in tables and table is not None
            else "not an LMArena leaderboard file this importer reads"
        )
        report.skipped_files[path.name] = reason
    return _Files(table, arena_hard)


class _Models:
    """Models named by rows, merged by slug, with every other Arena key as an alias."""

    def __init__(self) -> None:
        """Start with none."""
        self.fields: dict[str, dict[str, Any]] = {}

    def add(self, slug: str, name: str, key: str, developers: list[str]) -> None:
        """Note one row's model."""
        fields = self.fields.setdefault(
            slug, {"slug": slug, "name": name, "aliases": [], "developers": []}
        )
        if key != fields["name"] and key not in fields["aliases"]:
            fields["aliases"].append(key)
        fields["developers"].extend(org for org in developers if org not in fields["developers"])

    def records(self) -> list[Model]:
        """The Model records."""
        return [Model.model_validate(fields) for fields in self.fields.values()]


def _require(path: Path, header: list[str], columns: tuple[str, ...]) -> None:
    """Refuse a file without the columns it is read by."""
    missing = [column for column in columns if column not in header]
    if missing:
        raise LMArenaFormatError(f"{path}: no {', '.join(map(repr, missing))} column")


def _measured(text: str, report: Collector, where: str) -> dt.date | None:
    """The date a score was measured, or None (reported when malformed or in the future)."""
    if not text:
        return None
    date = iso_date(text)
    if date is None:
        report.skip("measurement date: not a date", f"{where}: {text!r}")
        return None
    if date > dt.date.today():
        report.skip("measurement date: in the future", f"{where}: {text!r}")
        return None
    return date


class _Parse:
    """The state of one parse: report, organizations, models and results so far."""

    def __init__(self, directory: Path) -> None:
        """Start an empty parse of a folder."""
        self.report = Collector(str(directory))
        self.organizations = Organizations(self.report)
        self.models = _Models()
        self.results: dict[str, Result] = {}
        self.benchmarks: dict[str, Benchmark] = {}
        self.sources: dict[str, Source] = {}
        self.key_slugs: dict[str, str] = {}
        """Leaderboard-table key -> its model's slug, for the Arena-Hard-Auto rows."""
        self.rows_read = 0
        self.rows_used = 0

    def result(
        self,
        benchmark: Benchmark,
        source: Source,
        key: str,
        stem: str,
        fields: dict[str, Any],
        where: str,
    ) -> bool:
        """Add one Result; False (reported) when it repeats an earlier one or is invalid."""
        result_id = record_id("lmarena", [benchmark.slug, key, stem])
        if result_id in self.results:
            self.report.skip(f"{benchmark.slug}: duplicate result (same key)", where)
            return False
        try:
            result = Result(
                id=result_id,
                benchmark=benchmark.slug,
                evaluator=EVALUATOR,
                sources=[source.url],
                **fields,
            )
        except ValidationError as exc:
            self.report.skip(f"{benchmark.slug}: invalid result", f"{where}: {error_text(exc)}")
            return False
        self.results[result_id] = result
        self.benchmarks.setdefault(benchmark.slug, benchmark)
        self.sources.setdefault(source.url, source)
        return True

    def table(self, path: Path) -> None:
        """Read the leaderboard table: a Model per row, MT-Bench and MMLU results."""
        header, rows = read_csv(path)
        _require(path, header, ("key", "Model"))
        self.rows_read += len(rows)
        stem = _stem(path)
        seen: set[str] = set()
        for number, row in enumerate(rows, start=1):
            key = clean(row.get("key"))
            where = f"{path.name} row {number}" + (f" ({key})" if key else "")
            if not key:
                self.report.skip("row without a key", where)
                continue
            if key in seen:
                self.report.skip("row: key listed twice", where)
                continue
            seen.add(key)
            name = clean(row.get("Model")) or key
            try:
                slug = model_slug(name)
                Model(slug=slug, name=name, aliases=[key])
            except (ValueError, ValidationError):
                self.report.skip("row: model name gives no valid model", where)
                continue
            developers = self.organizations.add_row(row.get("Organization", ""), "", "", where)
            self.models.add(slug, name, key, developers)
            self.key_slugs[key] = slug
            self.rows_used += 1
            for column, benchmark in _TABLE_SCORES:
                text = clean(row.get(column))
                if text in _MISSING:
                    self.report.skip(f"{benchmark.slug}: no score ('-' or empty)", where)
                    continue
                score = parse_score(text, self.report, f"{where} {column}")
                if score is None:
                    continue
                self.result(
                    benchmark, LMARENA_SOURCE, key, stem, {"model": slug, "score": score}, where
                )

    def arena_hard(self, path: Path) -> None:
        """Read the Arena-Hard-Auto leaderboard: a dated Result per row."""
        header, rows = read_csv(path)
        _require(path, header, ("model", "score"))
        self.rows_read += len(rows)
        stem = _stem(path)
        for number, row in enumerate(rows, start=1):
            key = clean(row.get("model"))
            where = f"{path.name} row {number}" + (f" ({key})" if key else "")
            if not key:
                self.report.skip("arena-hard-auto: row without a model key", where)
                continue
            score = parse_score(clean(row.get("score")), self.report, where)
            if score is None:
                continue
            slug = self.key_slugs.get(key)
            if slug is None:
                try:
                    slug = model_slug(key)
                    Model(slug=slug, name=key)
                except (ValueError, ValidationError):
                    self.report.skip("arena-hard-auto: model key gives no valid model", where)
                    continue
            measured = _measured(clean(row.get("date")), self.report, where)
            fields = {"model": slug, "score": score, "measured_on": measured}
            if self.result(ARENA_HARD, ARENA_HARD_SOURCE, key, stem, fields, where):
                if key not in self.key_slugs:
                    self.models.add(slug, key, key, [])
                self.rows_used += 1


def parse_lmarena(directory: Path) -> ImportBatch:
    """Read an LMArena leaderboard folder (leaderboard table, Arena-Hard-Auto) into a batch."""
    if not directory.is_dir():
        raise LMArenaFormatError(f"{directory}: not a folder")
    parse = _Parse(directory)
    files = _files(directory, parse.report)
    if files.table is None and files.arena_hard is None:
        raise LMArenaFormatError(
            f"{directory}: no {_TABLE_PREFIX}*.csv or {_ARENA_HARD_STEM}.csv (plain or .gz); "
            "not an LMArena leaderboard folder"
        )
    if files.table is not None:
        parse.table(files.table)
    if files.arena_hard is not None:
        parse.arena_hard(files.arena_hard)
    dataset = Dataset(
        sources=list(parse.sources.values()),
        organizations=parse.organizations.records(),
        models=parse.models.records(),
        benchmarks=list(parse.benchmarks.values()),
        results=list(parse.results.values()),
    )
    return ImportBatch(
        dataset=dataset, report=parse.report.report(parse.rows_read, parse.rows_used)
    )
