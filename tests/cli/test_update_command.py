"""`modelatlas update`: fetch from a mirror, verify every file before any write, import, report."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import json
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelatlas.graph import Graph
from modelatlas.graph.admin import fingerprint
from modelatlas.ingest.default_graph import snapshot_dir
from modelatlas.ingest.update import LIVE_SOURCES, NOT_UPDATED, UpdateError, fetch_updates
from support import CliRunner

pytestmark = pytest.mark.anyio

SNAPSHOT = snapshot_dir()


def _gunzipped(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


def _build_mirror(folder: Path) -> None:
    """The publishers' three downloads, rebuilt from the packaged snapshot."""
    folder.mkdir(parents=True)
    notable = SNAPSHOT / "epoch-notable-models" / "notable_ai_models.csv.gz"
    (folder / "notable_ai_models.csv").write_bytes(_gunzipped(notable))
    with zipfile.ZipFile(folder / "ai_models.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("frontier", "large-scale"):
            source = next((SNAPSHOT / f"epoch-{name}-models").glob("*.csv.gz"))
            archive.writestr(source.name.removesuffix(".gz"), _gunzipped(source))
    with zipfile.ZipFile(folder / "benchmark_data.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for source in sorted((SNAPSHOT / "epoch-benchmarking-hub").glob("*.csv.gz")):
            archive.writestr(source.name.removesuffix(".gz"), _gunzipped(source))
        # as in Epoch's zip: model-fitting data in a subfolder, not results
        archive.writestr("additional_eci_data/eci_scaling.csv", "a,b\n1,2\n")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that refuses an oversized body hangs up mid-response


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A real HTTP server on loopback over a folder; each test serves a copy of the good files."""
    root = tmp_path_factory.mktemp("mirror")
    _build_mirror(root / "good")
    handler = functools.partial(_Quiet, directory=str(root))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _variant(mirror: tuple[str, Path], name: str) -> tuple[str, Path]:
    """A copy of the good files under their own URL, to break one of them."""
    url, root = mirror
    shutil.copytree(root / "good", root / name)
    return f"{url}/{name}/", root / name


async def _count(graph: Graph, label: str) -> int:
    rows = await graph.read(f"MATCH (n:{label}) RETURN count(n) AS n")
    return int(rows[0]["n"])


async def test_update_imports_from_the_mirror_then_writes_nothing_again(
    cli: CliRunner, graph: Graph, neo4j_env: dict[str, str], mirror: tuple[str, Path]
) -> None:
    url = f"{mirror[0]}/good"
    first = cli("update", "--from", url, env=neo4j_env)
    assert first.returncode == 0, first.stderr
    for name in [*LIVE_SOURCES, *NOT_UPDATED]:
        assert name in first.stdout
    assert "left as it is" in first.stdout
    notable = (mirror[1] / "good" / "notable_ai_models.csv").read_bytes()
    assert f"{url}/notable_ai_models.csv" in first.stdout
    assert f"sha256 {hashlib.sha256(notable).hexdigest()}" in first.stdout
    assert await _count(graph, "Model") > 1500
    assert await _count(graph, "Result") > 3000
    after_first = await fingerprint(graph)

    second = cli("update", "--from", url, "--json", env=neo4j_env)
    assert second.returncode == 0, second.stderr
    report = json.loads(second.stdout)
    assert [d["name"] for d in report["datasets"]] == list(LIVE_SOURCES)
    for dataset in report["datasets"]:
        assert dataset["created"] == 0 and dataset["updated"] == 0, dataset["name"]
        assert len(dataset["sha256"]) == 64 and dataset["rowsRead"] > 0
    hub = report["datasets"][-1]
    assert hub["url"] == f"{url}/benchmark_data.zip"
    assert "eci_scaling.csv" not in {f["name"] for f in hub["files"]}
    assert {d["name"] for d in report["notUpdated"]} == set(NOT_UPDATED)
    assert report["changes"] == 0
    assert await fingerprint(graph) == after_first


async def _refused(
    cli: CliRunner, graph: Graph, env: dict[str, str], args: list[str], *messages: str
) -> None:
    """`modelatlas update ARGS` exits 2 with each message on stderr and writes nothing."""
    before = await fingerprint(graph)
    proc = cli("update", *args, env=env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    for message in (*messages, "the graph is unchanged"):
        assert message in proc.stderr, proc.stderr
    assert await fingerprint(graph) == before


async def test_a_truncated_csv_is_refused_before_any_write(
    cli: CliRunner, graph: Graph, neo4j_env: dict[str, str], mirror: tuple[str, Path]
) -> None:
    url, folder = _variant(mirror, "truncated")
    notable = folder / "notable_ai_models.csv"
    notable.write_text(
        "".join(notable.read_text(encoding="utf-8").splitlines(keepends=True)[:20]),
        encoding="utf-8",
    )
    await _refused(
        cli,
        graph,
        neo4j_env,
        ["--from", url],
        "epoch-notable-models: notable_ai_models.csv has",
        "truncated",
    )


async def test_a_renamed_column_is_refused_naming_it(
    cli: CliRunner, graph: Graph, neo4j_env: dict[str, str], mirror: tuple[str, Path]
) -> None:
    url, folder = _variant(mirror, "renamed")
    archive = folder / "ai_models.zip"
    with zipfile.ZipFile(archive) as old:
        entries = {name: old.read(name) for name in old.namelist()}
    header, rest = entries["large_scale_ai_models.csv"].split(b"\n", 1)
    entries["large_scale_ai_models.csv"] = header.replace(b"Organization", b"Org") + b"\n" + rest
    with zipfile.ZipFile(archive, "w") as new:
        for name, data in entries.items():
            new.writestr(name, data)
    await _refused(
        cli,
        graph,
        neo4j_env,
        ["--from", url],
        "epoch-large-scale-models: large_scale_ai_models.csv (in ai_models.zip) "
        "is missing columns: Organization",
    )


async def test_a_missing_download_is_refused(
    cli: CliRunner, graph: Graph, neo4j_env: dict[str, str], mirror: tuple[str, Path]
) -> None:
    url, folder = _variant(mirror, "missing")
    (folder / "benchmark_data.zip").unlink()
    env = {**neo4j_env, "MODELATLAS_UPDATE_URL": url}
    await _refused(cli, graph, env, [], f"{url}benchmark_data.zip: HTTP 404")


def test_a_zip_without_a_needed_entry_or_over_the_cap_is_refused(
    mirror: tuple[str, Path], tmp_path: Path
) -> None:
    url, folder = _variant(mirror, "no-entry")
    with zipfile.ZipFile(folder / "ai_models.zip", "w") as archive:
        archive.writestr("notable_ai_models.csv", "Model\nx\n")
    with pytest.raises(UpdateError, match=r"ai_models\.zip has no entry frontier_ai_models\.csv"):
        fetch_updates(url, tmp_path / "a")
    with pytest.raises(UpdateError, match=r"more than the 1000 bytes allowed"):
        fetch_updates(url, tmp_path / "b", max_bytes=1000)
