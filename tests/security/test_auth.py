"""API keys: mutations need a key with the right role, reads can be made to need one, keys are
stored hashed, compared in constant time, and never logged."""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
from collections.abc import Callable

import httpx
import pytest
from pydantic import ValidationError

from modelatlas.api.auth import KeyRing, Principal, Role, hash_key, new_key
from modelatlas.config import Settings
from modelatlas.graph import Graph
from modelatlas.graph.admin import fingerprint

pytestmark = pytest.mark.anyio

KEYS = {role: new_key(role) for role in Role}
HEADERS = {role: {"authorization": f"Bearer {key}"} for role, (key, _entry) in KEYS.items()}
ENTRIES = [entry for _key, entry in KEYS.values()]

UPSERT = 'mutation { upsertSource(input: {url: "https://example.org/auth"}) { key created } }'
DELETE = 'mutation { deleteSource(url: "https://example.org/auth") { deletedNodes } }'
READ = "{ about { neo4jEdition } }"


@pytest.fixture
def make_client(make_client: Callable[..., httpx.AsyncClient]) -> Callable[..., httpx.AsyncClient]:
    """The shared client factory, with this module's API keys."""
    return lambda **overrides: make_client(**{"api_keys": ENTRIES, **overrides})


@pytest.fixture
def client(make_client: Callable[..., httpx.AsyncClient]) -> httpx.AsyncClient:
    return make_client()


async def post(
    client: httpx.AsyncClient, query: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await client.post("/graphql", json={"query": query}, headers=headers or {})


def codes(response: httpx.Response) -> set[str]:
    return {e["extensions"]["code"] for e in response.json().get("errors", [])}


async def test_a_mutation_without_a_key_is_unauthenticated(
    client: httpx.AsyncClient, graph: Graph
) -> None:
    before = await fingerprint(graph)
    response = await post(client, UPSERT)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert codes(response) == {"UNAUTHENTICATED"}
    assert "data" not in response.json()
    assert await fingerprint(graph) == before


@pytest.mark.parametrize(
    "authorization",
    ["Bearer ma_not-a-key", "Basic dXNlcjpwYXNz", "Bearer", f"Token {KEYS[Role.ADMIN][0]}"],
)
async def test_an_invalid_key_is_refused_even_for_reads(
    client: httpx.AsyncClient, authorization: str
) -> None:
    for query in (UPSERT, READ):
        response = await post(client, query, {"authorization": authorization})
        assert response.status_code == 401
        assert codes(response) == {"UNAUTHENTICATED"}


async def test_a_reader_may_not_write(client: httpx.AsyncClient, graph: Graph) -> None:
    before = await fingerprint(graph)
    response = await post(client, UPSERT, HEADERS[Role.READER])
    assert response.status_code == 200
    assert codes(response) == {"FORBIDDEN"}
    error = response.json()["errors"][0]
    assert error["path"] == ["upsertSource"]
    assert error["extensions"]["requiredRole"] == "editor"
    assert await fingerprint(graph) == before


async def test_an_editor_upserts_but_only_an_admin_deletes(
    client: httpx.AsyncClient, graph: Graph
) -> None:
    created = await post(client, UPSERT, HEADERS[Role.EDITOR])
    assert created.json()["data"]["upsertSource"] == {
        "key": "https://example.org/auth",
        "created": True,
    }
    refused = await post(client, DELETE, HEADERS[Role.EDITOR])
    assert codes(refused) == {"FORBIDDEN"}
    assert refused.json()["errors"][0]["extensions"]["requiredRole"] == "admin"
    deleted = await post(client, DELETE, HEADERS[Role.ADMIN])
    assert deleted.json()["data"]["deleteSource"] == {"deletedNodes": 1}
    again = await post(client, UPSERT, HEADERS[Role.ADMIN])  # admin includes editor
    assert again.json()["data"]["upsertSource"]["created"] is True


async def test_reads_are_public_by_default(client: httpx.AsyncClient) -> None:
    response = await post(client, READ)
    assert response.status_code == 200
    assert response.json()["data"]["about"]["neo4jEdition"] == "community"


async def test_reads_can_require_a_key(make_client: Callable[..., httpx.AsyncClient]) -> None:
    client = make_client(require_key_for_reads=True)
    anonymous = await post(client, READ)
    assert anonymous.status_code == 401
    assert codes(anonymous) == {"UNAUTHENTICATED"}
    reader = await post(client, READ, HEADERS[Role.READER])
    assert reader.status_code == 200
    assert reader.json()["data"]["about"]["neo4jEdition"] == "community"
    get = await client.get(
        "/graphql", params={"query": READ}, headers={"accept": "application/json"}
    )
    assert get.status_code == 401


async def test_no_keys_configured_means_no_writes(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    client = make_client(api_keys=[])
    response = await post(client, UPSERT, HEADERS[Role.ADMIN])
    assert response.status_code == 401
    assert codes(response) == {"UNAUTHENTICATED"}


async def test_keys_never_reach_the_logs(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        for role in Role:
            await post(client, UPSERT, HEADERS[role])
            await post(client, DELETE, HEADERS[role])
            await post(client, "{ broken", HEADERS[role])
        await post(client, READ, {"authorization": "Bearer ma_wrong-key-value"})
    for key, _entry in KEYS.values():
        assert key not in caplog.text
    assert "ma_wrong-key-value" not in caplog.text


def test_key_ring_matches_only_the_hashed_keys() -> None:
    ring = KeyRing(ENTRIES)
    assert len(ring) == 3
    for role, (key, _entry) in KEYS.items():
        principal = ring.authenticate(f"Bearer {key}")
        assert principal.role is role and not principal.rejected
        assert principal.key_id == hash_key(key)[:12]
        assert ring.authenticate(f"bearer   {key}  ").role is role
    assert ring.authenticate(None) == Principal()
    assert ring.authenticate("") == Principal()
    assert ring.authenticate(f"Bearer {KEYS[Role.ADMIN][0]}x").rejected
    assert ring.authenticate(f"Bearer {hash_key(KEYS[Role.ADMIN][0])}").rejected


def test_roles_include_the_ones_below() -> None:
    assert Role.ADMIN.allows(Role.EDITOR) and Role.ADMIN.allows(Role.READER)
    assert Role.EDITOR.allows(Role.READER) and not Role.EDITOR.allows(Role.ADMIN)
    assert not Role.READER.allows(Role.EDITOR)


def test_settings_take_comma_separated_entries_and_refuse_malformed_ones() -> None:
    editor, admin = KEYS[Role.EDITOR][1], KEYS[Role.ADMIN][1]
    settings = Settings(MODELATLAS_API_KEYS=f" {editor},\n{admin.upper()} ")
    assert settings.api_keys == [editor, admin]
    for bad in ("editor:abc", "owner:" + "0" * 64, "0" * 64, "editor:" + "g" * 64):
        with pytest.raises(ValidationError):
            Settings(MODELATLAS_API_KEYS=bad)


def test_keygen_prints_a_key_and_its_hash(
    cli: Callable[..., subprocess.CompletedProcess[str]], neo4j_env: dict[str, str]
) -> None:
    result = cli("keygen", "--role", "admin", "--json", env=neo4j_env)
    assert result.returncode == 0, result.stderr
    made = json.loads(result.stdout)
    assert made["role"] == "admin"
    assert made["entry"] == "admin:" + hashlib.sha256(made["key"].encode()).hexdigest()
    assert KeyRing([made["entry"]]).authenticate(f"Bearer {made['key']}").role is Role.ADMIN
    text = cli("keygen", "--role", "reader", env=neo4j_env)
    assert text.returncode == 0 and "MODELATLAS_API_KEYS=reader:" in text.stdout
    bad = cli("keygen", "--role", "root", env=neo4j_env)
    assert bad.returncode == 2 and "unknown role" in bad.stderr
