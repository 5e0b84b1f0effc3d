"""The committed web build (router/http/web/) was built from the ui/ sources as they are now.

The Vite config stamps a hash of ui's sources into `web/source-hash.txt`; this test hashes the same
files the same way (ui/vite.config.ts, SOURCES and sourceHash), so it needs no Node and takes
milliseconds, where a rebuild to compare takes seconds and needs `npm ci`.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

ROOT = Path(__file__).parents[2]
UI = ROOT / "ui"
STAMP = ROOT / "router/http/web/source-hash.txt"
SOURCES = (
    "codegen.ts",
    "index.html",
    "package-lock.json",
    "package.json",
    "public",
    "schema.graphql",
    "src",
    "tsconfig.json",
    "vite.config.ts",
)


def _files(ui: Path, path: str) -> list[str]:
    full = ui / path
    if not full.is_dir():
        return [path]
    return [f for child in full.iterdir() for f in _files(ui, f"{path}/{child.name}")]


def source_hash(ui: Path = UI) -> str:
    """sha256 over each source file's path and sha256, in sorted path order."""
    digest = hashlib.sha256()
    for path in sorted(f for source in SOURCES for f in _files(ui, source)):
        content = hashlib.sha256((ui / path).read_bytes()).hexdigest()
        digest.update(f"{path}\0{content}\n".encode())
    return digest.hexdigest()


def test_the_committed_web_build_was_built_from_the_ui_sources_as_they_are() -> None:
    assert STAMP.read_text().strip() == source_hash(), (
        "router/http/web/ is older than ui/: run `npm ci && npm run build` in ui/ and commit "
        "router/http/web/"
    )


def test_the_stamp_changes_when_a_source_changes(tmp_path: Path) -> None:
    copy = tmp_path / "ui"
    shutil.copytree(UI, copy, ignore=shutil.ignore_patterns("node_modules"))
    assert source_hash(copy) == source_hash()
    (copy / "src/App.tsx").write_text((copy / "src/App.tsx").read_text() + "\n")
    assert source_hash(copy) != source_hash()
