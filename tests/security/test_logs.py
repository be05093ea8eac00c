"""Logs: one JSON line per request with a request id echoed in X-Request-Id; no key, password
or token in any log; user errors quiet, unexpected errors logged with their traceback."""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from modelatlas.api import create_app
from modelatlas.api.auth import Role, hash_key, new_key
from modelatlas.api.requestlog import JsonFormatter, redact
from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget
from modelatlas.graph import Graph

pytestmark = pytest.mark.anyio

KEYS = {role: new_key(role) for role in Role}
HEADERS = {role: {"authorization": f"Bearer {key}"} for role, (key, _entry) in KEYS.items()}
ENTRIES = [entry for _key, entry in KEYS.values()]
WRONG_KEY = "ma_WrongKeyThatMustNeverBeLogged_0123456789"
BASIC = base64.b64encode(b"admin:basic-auth-secret-pw").decode("ascii")

READ = "query Versions { about { serviceVersion } }"
UPSERT = 'mutation Add { upsertSource(input: {url: "https://example.org/logs"}) { key } }'
DELETE = 'mutation { deleteSource(url: "https://example.org/logs") { deletedNodes } }'


@pytest.fixture
def json_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The service's log output as the JSON formatter writes it, parsed line by line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.DEBUG)
    logger = logging.getLogger("modelatlas")
    logger.addHandler(handler)

    def lines() -> list[dict[str, Any]]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    try:
        yield lines
    finally:
        logger.removeHandler(handler)


@pytest.fixture
def make_client(make_client: Callable[..., httpx.AsyncClient]) -> Callable[..., httpx.AsyncClient]:
    """The shared client factory, with this module's API keys."""
    return lambda **overrides: make_client(**{"api_keys": ENTRIES, **overrides})


async def post(
    client: httpx.AsyncClient,
    query: str,
    headers: dict[str, str] | None = None,
    operation: str | None = None,
) -> httpx.Response:
    body: dict[str, Any] = {"query": query}
    if operation is not None:
        body["operationName"] = operation
    return await client.post("/graphql", json=body, headers=headers or {})


def requests_logged(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line.get("event") == "request"]


# --------------------------------------------------------------------------- request lines


async def test_one_json_line_per_request(
    make_client: Callable[..., httpx.AsyncClient],
    json_lines: Callable[[], list[dict[str, Any]]],
) -> None:
    client = make_client(
        max_body_bytes=2048, rate_limit_per_address=0.01, rate_limit_per_address_burst=5
    )
    named = await post(client, READ, {"x-request-id": "trace-123"}, operation="Versions")
    assert named.headers["x-request-id"] == "trace-123"
    await post(client, "{ models(first: 101) { totalCount } }")
    await post(client, "{ broken")
    await post(client, UPSERT)  # no key
    await post(client, UPSERT, HEADERS[Role.EDITOR])
    await client.get("/healthz")
    too_large = await client.post("/graphql", json={"query": READ, "variables": {"p": "x" * 4096}})
    assert too_large.status_code == 413
    limited = await post(client, READ)
    assert limited.status_code == 429

    logged = requests_logged(json_lines())
    assert len(logged) == 8
    first = logged[0]
    assert first["level"] == "INFO" and first["logger"] == "modelatlas.requests"
    assert {k: first[k] for k in ("method", "path", "status", "operation", "operation_type")} == {
        "method": "POST",
        "path": "/graphql",
        "status": 200,
        "operation": "Versions",
        "operation_type": "query",
    }
    assert first["request_id"] == "trace-123"
    assert first["client"] == "127.0.0.1"
    assert first["error_codes"] == []
    assert first["key_id"] is None
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    assert [line["error_codes"] for line in logged[1:]] == [
        ["BAD_USER_INPUT"],
        ["GRAPHQL_PARSE_FAILED"],
        ["UNAUTHENTICATED"],
        [],
        [],
        ["PAYLOAD_TOO_LARGE"],
        ["RATE_LIMITED"],
    ]
    assert [line["status"] for line in logged[1:]] == [200, 200, 401, 200, 200, 413, 429]
    write = logged[4]
    assert write["operation"] == "Add" and write["operation_type"] == "mutation"
    assert write["key_id"] == hash_key(KEYS[Role.EDITOR][0])[:12]
    assert logged[5]["path"] == "/healthz" and logged[5]["operation"] is None
    ids = [line["request_id"] for line in logged[1:]]
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 32 for i in ids)


async def test_a_planned_read_logs_like_any_other(
    make_client: Callable[..., httpx.AsyncClient],
    json_lines: Callable[[], list[dict[str, Any]]],
) -> None:
    client = make_client(api_keys=ENTRIES)
    lookup = 'query Find { model(slug: "nowhere") { slug } }'
    for _ in range(2):  # the first runs through strawberry, the second through its plan
        response = await post(client, lookup, HEADERS[Role.READER], operation="Find")
        assert response.json()["data"] == {"model": None}
    logged = requests_logged(json_lines())
    fields = ("status", "operation", "operation_type", "key_id", "error_codes")
    assert [{k: line[k] for k in fields} for line in logged] == 2 * [
        {
            "status": 200,
            "operation": "Find",
            "operation_type": "query",
            "key_id": hash_key(KEYS[Role.READER][0])[:12],
            "error_codes": [],
        }
    ]


async def test_only_a_sane_request_id_is_echoed(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    client = make_client()
    for supplied in ("abc-123", "0af7651916cd43dd8448eb211c80319c", "Root=1-5759e988:bd862e3f"):
        response = await post(client, READ, {"x-request-id": supplied})
        assert response.headers["x-request-id"] == supplied
    for insane in ("x" * 200, "has space", 'quote"d', "{json}"):
        response = await post(client, READ, {"x-request-id": insane})
        echoed = response.headers["x-request-id"]
        assert echoed != insane and len(echoed) == 32
    response = await client.get("/healthz")
    assert len(response.headers["x-request-id"]) == 32


# --------------------------------------------------------------------------- secrets


async def test_no_key_password_or_token_reaches_the_logs(
    graph: Graph,
    neo4j: Neo4jTarget,
    test_settings: Settings,
    caplog: pytest.LogCaptureFixture,
    json_lines: Callable[[], list[dict[str, Any]]],
) -> None:
    settings = Settings.model_validate(
        {
            **test_settings.model_dump(by_alias=True),
            "MODELATLAS_API_KEYS": ENTRIES,
            "NEO4J_URI": neo4j.uri,
            "NEO4J_USER": neo4j.user,
            "NEO4J_PASSWORD": neo4j.password,
        }
    )
    assert settings.neo4j_password is not None
    assert settings.neo4j_password.get_secret_value() == neo4j.password
    with (
        caplog.at_level(logging.DEBUG),
        caplog.at_level(logging.DEBUG, logger="modelatlas"),
        caplog.at_level(logging.DEBUG, logger="neo4j"),
    ):
        app = create_app(settings)  # its own driver, logging in with the password
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://atlas") as client:
            for role in Role:
                await post(client, READ, HEADERS[role])
                await post(client, UPSERT, HEADERS[role])
                await post(client, DELETE, HEADERS[role])
                await post(client, "{ broken", HEADERS[role])
                await client.get("/graphql", params={"query": READ}, headers=HEADERS[role])
            invalid = await post(client, UPSERT, {"authorization": f"Bearer {WRONG_KEY}"})
            assert invalid.status_code == 401
            await post(client, READ, {"authorization": f"Basic {BASIC}"})
            await post(client, READ, {"authorization": WRONG_KEY})
        await app.state.graph.driver.close()

    captured = caplog.text + "\n" + "\n".join(json.dumps(line) for line in json_lines())
    assert "POST /graphql" in captured  # the request lines were captured
    assert "HELLO" in captured or "LOGON" in captured  # and the driver's debug log too
    secrets = [key for key, _entry in KEYS.values()]
    secrets += [WRONG_KEY, BASIC, "basic-auth-secret-pw", neo4j.password]
    for secret in secrets:
        assert secret not in captured
    for record in caplog.records:  # nothing hides in a record's arguments either
        assert not any(secret in repr(record.args) for secret in secrets)


def test_the_formatter_masks_anything_shaped_like_a_secret() -> None:
    record = logging.LogRecord(
        "modelatlas.test",
        logging.WARNING,
        __file__,
        1,
        "got Authorization: Bearer abc.DEF-123 and password=hunter2 and %s",
        ("ma_AbCdEfGhIjKlMnOpQrStUv",),
        None,
    )
    line = JsonFormatter().format(record)
    for secret in ("abc.DEF-123", "hunter2", "ma_AbCdEfGhIjKlMnOpQrStUv"):
        assert secret not in line
    assert json.loads(line)["message"] == (
        "got Authorization: Bearer [redacted] and password=[redacted] and ma_[redacted]"
    )
    assert redact('{"credentials": "s3cret"}') == '{"credentials": "[redacted]"}'


# --------------------------------------------------------------------------- error logging


async def test_user_errors_are_quiet_and_internal_errors_keep_their_traceback(
    make_client: Callable[..., httpx.AsyncClient],
    caplog: pytest.LogCaptureFixture,
    json_lines: Callable[[], list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="modelatlas"):
        client = make_client()
        await post(client, "{ models(first: 101) { totalCount } }")
        await post(client, '{ leaderboard(benchmark: "no-such-benchmark") { totalCount } }')
        await post(client, "{ broken")
        await post(client, "{ nosuchfield }")
        await post(client, UPSERT)
        await post(client, UPSERT, HEADERS[Role.READER])
        user_errors = list(caplog.records)
        assert [r for r in user_errors if r.name.startswith("strawberry")] == []
        assert [r for r in user_errors if r.levelno >= logging.WARNING] == []
        quiet = [r for r in user_errors if r.name == "modelatlas.api.graphql"]
        assert quiet and all(r.levelno == logging.DEBUG and not r.exc_info for r in quiet)

        from modelatlas.graph import admin

        async def broken(graph: Graph) -> tuple[str, str, str]:
            raise RuntimeError("the resolver broke")

        monkeypatch.setattr(admin, "server_components", broken)
        caplog.clear()
        response = await post(client, READ)

    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["message"] == "Internal server error"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].name == "modelatlas.api.errors" and errors[0].exc_info
    assert error["extensions"]["reference"] in errors[0].getMessage()
    [logged] = [line for line in json_lines() if line["level"] == "ERROR"]
    assert "RuntimeError: the resolver broke" in logged["exception"]
    assert logged["request_id"] == response.headers["x-request-id"]
    assert requests_logged(json_lines())[-1]["error_codes"] == ["INTERNAL_SERVER_ERROR"]
