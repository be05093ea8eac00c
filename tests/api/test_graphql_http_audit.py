"""The GraphQL-over-HTTP conformance audit (npm `graphql-http`) against the running service.

The service runs under uvicorn on a free loopback port; graphql-http is installed once with npm
into the user's cache (``$XDG_CACHE_HOME/modelatlas/node/graphql-http-<version>``), never into
the repository. Every MUST audit has to pass; SHOULD and MAY results are printed.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from modelatlas.api.http import negotiate
from modelatlas.config import Settings

GRAPHQL_HTTP = "1.23.1"
GRAPHQL_JS = "16.15.0"
SCRIPT = Path(__file__).with_name("graphql_http_audit.mjs")


def node_prefix(settings: Settings) -> Path:
    """graphql-http installed (once) in the cache folder; the path that holds node_modules."""
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("Node.js and npm are needed for the graphql-http audit")
    prefix = settings.cache_dir / "node" / f"graphql-http-{GRAPHQL_HTTP}"
    if not (prefix / "node_modules" / "graphql-http" / "package.json").exists():
        prefix.mkdir(parents=True, exist_ok=True)
        (prefix / "package.json").write_text(
            json.dumps({"private": True, "name": "modelatlas-graphql-http-audit"}) + "\n"
        )
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(prefix),
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                f"graphql-http@{GRAPHQL_HTTP}",
                f"graphql@{GRAPHQL_JS}",
            ],
            check=True,
            timeout=300,
            capture_output=True,
        )
    return prefix


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(neo4j_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """The real service under uvicorn, ready, on loopback; yields its GraphQL URL."""
    port = free_port()
    log = (tmp_path / "uvicorn.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "modelatlas.api:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=neo4j_env,
        cwd=tmp_path,  # no stray .env
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"uvicorn exited: {(tmp_path / 'uvicorn.log').read_text()}")
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the service did not become ready within 60 s")
            time.sleep(0.2)
        yield f"{base}/graphql"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_every_must_audit_passes(
    server: str, test_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = node_prefix(test_settings)
    ran = subprocess.run(
        ["node", str(SCRIPT), server, str(prefix)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert ran.returncode == 0, ran.stderr
    results: list[dict[str, Any]] = json.loads(ran.stdout)
    assert len(results) > 40

    by_level: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        by_level.setdefault(result["level"], []).append(result)
    lines = ["graphql-http audit:"]
    for level in ("MUST", "SHOULD", "MAY"):
        entries = by_level.get(level, [])
        passed = sum(1 for r in entries if r["status"] == "ok")
        lines.append(f"  {level}: {passed}/{len(entries)} pass")
        lines += [
            f"    not passed {r['id']} {r['name']}: {r['reason']} (HTTP {r['httpStatus']})"
            for r in entries
            if r["status"] != "ok"
        ]
    with capsys.disabled():
        print("\n" + "\n".join(lines))

    failed_musts = [r for r in by_level.get("MUST", []) if r["status"] != "ok"]
    assert not failed_musts, failed_musts
    # Everything the service chose to do beyond the MUSTs stays done.
    failed_shoulds = [r for r in by_level.get("SHOULD", []) if r["status"] != "ok"]
    assert not failed_shoulds, failed_shoulds


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        ("application/graphql-response+json", "application/graphql-response+json"),
        (
            "application/graphql-response+json, application/json;q=0.9",
            "application/graphql-response+json",
        ),
        ("application/json, application/graphql-response+json;q=0.5", "application/json"),
        ("application/graphql-response+json;q=0", "application/json"),
        ("text/html", "application/json"),
    ],
)
def test_media_type_negotiation(accept: str | None, media: str) -> None:
    assert negotiate(accept) == media
