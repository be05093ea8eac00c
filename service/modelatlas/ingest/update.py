"""`modelatlas update`: fetch the publishers' current data files, verify them all, import them.

Every file is downloaded first (a timeout, a size cap, a non-2xx status refused), then every
one is checked against the packaged snapshot's manifest (the zips hold the needed entries,
the CSVs parse as UTF-8, have every column the manifest lists and at least half its rows),
and only then is anything written: each dataset by its usual importer, at the default load's
ranks, followed by the pass that links, classifies and weighs the whole graph.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final
from urllib.parse import urlsplit

import httpx

from modelatlas.errors import InvalidInput
from modelatlas.graph.writes import WriteReport
from modelatlas.ingest.default_graph import (
    FILE_KINDS,
    SEED,
    DerivedReport,
    LoadStep,
    Part,
    add_counts,
    import_parts,
    measure_provenance,
    snapshot_dir,
)
from modelatlas.ingest.imports import IMPORTERS
from modelatlas.ingest.snapshot import read_manifest
from modelatlas.ingest.tabular import ImportReport, read_csv
from modelatlas.knowledge import KnowledgeGraph

__all__ = [
    "DEFAULT_BASE",
    "LIVE_SOURCES",
    "MAX_BYTES",
    "NOT_UPDATED",
    "DatasetUpdate",
    "FetchedDataset",
    "FetchedFile",
    "UpdateError",
    "UpdateReport",
    "fetch_updates",
    "fetched_updates",
    "import_updates",
]

DEFAULT_BASE: Final = "https://epoch.ai/data/"
"""Where Epoch AI publishes its downloads; `--from` / MODELATLAS_UPDATE_URL name a mirror."""
LIVE_SOURCES: Final[dict[str, str]] = {
    "epoch-notable-models": "notable_ai_models.csv",
    "epoch-frontier-models": "ai_models.zip",
    "epoch-large-scale-models": "ai_models.zip",
    "epoch-benchmarking-hub": "benchmark_data.zip",
}
"""Snapshot dataset -> the file under the base URL holding its current files (or a zip of them)."""
NOT_UPDATED: Final[dict[str, str]] = {
    "epoch-benchmarking-db-2025-04": "Epoch's current benchmark_data.zip no longer holds "
    "this 2025-04 relational export",
    "lmarena-leaderboard-2025-05": "LMArena publishes no current download in this layout",
}
"""Snapshot datasets update leaves as they are, and why."""
MAX_BYTES: Final = 200 * 1024 * 1024
"""The most one download (or everything unpacked from one zip) may hold."""
TIMEOUT_S: Final = 60.0
"""Seconds one connect or read may wait."""
DEADLINE_S: Final = 900.0
"""Seconds one whole download may take."""
_CHUNK: Final = 1 << 16


class UpdateError(InvalidInput):
    """A download failed, or a fetched file is not what its snapshot dataset needs."""


@dataclass(frozen=True)
class FetchedFile:
    """One verified CSV, as the importer will read it."""

    name: str
    sha256: str
    rows: int
    known: bool = True
    """False for a CSV of the hub's zip the snapshot does not have (a new benchmark)."""


@dataclass(frozen=True)
class FetchedDataset:
    """A snapshot dataset's current files: downloaded, verified, ready to import."""

    name: str
    kind: str
    url: str
    sha256: str
    """Of the download itself (the CSV, or the whole zip)."""
    size: int
    target: Path
    """What the dataset's importer is given: its one file, or its folder."""
    files: tuple[FetchedFile, ...]


@dataclass(frozen=True)
class _Download:
    url: str
    path: Path
    sha256: str
    size: int


def _url(base: str, name: str) -> str:
    """The file's URL under a base URL (http or https only)."""
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UpdateError(f"{base!r} is not an http(s) URL to fetch the data files from")
    return base.rstrip("/") + "/" + name


def _download(client: httpx.Client, url: str, path: Path, max_bytes: int) -> _Download:
    """Stream one URL to a file, refusing a non-2xx status, an oversized body or a slow one."""
    digest = hashlib.sha256()
    size = 0
    started = time.monotonic()
    try:
        with client.stream("GET", url) as response:
            if not response.is_success:
                raise UpdateError(f"{url}: HTTP {response.status_code} {response.reason_phrase}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise UpdateError(
                    f"{url}: {declared} bytes, more than the {max_bytes} bytes allowed"
                )
            with path.open("wb") as handle:
                for chunk in response.iter_bytes(_CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise UpdateError(f"{url}: more than the {max_bytes} bytes allowed")
                    if time.monotonic() - started > DEADLINE_S:
                        raise UpdateError(f"{url}: not downloaded within {DEADLINE_S:.0f} s")
                    digest.update(chunk)
                    handle.write(chunk)
    except httpx.HTTPError as exc:
        raise UpdateError(f"{url}: download failed: {exc}") from exc
    if size == 0:
        raise UpdateError(f"{url}: the server sent an empty file")
    return _Download(url, path, digest.hexdigest(), size)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_csv(dataset: str, label: str, path: Path, entry: dict[str, object] | None) -> int:
    """The CSV's row count, once it parses and has the manifest entry's columns and rows."""
    try:
        header, rows = read_csv(path)
    except UnicodeDecodeError as exc:
        raise UpdateError(f"{dataset}: {label} is not UTF-8 text ({exc})") from exc
    except csv.Error as exc:
        raise UpdateError(f"{dataset}: {label} is not a readable CSV ({exc})") from exc
    if not header:
        raise UpdateError(f"{dataset}: {label} has no header row")
    if entry is None:
        return len(rows)
    columns = entry.get("columns")
    wanted = [str(c) for c in columns] if isinstance(columns, list) else []
    missing = [name for name in wanted if name not in header]
    if missing:
        raise UpdateError(f"{dataset}: {label} is missing columns: {', '.join(missing)}")
    expected = entry.get("rows")
    if isinstance(expected, int) and len(rows) < (expected + 1) // 2:
        raise UpdateError(
            f"{dataset}: {label} has {len(rows)} rows, expected at least {(expected + 1) // 2} "
            f"(the snapshot has {expected}): truncated download?"
        )
    return len(rows)


def _entries(dataset: dict[str, object]) -> dict[str, dict[str, object]]:
    """The manifest's files of a dataset, by the base name of their original."""
    files = dataset.get("files")
    if not isinstance(files, list) or not files:
        raise UpdateError(f"{dataset.get('name')}: the snapshot manifest lists no files")
    return {PurePosixPath(str(entry.get("original"))).name: entry for entry in files}


def _unzip(
    dataset: str, download: _Download, needed: list[str], into: Path, *, extra: bool, cap: int
) -> list[str]:
    """Extract the needed CSV entries (and, if extra, their folder's other CSVs) by base name."""
    label = download.path.name
    try:
        with zipfile.ZipFile(download.path) as archive:
            csvs = sorted(
                (info for info in archive.infolist() if info.filename.endswith(".csv")),
                key=lambda info: (info.filename.count("/"), info.filename),
            )
            chosen: dict[str, zipfile.ZipInfo] = {}
            for info in csvs:  # the shallowest entry of a name wins
                chosen.setdefault(PurePosixPath(info.filename).name, info)
            missing = [name for name in needed if name not in chosen]
            if missing:
                raise UpdateError(f"{dataset}: {label} has no entry {', '.join(missing)}")
            folders = {PurePosixPath(chosen[name].filename).parent for name in needed}
            names = list(needed)
            if extra:
                names += sorted(
                    name
                    for name, info in chosen.items()
                    if name not in needed and PurePosixPath(info.filename).parent in folders
                )
            if sum(chosen[name].file_size for name in names) > cap:
                raise UpdateError(f"{dataset}: {label} unpacks to more than {cap} bytes")
            into.mkdir(parents=True, exist_ok=True)
            for name in names:
                with archive.open(chosen[name]) as source, (into / name).open("wb") as target:
                    shutil.copyfileobj(source, target, _CHUNK)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise UpdateError(f"{dataset}: {label} is not a readable zip ({exc})") from exc
    return names


def fetch_updates(
    base: str,
    work_dir: Path,
    *,
    snapshot: Path | None = None,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT_S,
    on_fetch: Callable[[str], None] | None = None,
) -> list[FetchedDataset]:
    """Download every live dataset's file into work_dir, then verify them all; writes no graph."""
    manifest = {str(d.get("name")): d for d in read_manifest(snapshot or snapshot_dir())}
    missing = sorted(set(LIVE_SOURCES) - set(manifest))
    if missing:
        raise UpdateError(f"the snapshot manifest has no dataset {', '.join(missing)}")
    downloads: dict[str, _Download] = {}
    (work_dir / "download").mkdir(parents=True, exist_ok=True)
    with httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=True) as client:
        for name in dict.fromkeys(LIVE_SOURCES.values()):
            url = _url(base, name)
            if on_fetch is not None:
                on_fetch(url)
            downloads[name] = _download(client, url, work_dir / "download" / name, max_bytes)
    fetched: list[FetchedDataset] = []
    for name, source in LIVE_SOURCES.items():
        dataset = manifest[name]
        kind = str(dataset.get("kind"))
        if kind not in IMPORTERS:
            raise UpdateError(f"{name}: unknown kind {kind!r} in the snapshot manifest")
        entries = _entries(dataset)
        download = downloads[source]
        folder = work_dir / name
        if source.endswith(".zip"):
            names = _unzip(
                name,
                download,
                list(entries),
                folder,
                extra=kind not in FILE_KINDS,
                cap=max_bytes,
            )
        else:
            if list(entries) != [source]:
                raise UpdateError(f"{name}: {source} is not the snapshot dataset's one file")
            folder = download.path.parent
            names = [source]
        files: list[FetchedFile] = []
        for file_name in names:
            path = folder / file_name
            label = file_name if file_name == source else f"{file_name} (in {source})"
            rows = _check_csv(name, label, path, entries.get(file_name))
            files.append(FetchedFile(file_name, _sha256(path), rows, file_name in entries))
        target = folder / names[0] if kind in FILE_KINDS else folder
        fetched.append(
            FetchedDataset(
                name, kind, download.url, download.sha256, download.size, target, tuple(files)
            )
        )
    return fetched


@contextmanager
def fetched_updates(
    base: str, *, on_fetch: Callable[[str], None] | None = None
) -> Iterator[list[FetchedDataset]]:
    """fetch_updates into a temporary folder, removed when the block ends."""
    with tempfile.TemporaryDirectory(prefix="modelatlas-update-") as work:
        yield fetch_updates(base, Path(work), on_fetch=on_fetch)


OTHERS: Final = f"{SEED} and the datasets not fetched"


@dataclass(frozen=True)
class DatasetUpdate:
    """What importing one fetched dataset did."""

    fetched: FetchedDataset
    report: ImportReport
    written: WriteReport
    derivations_linked: int
    seconds: float


@dataclass(frozen=True)
class UpdateReport:
    """Everything an update did, per dataset and for the whole graph."""

    source: str
    """The base URL the files came from."""
    datasets: tuple[DatasetUpdate, ...]
    links: WriteReport
    """What the seed and the datasets not fetched wrote, matched again with the fetched ones
    (their models can move onto a fetched dataset's new node)."""
    links_derivations: int
    derived: DerivedReport
    seconds: float

    @property
    def changes(self) -> int:
        """Nodes and verdicts the update changed, summed (0: the graph already had the files)."""
        # DERIVED_FROM links are merged and counted existing ones included: not changes.
        derived = self.derived
        return (
            sum(d.written.created + d.written.updated for d in self.datasets)
            + self.links.created
            + self.links.updated
            + derived.claims.created
            + derived.claims.updated
            + derived.pruned
            + derived.verdicts_changed
            + derived.variants_linked
            + derived.provenance.changed
        )

    def lines(self) -> list[str]:
        """Short human-readable lines for a CLI."""
        lines = [f"Imported from {self.source} in {self.seconds:.1f}s"]
        for step in self.datasets:
            fetched, report, written = step.fetched, step.report, step.written
            new = [f.name for f in fetched.files if not f.known]
            lines += [
                f"{fetched.name}: {report.rows_used} of {report.rows_read} rows used, "
                f"{written.created} created, {written.updated} updated in {step.seconds:.1f}s",
                f"      {fetched.url} ({fetched.size} bytes) sha256 {fetched.sha256}",
                f"      {len(fetched.files)} files"
                + (f", new since the snapshot: {', '.join(new)}" if new else ""),
            ]
        for name, reason in NOT_UPDATED.items():
            lines.append(f"{name}: left as it is ({reason})")
        lines.append(
            f"{OTHERS}: {self.links.created} created, {self.links.updated} updated, "
            f"{self.links_derivations} base-model links in place"
        )
        lines += [line for line in self.derived.lines() if not line.startswith("  unresolved:")]
        lines.append(f"{self.derived.provenance.changed} results reclassified")
        lines.append(f"changes written: {self.changes}")
        return lines

    def as_dict(self) -> dict[str, object]:
        """Plain data for --json output."""
        derived = self.derived
        return {
            "source": self.source,
            "seconds": round(self.seconds, 3),
            "datasets": [
                {
                    "name": step.fetched.name,
                    "kind": step.fetched.kind,
                    "url": step.fetched.url,
                    "sha256": step.fetched.sha256,
                    "bytes": step.fetched.size,
                    "files": [
                        {"name": f.name, "sha256": f.sha256, "rows": f.rows, "known": f.known}
                        for f in step.fetched.files
                    ],
                    "rowsRead": step.report.rows_read,
                    "rowsUsed": step.report.rows_used,
                    "skipped": dict(step.report.skipped),
                    "skippedFiles": dict(step.report.skipped_files),
                    "created": step.written.created,
                    "updated": step.written.updated,
                    "derivationsLinked": step.derivations_linked,
                    "kinds": step.written.as_dict(),
                    "seconds": round(step.seconds, 3),
                }
                for step in self.datasets
            ],
            "notUpdated": [{"name": name, "reason": why} for name, why in NOT_UPDATED.items()],
            "links": {
                "created": self.links.created,
                "updated": self.links.updated,
                "derivationsLinked": self.links_derivations,
            },
            "derived": {
                "measuredBy": dict(derived.provenance.measured_by),
                "resultsReclassified": derived.provenance.changed,
                "claimsCreated": derived.claims.created,
                "claimsUpdated": derived.claims.updated,
                "claimsPruned": derived.pruned,
                "verdictsChanged": derived.verdicts_changed,
                "variantsLinked": derived.variants_linked,
            },
            "changes": self.changes,
        }


async def import_updates(
    kg: KnowledgeGraph,
    fetched: list[FetchedDataset],
    *,
    source: str = DEFAULT_BASE,
    on_step: Callable[[str], None] | None = None,
    snapshot: Path | None = None,
) -> UpdateReport:
    """Import the verified datasets together with the snapshot's others (one decision on
    which node each model is, see default_graph.import_parts), then measure provenance."""
    started = time.perf_counter()
    folder = snapshot or snapshot_dir()
    by_name = {d.name: d for d in fetched}
    parts = []
    for manifest in read_manifest(folder):
        got = by_name.get(str(manifest["name"]))
        parts.append(Part(got.name, got.kind, got.target) if got else Part.of(folder, manifest))
    steps: list[DatasetUpdate] = []
    others = WriteReport()
    linked = 0

    def done(step: LoadStep) -> None:
        nonlocal linked
        if step.name in by_name and step.written is not None and step.report is not None:
            step_fetched = by_name[step.name]
            steps.append(
                DatasetUpdate(step_fetched, step.report, step.written, step.linked, step.seconds)
            )
        elif step.written is not None:
            add_counts(others, step.written)
            linked += step.linked

    def started_step(name: str, _number: int, _total: int) -> None:
        if on_step is not None:
            on_step(name if name in by_name else f"{name} (matched again, not fetched)")

    if fetched:
        await import_parts(kg, parts, on_step=started_step, on_done=done)
    if on_step is not None:
        on_step("who measured each result, claims in report tables, verdicts")
    derived = await measure_provenance(kg)
    return UpdateReport(
        source,
        tuple(steps),
        others,
        linked,
        derived,
        time.perf_counter() - started,
    )
