"""Vendored assets: each file is the one the manifest pins, each package keeps its licence, and
no page or static file pulls a script, style or font from another host (no CDN)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from modelatlas.web import STATIC_DIR
from modelatlas.web.vendor import RUNTIME, TEST_ONLY, TESTS_DIR, sha256

API_DIR = STATIC_DIR.parents[1] / "api"
VENDOR_DIRS = [STATIC_DIR / "vendor", TESTS_DIR]
EXTERNAL = re.compile(
    r"""(?:\bsrc\s*=|\bhref\s*=|@import|\burl\()\s*["']?\s*(?:https?:)?//""", re.IGNORECASE
)
"""An absolute URL to another host where a page or stylesheet loads something."""


@pytest.mark.parametrize("vendor", VENDOR_DIRS, ids=lambda p: p.parent.name)
def test_manifest_pins_every_vendored_file(vendor: Path) -> None:
    manifest = json.loads((vendor / "MANIFEST.json").read_text())
    on_disk = {p.relative_to(vendor).as_posix() for p in vendor.rglob("*") if p.is_file()}
    assert on_disk - {"MANIFEST.json"} == set(manifest)
    for name, entry in manifest.items():
        path = vendor / name
        assert sha256(path) == entry["sha256"], f"{name} differs from the pinned file"
        assert path.stat().st_size == entry["bytes"]
        assert entry["tarball"].startswith("https://registry.npmjs.org/")
        assert name.split("/")[0] == f"{entry['package']}-{entry['version']}"
        assert entry["license"] and entry["license"] != "UNKNOWN"


def test_every_pinned_package_is_vendored_with_its_licence() -> None:
    for packages, vendor in ((RUNTIME, STATIC_DIR / "vendor"), (TEST_ONLY, TESTS_DIR)):
        for package in packages:
            folder = vendor / package.folder
            assert (folder / "LICENSE").is_file(), f"{package.folder} has no LICENSE"
            for file in package.files:
                assert (folder / Path(file).name).is_file()
    folders = {p.name for vendor in VENDOR_DIRS for p in vendor.iterdir() if p.is_dir()}
    assert folders == {p.folder for p in (*RUNTIME, *TEST_ONLY)}


def served_text_files() -> list[Path]:
    """Every static file a browser may load, and the GraphiQL page."""
    files = [p for p in STATIC_DIR.rglob("*") if p.suffix in {".js", ".css", ".html", ".svg"}]
    return [*files, *API_DIR.glob("*.html")]


def test_nothing_loads_from_another_host() -> None:
    files = served_text_files()
    assert API_DIR / "graphiql.html" in files
    assert STATIC_DIR / "graphiql" / "graphiql-boot.js" in files
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        found = [text[m.start() : m.start() + 80] for m in EXTERNAL.finditer(text)]
        assert not found, f"{path.relative_to(STATIC_DIR.parents[1])} loads {found}"


def test_the_external_url_scan_catches_a_cdn() -> None:
    for snippet in (
        '<script src="https://unpkg.com/react@18/umd/react.production.min.js">',
        "<link rel=stylesheet href='//cdn.jsdelivr.net/x.css'>",
        '@import "https://fonts.googleapis.com/css?family=Inter";',
        "src: url(https://fonts.gstatic.com/s/inter.woff2)",
    ):
        assert EXTERNAL.search(snippet), snippet
    for snippet in ('<script src="ide/graphiql-boot.js">', "url(data:font/woff2;base64,AAAA)"):
        assert not EXTERNAL.search(snippet), snippet
