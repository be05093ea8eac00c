"""Helpers for posting GraphQL in tests (importable as `gqlclient` from tests in this folder)."""

from __future__ import annotations

from typing import Any

import httpx


class GraphQLFailed(AssertionError):
    """A query answered with errors where none were expected."""


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    path: str = "/graphql",
) -> dict[str, Any]:
    """POST a query and return its data, failing the test on any error."""
    response = await client.post(path, json={"query": query, "variables": variables or {}})
    body = response.json()
    if body.get("errors"):
        raise GraphQLFailed(body["errors"])
    assert response.status_code == 200, body
    data: dict[str, Any] = body["data"]
    return data


async def gql_errors(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """POST a query that must fail and return its errors."""
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
    errors: list[dict[str, Any]] = response.json().get("errors") or []
    assert errors, response.json()
    return errors


def nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    """The nodes of a connection, in order."""
    return [edge["node"] for edge in connection["edges"]]
