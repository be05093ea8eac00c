"""Reproduce the vendored JavaScript and CSS from npm so pages never load a CDN at run time.

`make vendor-web` runs this at development time only: each pinned package is fetched with
`npm pack <name>@<version>` into a temporary folder, the few files pages load are copied out
with the package's licence into `<dir>/<name>-<version>/`, and `<dir>/MANIFEST.json` records
each file's version, tarball URL, licence, sha256 and size. The service itself never runs npm.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

WEB_DIR: Final = Path(__file__).parent
RUNTIME_DIR: Final = WEB_DIR / "static" / "vendor"
TESTS_DIR: Final = WEB_DIR.parents[2] / "tests" / "web" / "vendor"
LICENCE_PREFIXES: Final = ("LICENSE", "LICENCE", "COPYING")


@dataclass(frozen=True)
class Package:
    """One pinned npm package and the files of it that pages load."""

    name: str
    version: str
    files: tuple[str, ...]

    @property
    def folder(self) -> str:
        """The vendored folder's name: the version is in it, so its files can be cached forever."""
        return f"{self.name}-{self.version}"


RUNTIME: Final = (
    Package("react", "18.3.1", ("umd/react.production.min.js",)),
    Package("react-dom", "18.3.1", ("umd/react-dom.production.min.js",)),
    Package("graphiql", "3.9.0", ("graphiql.min.js", "graphiql.min.css")),
    Package("cytoscape", "3.35.0", ("dist/cytoscape.min.js",)),
)
"""Shipped in the wheel under modelatlas/web/static/vendor/."""

TEST_ONLY: Final = (Package("axe-core", "4.14.1", ("axe.min.js",)),)
"""Used by the browser tests only (accessibility checks), kept under tests/web/vendor/."""


def sha256(path: Path) -> str:
    """The hex sha256 of a file, as the manifest records it."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _npm(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["npm", *args], cwd=cwd, check=True, capture_output=True, text=True, timeout=300
    ).stdout


def _fetch(package: Package, work: Path) -> tuple[Path, dict[str, Any]]:
    """Unpack the package's tarball; return its root and the facts the manifest needs."""
    spec = f"{package.name}@{package.version}"
    packed = json.loads(_npm("pack", spec, "--json", cwd=work))[0]
    root = work / package.folder
    with tarfile.open(work / packed["filename"]) as tar:
        tar.extractall(root, filter="data")
    meta = json.loads((root / "package" / "package.json").read_text())
    tarball = json.loads(_npm("view", spec, "dist.tarball", "--json", cwd=work))
    facts = {
        "version": meta["version"],
        "tarball": tarball,
        "integrity": packed["integrity"],
        "license": meta.get("license", "UNKNOWN"),
    }
    return root / "package", facts


def _is_licence(path: Path) -> bool:
    """LICENSE, LICENSE-3RD-PARTY.txt and the like, not scripts that happen to start so."""
    name = path.name.upper()
    return name.startswith(LICENCE_PREFIXES) and path.suffix.lower() in ("", ".txt", ".md")


def vendor(packages: tuple[Package, ...], target: Path) -> dict[str, Any]:
    """Replace `target`'s vendored folders with freshly fetched ones and rewrite its manifest."""
    target.mkdir(parents=True, exist_ok=True)
    for old in target.iterdir():
        if old.is_dir():
            shutil.rmtree(old)
    manifest: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="modelatlas-vendor-") as tmp:
        for package in packages:
            source, facts = _fetch(package, Path(tmp))
            if facts["version"] != package.version:
                raise SystemExit(f"{package.name}: npm gave {facts['version']}")
            folder = target / package.folder
            folder.mkdir()
            licences = sorted(p for p in source.iterdir() if _is_licence(p))
            if not licences:
                raise SystemExit(f"{package.name} {package.version} has no licence file")
            for file in [*(source / f for f in package.files), *licences]:
                copied = folder / file.name
                shutil.copyfile(file, copied)
                manifest[f"{package.folder}/{file.name}"] = {
                    "package": package.name,
                    **facts,
                    "sha256": sha256(copied),
                    "bytes": copied.stat().st_size,
                }
    text = json.dumps(dict(sorted(manifest.items())), indent=2) + "\n"
    (target / "MANIFEST.json").write_text(text)
    return manifest


def main() -> None:
    """Vendor the runtime and the test-only packages, printing what each folder weighs."""
    for packages, target in ((RUNTIME, RUNTIME_DIR), (TEST_ONLY, TESTS_DIR)):
        manifest = vendor(packages, target)
        total = sum(entry["bytes"] for entry in manifest.values())
        print(f"{target}: {len(manifest)} files, {total / 1024:.0f} KB", file=sys.stderr)


if __name__ == "__main__":
    main()
