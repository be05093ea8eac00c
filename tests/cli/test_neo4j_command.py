"""The local-Neo4j commands: clear errors that say what to do, and NEO4J_URI wins over local."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import pytest

from modelatlas.config import Settings
from modelatlas.db.local import NEO4J_VERSION, LocalNeo4j, LocalNeo4jError
from support import CliRunner


def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "MODELATLAS_"))}
    env["MODELATLAS_DATA_DIR"] = str(tmp_path / "data")
    return env


def test_help_reads_well(cli: CliRunner) -> None:
    proc = cli("--help", env=dict(os.environ))
    assert proc.returncode == 0
    for command in ("serve", "migrate", "neo4j"):
        assert command in proc.stdout


def test_missing_java_says_what_to_do(cli: CliRunner, tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    env["PATH"] = str(Path(sys.executable).parent)  # python only: no java, no mvn
    env.pop("JAVA_HOME", None)
    proc = cli("neo4j", "start", env=env)
    assert proc.returncode == 1
    assert "Java 17 or newer is needed" in proc.stderr
    assert "NEO4J_URI" in proc.stderr
    assert not (tmp_path / "data" / "neo4j" / "run" / "server.json").exists()


def test_busy_port_says_what_to_do(cli: CliRunner, tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = clean_env(tmp_path) | {"MODELATLAS_NEO4J_BOLT_PORT": str(port)}
        proc = cli("neo4j", "start", env=env)
    assert proc.returncode == 1
    assert f"Port {port} on 127.0.0.1 is busy" in proc.stderr
    assert "MODELATLAS_NEO4J_BOLT_PORT" in proc.stderr and "NEO4J_URI" in proc.stderr


def test_corrupt_cache_says_what_to_do(cli: CliRunner, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    dist = cache / f"neo4j-{NEO4J_VERSION}"
    (dist / "lib").mkdir(parents=True)
    (dist / "lib" / f"neo4j-{NEO4J_VERSION}.jar").write_bytes(b"not a jar")
    (dist / "manifest.json").write_text(json.dumps({"jars": {f"neo4j-{NEO4J_VERSION}.jar": 9}}))
    env = clean_env(tmp_path) | {"MODELATLAS_CACHE_DIR": str(cache)}
    proc = cli("neo4j", "start", env=env)
    assert proc.returncode == 1
    assert "is corrupt" in proc.stderr and "not a valid jar" in proc.stderr
    assert "modelatlas neo4j provision --force" in proc.stderr


def test_server_that_dies_on_start_shows_its_log(cli: CliRunner, tmp_path: Path) -> None:
    # 16 MB of heap is too little for Neo4j to start: the JVM runs, the server dies.
    server = LocalNeo4j(tmp_path / "home", Settings().cache_dir, heap="16m", pagecache="8m")
    with pytest.raises(LocalNeo4jError) as failure:
        server.start()
    message = str(failure.value)
    assert "exited during start" in message
    # The tail of the server's own log is in the message. What the JVM prints when it dies
    # differs between machines (OutOfMemoryError here, another error on a CI runner), so
    # the test compares with the log itself rather than with one expected line.
    log_lines = [
        line
        for line in (server.home / "logs" / "console.log").read_text().splitlines()
        if line.strip()
    ]
    assert log_lines, "the server wrote nothing to its console log"
    assert log_lines[-1] in message
    assert "NEO4J_URI" in message
    assert server.info() is None


def test_status_when_not_running(cli: CliRunner, tmp_path: Path) -> None:
    proc = cli("neo4j", "status", env=clean_env(tmp_path))
    assert proc.returncode == 3
    assert "not running" in proc.stdout


def test_neo4j_uri_set_starts_no_local_server(cli: CliRunner, neo4j_env: dict[str, str]) -> None:
    data = Path(neo4j_env["MODELATLAS_DATA_DIR"])
    before = _java_servers()
    proc = cli("migrate", env=neo4j_env)
    assert proc.returncode == 0, proc.stderr
    assert "Schema up to date" in proc.stdout
    assert _java_servers() == before
    assert not (data / "neo4j").exists()
    status = cli("neo4j", "status", env=neo4j_env)
    assert status.returncode == 0 and "NEO4J_URI is set" in status.stdout
    refused = cli("neo4j", "start", env=neo4j_env)
    assert refused.returncode == 1 and "no local Neo4j is started" in refused.stderr


def _java_servers() -> set[int]:
    """PIDs of every Neo4j server process on the machine."""
    pids = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if b"CommunityEntryPoint" in (proc / "cmdline").read_bytes():
                    pids.add(int(proc.name))
            except OSError:
                continue
    return pids
