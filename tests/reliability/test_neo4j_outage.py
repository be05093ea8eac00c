"""Neo4j killed under a serving API: requests fail fast (well under the 10 s query timeout)
with SERVICE_UNAVAILABLE and /readyz says 503; Neo4j started again on the same port and data:
the API recovers by itself, with no restart, within seconds, and nothing written is lost.

The test runs its own Neo4j (the session's is shared) and the service as a real uvicorn
process on loopback, as deployed.
"""

from __future__ import annotations

import os
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from modelatlas.api.auth import Role, new_key
from modelatlas.config import Settings
from modelatlas.db.local import LocalNeo4j, free_port

EDITOR_KEY, EDITOR_ENTRY = new_key(Role.EDITOR)
EDITOR = {"authorization": f"Bearer {EDITOR_KEY}"}
READ = 'query Probe { organization(slug: "outage-lab") { slug name } }'
WRITE = """mutation Write($input: OrganizationInput!) {
  upsertOrganization(input: $input) { key created }
}"""
FAIL_FAST_S = 3.0
"""Every request during the outage must fail within this (the query timeout is 10 s)."""
RECOVER_S = 15.0
"""After Neo4j answers on Bolt again, the service must serve within this."""


def local_neo4j(home: Path, cache: Path, port: int = 0) -> LocalNeo4j:
    """A small local server for this test alone."""
    return LocalNeo4j(home, cache, port=port, heap="512m", pagecache="64m")


@pytest.fixture
def neo4j_home(tmp_path: Path) -> Path:
    """The server's home, with a password that neo4j-admin cannot mistake for an option
    (a generated one starting with "-" makes `set-initial-password` fail)."""
    home = tmp_path / "neo4j"
    (home / "run").mkdir(parents=True)
    secret = home / "run" / "password"
    secret.write_text(secrets.token_hex(16))
    secret.chmod(0o600)
    return home


@pytest.fixture
def service(
    neo4j_home: Path, tmp_path: Path, test_settings: Settings
) -> Iterator[tuple[LocalNeo4j, httpx.Client]]:
    """The test's Neo4j and a uvicorn process serving the app against it."""
    server = local_neo4j(neo4j_home, test_settings.cache_dir)
    info = server.start()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "MODELATLAS_"))}
    env.update(
        NEO4J_URI=info.uri,
        NEO4J_USER=info.user,
        NEO4J_PASSWORD=info.password,
        MODELATLAS_DATA_DIR=str(tmp_path / "data"),
        MODELATLAS_API_KEYS=EDITOR_ENTRY,
    )
    log = (tmp_path / "service.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "modelatlas.api.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            _wait_until(lambda: _ready(http), 60, "the service never became ready")
            yield server, http
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        local_neo4j(neo4j_home, test_settings.cache_dir).stop(timeout_s=0)  # disposable


def _ready(http: httpx.Client) -> bool:
    """Whether /readyz says ready (a refused connection is not ready)."""
    try:
        return http.get("/readyz").status_code == 200
    except httpx.TransportError:
        return False


def _wait_until(check: Callable[[], bool], timeout_s: float, message: str) -> float:
    """Poll `check` until it is true; returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if check():
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(message)


def _timed(
    http: httpx.Client, query: str, variables: dict[str, Any] | None = None
) -> tuple[float, httpx.Response]:
    """POST one operation with the editor key: (seconds it took, response)."""
    started = time.monotonic()
    response = http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=EDITOR
    )
    return time.monotonic() - started, response


def _codes(response: httpx.Response) -> set[str]:
    """The error codes of a GraphQL response."""
    return {e["extensions"]["code"] for e in response.json().get("errors") or []}


def test_neo4j_outage_fails_fast_then_recovers_without_a_restart(
    service: tuple[LocalNeo4j, httpx.Client], neo4j_home: Path, test_settings: Settings
) -> None:
    server, http = service
    written = _timed(http, WRITE, {"input": {"name": "Outage Lab", "country": "FR"}})[1]
    assert written.json()["data"]["upsertOrganization"] == {"key": "outage-lab", "created": True}
    info = server.info()
    assert info is not None

    assert server.stop(timeout_s=0)  # killed, as in a crash (a clean stop takes ~10 s more)

    # Reads and writes, one after another and eight at a time: each fails fast, with a code.
    durations = []
    for _ in range(2):
        for query, variables in ((READ, None), (WRITE, {"input": {"name": "Lost Lab"}})):
            took, response = _timed(http, query, variables)
            assert response.status_code == 200, response.text
            assert _codes(response) == {"SERVICE_UNAVAILABLE"}, response.text
            assert "Neo." not in response.text
            durations.append(took)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: _timed(http, READ), range(16)))
    assert all(_codes(r) == {"SERVICE_UNAVAILABLE"} for _, r in results)
    durations += [took for took, _ in results]
    assert max(durations) < FAIL_FAST_S, durations
    started = time.monotonic()
    ready = http.get("/readyz")
    assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
    assert time.monotonic() - started < FAIL_FAST_S
    assert http.get("/healthz").status_code == 200  # the process itself is fine
    print(
        f"\noutage: {len(durations)} requests failed in median "
        f"{statistics.median(durations):.2f} s, max {max(durations):.2f} s"
    )

    local_neo4j(neo4j_home, test_settings.cache_dir, port=info.port).start()

    def serving() -> bool:
        response = _timed(http, READ)[1]
        return not response.json().get("errors")

    recovered = _wait_until(serving, RECOVER_S, "the service did not recover by itself")
    print(f"recovered {recovered:.2f} s after Neo4j answered again")
    assert _ready(http)
    body = _timed(http, READ)[1].json()
    assert body["data"]["organization"] == {"slug": "outage-lab", "name": "Outage Lab"}
    again = _timed(http, WRITE, {"input": {"name": "After Lab"}})[1]
    assert again.json()["data"]["upsertOrganization"]["created"] is True
    lost = _timed(http, 'query { organization(slug: "lost-lab") { slug } }')[1]
    assert lost.json()["data"]["organization"] is None  # refused writes left nothing behind
