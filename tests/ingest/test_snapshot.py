"""The packaged snapshot: trimmed copies that parse exactly like the public files."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from modelatlas.ingest.epoch_benchmarks import parse_epoch_benchmarks
from modelatlas.ingest.epoch_models import parse_epoch_models
from modelatlas.ingest.snapshot import (
    DATASETS,
    SnapshotError,
    build_snapshot,
    read_manifest,
    verify_snapshot,
)
from modelatlas.resources import resource_dir
from support import SHARED_DATA

SNAPSHOT = resource_dir("seed") / "snapshot"
PROSE = ("Abstract", "Notes", "Training compute notes", "Parameters notes", "Description")


def test_manifest_lists_every_dataset_with_origin_licence_and_checksums() -> None:
    datasets = read_manifest(SNAPSHOT)
    assert [d["name"] for d in datasets] == [spec.name for spec in DATASETS]
    for dataset in datasets:
        assert dataset["licence"] in {"CC BY 4.0", "Apache-2.0"}
        assert str(dataset["origin"]).startswith("https://")
        assert dataset["files"]
        for entry in dataset["files"]:  # type: ignore[union-attr]
            assert len(entry["sha256"]) == 64 and len(entry["original_sha256"]) == 64
            assert not set(entry["columns"]) & set(PROSE), entry["path"]
        verify_snapshot(SNAPSHOT, dataset)


def test_snapshot_files_hold_only_the_manifest_columns() -> None:
    for dataset in read_manifest(SNAPSHOT):
        for entry in dataset["files"]:  # type: ignore[union-attr]
            with gzip.open(SNAPSHOT / entry["path"], "rt", encoding="utf-8") as handle:
                header = handle.readline().rstrip("\n").split(",")
            assert len(header) == len(entry["columns"])


def test_a_changed_file_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "snapshot"
    shutil.copytree(SNAPSHOT, copy)
    dataset = read_manifest(copy)[0]
    target = copy / dataset["files"][0]["path"]  # type: ignore[index]
    target.write_bytes(target.read_bytes()[:-10])
    with pytest.raises(SnapshotError, match="is not the manifest's"):
        verify_snapshot(copy, dataset)
    target.unlink()
    with pytest.raises(SnapshotError, match="missing from the snapshot"):
        verify_snapshot(copy, dataset)


def test_a_missing_manifest_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="cannot read the manifest"):
        read_manifest(tmp_path)


@pytest.mark.shared_data
def test_snapshot_is_rebuilt_byte_for_byte_from_the_public_files(tmp_path: Path) -> None:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data is absent: {SHARED_DATA} not found")
    build_snapshot(SHARED_DATA, tmp_path)
    assert (tmp_path / "manifest.json").read_bytes() == (SNAPSHOT / "manifest.json").read_bytes()


@pytest.mark.shared_data
def test_trimmed_files_parse_to_the_same_records_as_the_public_files() -> None:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data is absent: {SHARED_DATA} not found")
    for spec in DATASETS:
        if spec.kind == "epoch-models":
            (name,) = spec.files
            full = parse_epoch_models(SHARED_DATA / spec.folder / name)
            trimmed = parse_epoch_models(SNAPSHOT / spec.name / f"{name}.gz")
        elif spec.kind == "epoch-benchmarks":
            full = parse_epoch_benchmarks(SHARED_DATA / spec.folder)
            trimmed = parse_epoch_benchmarks(SNAPSHOT / spec.name)
        else:
            continue
        assert trimmed.dataset == full.dataset, spec.name
        assert trimmed.report.rows_read == full.report.rows_read, spec.name
