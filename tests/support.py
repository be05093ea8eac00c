"""Helpers shared by test modules (a plain module: every conftest.py is named `conftest`)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
"""The team's shared data folder beside the repository; tests that need it skip without it."""

CliRunner = Callable[..., subprocess.CompletedProcess[str]]


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the real `modelatlas` command; a wide terminal keeps messages on one line."""
    return subprocess.run(
        [sys.executable, "-m", "modelatlas", *args],
        env={**env, "COLUMNS": "400"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


Page = tuple[int, dict[str, str], bytes]
"""What a test web site answers a GET with: status, headers, body."""


@contextmanager
def loopback_site(page: Callable[[str], Page]) -> Iterator[tuple[str, list[str]]]:
    """A web server on loopback answering each GET with `page(path)`; yields its base URL and
    the paths it was asked for, in order."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            status, headers, body = page(self.path)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()
