"""Helpers shared by test modules (a plain module: every conftest.py is named `conftest`)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
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
