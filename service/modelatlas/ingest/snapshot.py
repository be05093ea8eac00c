"""The packaged, trimmed snapshot of public data: what it holds, how it is built and checked.

A new user's graph is built from ``seed/snapshot/``: the public files of ``../shared/data``
with only the columns the importers read (no abstracts, notes or other prose), gzipped
deterministically, and a ``manifest.json`` recording each file's origin, date, licence and
the sha256 of both the original and the trimmed copy. ``python -m modelatlas.ingest.snapshot
DATA_DIR OUT_DIR`` (``make snapshot``) rebuilds it; :func:`verify_snapshot` refuses a copy
whose files no longer match the manifest.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from modelatlas.errors import InvalidInput
from modelatlas.ingest.epoch_benchmarks import MEASURED_COLUMNS

__all__ = [
    "DATASETS",
    "MANIFEST",
    "SnapshotDataset",
    "SnapshotError",
    "build_snapshot",
    "dataset_digest",
    "read_manifest",
    "verify_snapshot",
]

MANIFEST: Final = "manifest.json"
CC_BY: Final = "CC BY 4.0"
APACHE: Final = "Apache-2.0"


class SnapshotError(InvalidInput):
    """A snapshot file is missing, or its checksum or layout is not the manifest's."""


_MODEL_COLUMNS: Final = (
    "Model",
    "Organization",
    "Country (of organization)",
    "Organization categorization",
    "Publication date",
    "Parameters",
    "Training compute (FLOP)",
    "Domain",
    "Model accessibility",
    "Reference",
    "Link",
    "Base model",
)
# Hub columns read outside the span "Model version" .. "Release date" (settings and score).
_HUB_COLUMNS: Final = (
    "Organization",
    "Country",
    "Source",
    "Log viewer",
    "Model name",
    *MEASURED_COLUMNS,
    "id",
    "ID",
    "UUID",
)


def _named(*names: str) -> Callable[[list[str]], list[str]]:
    """Keep the listed columns that the header has, in the header's order."""
    return lambda header: [name for name in header if name in names]


def _hub(header: list[str]) -> list[str]:
    """Keep the span the hub parser reads settings and score from, plus the named columns."""
    span: set[str] = set()
    if "Model version" in header and "Release date" in header:
        span = set(header[header.index("Model version") : header.index("Release date") + 1])
    return [
        name
        for name in header
        if name in span or name in _HUB_COLUMNS or name.casefold().startswith("source link")
    ]


@dataclass(frozen=True)
class SnapshotDataset:
    """One public dataset: where it came from, its licence, and which of its files to keep."""

    name: str
    kind: str
    """Which importer reads it: epoch-models, epoch-benchmarks, epoch-db or lmarena."""
    folder: str
    """Its folder under ../shared/data."""
    files: tuple[str, ...]
    """File names, or ("*.csv",) for every top-level CSV."""
    keep: Callable[[list[str]], list[str]]
    origin: str
    published: str
    licence: str
    credit: str


DATASETS: Final[tuple[SnapshotDataset, ...]] = (
    SnapshotDataset(
        "epoch-notable-models",
        "epoch-models",
        "epoch-notable-ai-models",
        ("notable_ai_models.csv",),
        _named(*_MODEL_COLUMNS),
        "https://epoch.ai/data/notable_ai_models.csv",
        "2026-07-19",
        CC_BY,
        "Epoch AI, 'Data on AI Models', epoch.ai",
    ),
    SnapshotDataset(
        "epoch-frontier-models",
        "epoch-models",
        "epoch-ai-models-2025-12",
        ("frontier_ai_models.csv",),
        _named(*_MODEL_COLUMNS),
        "https://epoch.ai/data/ai_models.zip#frontier_ai_models.csv",
        "2025-12-27",
        CC_BY,
        "Epoch AI, 'Data on AI Models', epoch.ai",
    ),
    SnapshotDataset(
        "epoch-large-scale-models",
        "epoch-models",
        "epoch-ai-models-2025-12",
        ("large_scale_ai_models.csv",),
        _named(*_MODEL_COLUMNS),
        "https://epoch.ai/data/ai_models.zip#large_scale_ai_models.csv",
        "2025-12-27",
        CC_BY,
        "Epoch AI, 'Data on AI Models', epoch.ai",
    ),
    SnapshotDataset(
        "epoch-benchmarking-hub",
        "epoch-benchmarks",
        "epoch-benchmarking-hub",
        ("*.csv",),
        _hub,
        "https://epoch.ai/data/benchmark_data.zip",
        "2026-04-14",
        CC_BY,
        "Epoch AI, 'AI Benchmarking Hub', epoch.ai/benchmarks",
    ),
    SnapshotDataset(
        "epoch-benchmarking-db-2025-04",
        "epoch-db",
        "epoch-benchmarking-db-2025-04",
        ("benchmarks_runs.csv", "model_versions.csv", "organizations.csv"),
        _named(
            "id",
            "task",
            "model",
            "Best score (across scorers)",
            "log viewer",
            "Model",
            "Version release date",
            "Organization",
            "Country",
            "Organization categorization",
            "All ML Systems",
        ),
        "https://epoch.ai/data/benchmark_data.zip (export of 2025-04-10)",
        "2025-04-10",
        CC_BY,
        "Epoch AI, 'AI Benchmarking Hub', epoch.ai/benchmarks",
    ),
    SnapshotDataset(
        "lmarena-leaderboard-2025-05",
        "lmarena",
        "lmarena-leaderboard-2025-05",
        ("leaderboard_table_20250511.csv", "arena_hard_auto_leaderboard_v0.1.csv"),
        _named(
            "key",
            "Model",
            "MT-bench (score)",
            "MMLU",
            "Organization",
            "Link",
            "model",
            "score",
            "rating_q025",
            "rating_q975",
            "date",
        ),
        "https://huggingface.co/spaces/lmarena-ai/chatbot-arena-leaderboard",
        "2025-05-11",
        APACHE,
        "LMArena (lmarena.ai), Chatbot Arena leaderboard",
    ),
)
"""Every dataset of the snapshot, in the order the default load imports them."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _trimmed(raw: bytes, keep: Callable[[list[str]], list[str]]) -> tuple[bytes, int, list[str]]:
    """The CSV with only the kept columns, as deterministic gzip bytes; its rows and header."""
    csv.field_size_limit(2**31 - 1)
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    header = [name.strip() for name in next(reader)]
    columns = keep(header)
    at = [header.index(name) for name in columns]
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    rows = 0
    for row in reader:
        writer.writerow([row[i] if i < len(row) else "" for i in at])
        rows += 1
    packed = gzip.compress(text.getvalue().encode("utf-8"), compresslevel=9, mtime=0)
    return packed, rows, columns


def _source_files(data_dir: Path, spec: SnapshotDataset) -> list[Path]:
    folder = data_dir / spec.folder
    if spec.files == ("*.csv",):
        return sorted(folder.glob("*.csv"))
    return [folder / name for name in spec.files]


def build_snapshot(data_dir: Path, out_dir: Path) -> dict[str, object]:
    """Write every dataset's trimmed files and the manifest; return the manifest."""
    datasets: list[dict[str, object]] = []
    for spec in DATASETS:
        target = out_dir / spec.name
        target.mkdir(parents=True, exist_ok=True)
        for stale in target.glob("*.csv.gz"):
            stale.unlink()
        files: list[dict[str, object]] = []
        for path in _source_files(data_dir, spec):
            raw = path.read_bytes()
            packed, rows, columns = _trimmed(raw, spec.keep)
            (target / f"{path.name}.gz").write_bytes(packed)
            files.append(
                {
                    "path": f"{spec.name}/{path.name}.gz",
                    "original": f"{spec.folder}/{path.name}",
                    "original_sha256": _sha256(raw),
                    "original_bytes": len(raw),
                    "sha256": _sha256(packed),
                    "bytes": len(packed),
                    "rows": rows,
                    "columns": columns,
                }
            )
        datasets.append(
            {
                "name": spec.name,
                "kind": spec.kind,
                "origin": spec.origin,
                "published": spec.published,
                "licence": spec.licence,
                "credit": spec.credit,
                "files": files,
            }
        )
    manifest: dict[str, object] = {"format": 1, "datasets": datasets}
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def read_manifest(snapshot_dir: Path) -> list[dict[str, object]]:
    """The manifest's datasets, in load order."""
    try:
        manifest = json.loads((snapshot_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"{snapshot_dir / MANIFEST}: cannot read the manifest: {exc}") from exc
    datasets = manifest.get("datasets") if isinstance(manifest, dict) else None
    if not isinstance(datasets, list):
        raise SnapshotError(f"{snapshot_dir / MANIFEST}: no 'datasets' list")
    return datasets


def _files(dataset: dict[str, object]) -> Sequence[dict[str, object]]:
    files = dataset.get("files")
    if not isinstance(files, list):
        raise SnapshotError(f"snapshot dataset {dataset.get('name')!r}: no 'files' list")
    return files


def verify_snapshot(snapshot_dir: Path, dataset: dict[str, object]) -> None:
    """Raise SnapshotError unless every file of the dataset has the manifest's sha256."""
    for entry in _files(dataset):
        path = snapshot_dir / str(entry.get("path"))
        try:
            actual = _sha256(path.read_bytes())
        except OSError as exc:
            raise SnapshotError(f"{path}: missing from the snapshot ({exc})") from exc
        if actual != entry.get("sha256"):
            raise SnapshotError(
                f"{path}: sha256 {actual} is not the manifest's {entry.get('sha256')}"
            )


def dataset_digest(dataset: dict[str, object], version: str) -> str:
    """One checksum of a dataset's files and the importer version, to skip unchanged loads."""
    parts = [version, *(str(entry.get("sha256")) for entry in _files(dataset))]
    return _sha256("\n".join(parts).encode("utf-8"))


def main(argv: Sequence[str]) -> int:
    """Rebuild the snapshot: ``python -m modelatlas.ingest.snapshot DATA_DIR OUT_DIR``."""
    if len(argv) != 2:
        print("usage: python -m modelatlas.ingest.snapshot DATA_DIR OUT_DIR", file=sys.stderr)
        return 2
    manifest = build_snapshot(Path(argv[0]), Path(argv[1]))
    for dataset in manifest["datasets"]:  # type: ignore[attr-defined]
        total = sum(entry["bytes"] for entry in dataset["files"])
        print(f"{dataset['name']}: {len(dataset['files'])} files, {total} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
