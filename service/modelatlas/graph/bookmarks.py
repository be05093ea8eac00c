"""Causal chaining across requests: the opaque token a write's bookmarks travel in.

A write returns the bookmark of its transactions as an opaque token; a client that passes the
token back gets reads that see that write, even on another API replica against a cluster
(`Graph.with_bookmarks` chains a graph's work after them; `Graph.bookmark` makes the token).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable

from neo4j import Bookmarks

from modelatlas.errors import InvalidInput


class InvalidBookmarkError(InvalidInput):
    """A token that this service did not make."""


def encode_bookmarks(bookmarks: Bookmarks | Iterable[str]) -> str:
    """The opaque, URL-safe token for a set of Neo4j bookmarks ("" when there are none)."""
    values = sorted(bookmarks.raw_values if isinstance(bookmarks, Bookmarks) else bookmarks)
    if not values:
        return ""
    raw = json.dumps(values, separators=(",", ":")).encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_bookmarks(token: str) -> Bookmarks:
    """The bookmarks a token stands for; raises InvalidBookmarkError for anything else."""
    token = token.strip()
    if not token:
        return Bookmarks.from_raw_values(())
    if len(token) > 8192:
        raise InvalidBookmarkError("the bookmark is too long")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise InvalidBookmarkError("the bookmark is not one this service issued") from exc
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise InvalidBookmarkError("the bookmark is not one this service issued")
    try:
        return Bookmarks.from_raw_values(values)
    except ValueError as exc:
        raise InvalidBookmarkError("the bookmark is not one this service issued") from exc
