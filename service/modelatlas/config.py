"""Settings in one place, from the environment and a `.env` file, so every entry point agrees."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_API_KEY_ENTRY = re.compile(r"(reader|editor|admin):[0-9a-f]{64}")
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+")


def _user_dir(env: str, fallback: str) -> Path:
    """Follow the XDG base-directory convention so data and caches land where users expect."""
    base = os.environ.get(env)
    return (Path(base) if base else Path.home() / fallback) / "modelatlas"


class Settings(BaseSettings):
    """Everything configurable; unprefixed NEO4J_* names match Neo4j's own tooling."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    # Neo4j connection. With neo4j_uri unset the project runs its own local server.
    neo4j_uri: str | None = Field(default=None, alias="NEO4J_URI")
    neo4j_user: str = Field(default="neo4j", alias="NEO4J_USER")
    neo4j_password: SecretStr | None = Field(default=None, alias="NEO4J_PASSWORD")
    neo4j_database: str = Field(default="neo4j", alias="NEO4J_DATABASE")
    neo4j_pool_size: int = Field(default=50, ge=1, le=1000, alias="NEO4J_POOL_SIZE")
    neo4j_connection_timeout_s: float = Field(default=5.0, gt=0, alias="NEO4J_CONNECTION_TIMEOUT_S")
    # How long the driver keeps retrying a failed transaction (transient errors, a lost
    # connection, a server down). Short, so a dead server fails requests in about a second
    # (one retry after ~1 s); raise it (e.g. 10) against a cluster to ride out elections.
    neo4j_max_retry_time_s: float = Field(default=0.75, ge=0, alias="NEO4J_MAX_RETRY_TIME_S")

    # The local Neo4j the project provisions and starts itself.
    data_dir: Path = Field(
        default_factory=lambda: _user_dir("XDG_DATA_HOME", ".local/share"),
        alias="MODELATLAS_DATA_DIR",
    )
    cache_dir: Path = Field(
        default_factory=lambda: _user_dir("XDG_CACHE_HOME", ".cache"),
        alias="MODELATLAS_CACHE_DIR",
    )
    local_bolt_port: int = Field(default=0, ge=0, le=65535, alias="MODELATLAS_NEO4J_BOLT_PORT")
    local_heap: str = Field(default="1g", pattern=r"^\d+[kmg]$", alias="MODELATLAS_NEO4J_HEAP")
    local_pagecache: str = Field(
        default="512m", pattern=r"^\d+[kmg]$", alias="MODELATLAS_NEO4J_PAGECACHE"
    )
    local_start_timeout_s: float = Field(
        default=120.0, gt=0, alias="MODELATLAS_NEO4J_START_TIMEOUT_S"
    )

    # The HTTP service.
    host: str = Field(default="127.0.0.1", alias="MODELATLAS_HOST")
    port: int = Field(default=8000, ge=1, le=65535, alias="MODELATLAS_PORT")
    graphiql: bool = Field(default=True, alias="MODELATLAS_GRAPHIQL")
    metrics: bool = Field(default=True, alias="MODELATLAS_METRICS")
    compiled_reads: bool = Field(default=True, alias="MODELATLAS_COMPILED_READS")
    """Answer plain read documents by a plan made on their first run (api/compiled.py); off,
    every request runs through strawberry's per-field execution (slower, same answers)."""
    gc_tuning: bool = Field(default=True, alias="MODELATLAS_GC_TUNING")
    """`modelatlas serve` only: once started, move what startup built out of the collector's
    reach and sweep young objects every 20,000 allocations instead of 700 (p99 under load
    about a third, docs/performance.md); embedders keep their own collector settings."""
    article_fetch_private: bool = Field(default=False, alias="MODELATLAS_ARTICLE_FETCH_PRIVATE")
    """Let ingestArticle(url:) fetch loopback and private addresses (off: the service must not
    be made to read its own network)."""

    # Access. Keys are stored as SHA-256 hashes, `role:hex` entries, comma-separated
    # (`modelatlas keygen --role editor` makes one); roles are reader, editor and admin.
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="MODELATLAS_API_KEYS"
    )
    require_key_for_reads: bool = Field(default=False, alias="MODELATLAS_REQUIRE_KEY_FOR_READS")
    max_mutation_batch: int = Field(
        default=500, ge=1, le=100_000, alias="MODELATLAS_MAX_MUTATION_BATCH"
    )

    # Production mode turns GraphiQL and introspection off (MODELATLAS_ENV=production or
    # MODELATLAS_PRODUCTION=true). Browsers may call the API only from MODELATLAS_CORS_ORIGINS
    # (comma-separated origins such as https://atlas.example.org; none by default).
    env: str = Field(default="development", alias="MODELATLAS_ENV")
    production: bool = Field(default=False, alias="MODELATLAS_PRODUCTION")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="MODELATLAS_CORS_ORIGINS"
    )

    # Limits on one request, checked before anything runs (see api/limits.py); each refusal
    # is a GraphQL error with a code. A cost is the rows a query may return at most: every
    # connection multiplies what is under it by its `first` (default 20).
    max_query_depth: int = Field(default=15, ge=1, le=1000, alias="MODELATLAS_MAX_QUERY_DEPTH")
    max_aliases: int = Field(default=30, ge=0, le=100_000, alias="MODELATLAS_MAX_ALIASES")
    max_query_tokens: int = Field(
        default=20_000, ge=100, le=10_000_000, alias="MODELATLAS_MAX_QUERY_TOKENS"
    )
    max_query_cost: int = Field(default=50_000, ge=1, alias="MODELATLAS_MAX_QUERY_COST")
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, le=1_073_741_824, alias="MODELATLAS_MAX_BODY_BYTES"
    )
    # Neo4j stops any one transaction of a request after this long (0: the server's default).
    query_timeout_s: float = Field(default=10.0, ge=0, alias="MODELATLAS_QUERY_TIMEOUT_S")
    # A GraphQL request's Neo4j work stops after this long in all, however many round trips
    # it makes (0: no overall limit): each transaction's timeout is cut to the time left and
    # none starts or commits after it (TIMEOUT). At least query_timeout_s; left unset, it
    # is raised to query_timeout_s when that is longer.
    request_timeout_s: float = Field(default=15.0, ge=0, alias="MODELATLAS_REQUEST_TIMEOUT_S")
    # Token buckets per API key and per client address (requests per second, and the burst a
    # client may spend at once); 0 turns one off. Per process: with N replicas, N times this.
    rate_limit_per_key: float = Field(default=1000.0, ge=0, alias="MODELATLAS_RATE_LIMIT_PER_KEY")
    rate_limit_per_key_burst: int = Field(
        default=2000, ge=1, alias="MODELATLAS_RATE_LIMIT_PER_KEY_BURST"
    )
    rate_limit_per_address: float = Field(
        default=1000.0, ge=0, alias="MODELATLAS_RATE_LIMIT_PER_ADDRESS"
    )
    rate_limit_per_address_burst: int = Field(
        default=2000, ge=1, alias="MODELATLAS_RATE_LIMIT_PER_ADDRESS_BURST"
    )
    # One JSON line per request (and JSON for every other service log line) on stderr;
    # "none" leaves logging to the application hosting the service.
    log_format: Literal["json", "none"] = Field(default="json", alias="MODELATLAS_LOG_FORMAT")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", alias="MODELATLAS_LOG_LEVEL"
    )

    @model_validator(mode="after")
    def _request_covers_a_query(self) -> Self:
        """A request's overall limit is never shorter than one of its queries' limit."""
        if self.request_timeout_s and self.query_timeout_s > self.request_timeout_s:
            if "request_timeout_s" in self.model_fields_set:
                raise ValueError(
                    f"MODELATLAS_REQUEST_TIMEOUT_S ({self.request_timeout_s:g}) must be at least "
                    f"MODELATLAS_QUERY_TIMEOUT_S ({self.query_timeout_s:g}), or 0 for no limit"
                )
            self.request_timeout_s = self.query_timeout_s
        return self

    @property
    def is_production(self) -> bool:
        """Whether production mode is on (either setting turns it on)."""
        return self.production or self.env.strip().lower() in ("production", "prod")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        """Accept the environment's comma- or whitespace-separated form as well as a list."""
        if isinstance(value, str):
            return [entry for entry in re.split(r"[\s,]+", value) if entry]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _check_origins(cls, value: list[str]) -> list[str]:
        """An origin is scheme://host[:port] with no path (or `*` for any); refuse others."""
        origins = [entry.strip().rstrip("/") for entry in value]
        for origin in origins:
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"MODELATLAS_CORS_ORIGINS entries are origins like https://example.org "
                    f"(scheme, host and optional port, no path); got {origin!r}"
                )
        return origins

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_api_keys(cls, value: Any) -> Any:
        """Accept the environment's comma- or whitespace-separated form as well as a list."""
        if isinstance(value, str):
            return [entry for entry in re.split(r"[\s,]+", value) if entry]
        return value

    @field_validator("api_keys")
    @classmethod
    def _check_api_keys(cls, value: list[str]) -> list[str]:
        """Refuse a malformed entry at start-up rather than locking every client out later."""
        entries = [entry.strip().lower() for entry in value]
        for entry in entries:
            if not _API_KEY_ENTRY.fullmatch(entry):
                raise ValueError(
                    "MODELATLAS_API_KEYS entries are role:sha256hex with role reader, editor "
                    "or admin (see `modelatlas keygen`); one entry is malformed"
                )
        return entries

    @property
    def local_neo4j_dir(self) -> Path:
        """Where the local server keeps its config, data, logs and state."""
        return self.data_dir / "neo4j"
