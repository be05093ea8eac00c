"""Rate limits per API key and per client address: token buckets in memory, per process.

A request with a valid API key spends a token of its key's bucket; any other request one of
its client address's bucket (behind a proxy, run uvicorn with --proxy-headers and
--forwarded-allow-ips so the address is the client's). An empty bucket answers 429 with
`Retry-After` and a GraphQL-style error coded RATE_LIMITED. Buckets refill at `rate` tokens a
second up to `burst`; the least recently seen clients are forgotten past ``MAX_CLIENTS``
(a forgotten client starts again with a full bucket). Health, readiness and metrics probes
are never limited. Limits are per process: N replicas allow N times as much.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from time import monotonic
from typing import Final

from starlette.types import ASGIApp, Receive, Scope, Send

from modelatlas.api.auth import KeyRing
from modelatlas.api.limits import send_refusal

RATE_LIMITED: Final = "RATE_LIMITED"
MAX_CLIENTS: Final = 100_000
EXEMPT_PATHS: Final = frozenset({"/healthz", "/readyz", "/metrics"})


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """One token bucket per client key, refilled at `rate` per second up to `burst`."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = monotonic,
    ) -> None:
        """Buckets that hold `burst` tokens and gain `rate` a second."""
        self.rate = rate
        self.burst = burst
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[Hashable, _Bucket] = OrderedDict()

    def take(self, client: Hashable) -> float:
        """Spend one token of the client's bucket: 0.0 if it had one, else the seconds until
        it will."""
        now = self.clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            bucket = self._buckets[client] = _Bucket(float(self.burst), now)
            if len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(client)
            bucket.tokens = min(
                float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate
            )
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def __len__(self) -> int:
        """How many clients have a bucket."""
        return len(self._buckets)


class RateLimit:
    """ASGI middleware spending a token per request from the caller's key or address bucket
    and answering 429 with Retry-After when it has none."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        keys: KeyRing,
        per_key: TokenBuckets | None,
        per_address: TokenBuckets | None,
        exempt: frozenset[str] = EXEMPT_PATHS,
    ) -> None:
        """Wrap `app`; a None bucket set turns that limit off."""
        self.app = app
        self.keys = keys
        self.per_key = per_key
        self.per_address = per_address
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Let the request through or refuse it."""
        if scope["type"] == "http" and scope.get("path") not in self.exempt:
            wait = self._wait(scope)
            if wait > 0:
                seconds = max(1, math.ceil(wait))
                await send_refusal(
                    scope,
                    send,
                    429,
                    f"Too many requests; retry in {seconds} s",
                    RATE_LIMITED,
                    headers=[(b"retry-after", str(seconds).encode("ascii"))],
                    retryAfter=seconds,
                )
                return
        await self.app(scope, receive, send)

    def _wait(self, scope: Scope) -> float:
        """Seconds the caller must wait (0.0: go ahead), spending a token if it has one."""
        authorization = None
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                authorization = value.decode("latin-1")
                break
        if authorization is not None:
            principal = self.keys.authenticate(authorization)
            if principal.role is not None:
                return self.per_key.take(principal.key_id) if self.per_key is not None else 0.0
        if self.per_address is None:
            return 0.0
        client = scope.get("client")
        return self.per_address.take(client[0] if client else "unknown")


def buckets(rate: float, burst: int) -> TokenBuckets | None:
    """Token buckets for a configured rate, or None when the rate is 0 (no limit)."""
    return TokenBuckets(rate, burst) if rate > 0 else None
