"""Security and caching headers for the HTML pages and their static files.

Pages get a strict Content-Security-Policy (scripts, styles and connections from this origin
only, no inline script, no framing), so an injected tag cannot run or phone home. Static files
are cached: vendored files forever (their folder names carry the version, so a new version is
a new URL), the project's own files for an hour with revalidation by ETag.
"""

from __future__ import annotations

import os
from typing import Final

from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

CONTENT_SECURITY_POLICY: Final[str] = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""The explorer pages' policy: everything from this origin, nothing inline, no framing.
`base-uri 'self'` (not 'none'): each page's <base href> is the explorer's mount point, which
is what lets its links be relative wherever an embedder mounts the router."""

IMMUTABLE: Final = "public, max-age=31536000, immutable"
"""Cache-Control of vendored files: their URL changes whenever their content does."""

REVALIDATED: Final = "public, max-age=3600"
"""Cache-Control of the project's own static files: an hour, then revalidated by ETag."""

VENDOR_PREFIX: Final = "vendor" + os.sep


def secure_headers(response: Response, *, policy: str = CONTENT_SECURITY_POLICY) -> Response:
    """Add the CSP (`policy`, the strict one by default) and the anti-sniffing, no-referrer
    and no-framing headers to a page's response, and return it."""
    response.headers["Content-Security-Policy"] = policy
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def cache_control(path: str) -> str:
    """The Cache-Control of a static file by its path under the static folder."""
    return IMMUTABLE if path.startswith(VENDOR_PREFIX) else REVALIDATED


class StaticAssets(StaticFiles):
    """StaticFiles whose answers carry Cache-Control (immutable under vendor/, an hour
    elsewhere) and nosniff; ETag, Last-Modified and 304 on If-None-Match are StaticFiles'."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        """The file's response (or 304 when the client's copy is current) with cache headers."""
        response = FileResponse(full_path, status_code=status_code, stat_result=stat_result)
        response.headers["Cache-Control"] = cache_control(self.get_path(scope))
        response.headers["X-Content-Type-Options"] = "nosniff"
        if self.is_not_modified(response.headers, Headers(scope=scope)):
            return NotModifiedResponse(response.headers)
        return response
