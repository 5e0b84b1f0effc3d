"""CI's check for breaking schema changes: each recent version of the supergraph against the last.

A breaking change must be deliberate: its coordinate is listed in schema/breaking-changes.txt.
"""

from __future__ import annotations

import shutil
import subprocess
from itertools import pairwise
from pathlib import Path

import pytest

from renku_fed.cli.schema import acknowledged, load_api_schema, unacknowledged
from renku_fed.cli.schema_diff import diff_schemas

ROOT = Path(__file__).resolve().parents[2]
SUPERGRAPH = "schema/supergraph.graphql"
# How many committed versions of the supergraph to compare, each with the one before it.
VERSIONS = 5


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True
    ).stdout


def _versions() -> list[tuple[str, str]]:
    """(label, text) of the working tree's supergraph, then its last committed versions."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    commits = _git("log", f"-{VERSIONS + 1}", "--format=%H", "--", SUPERGRAPH).split()
    texts = [("working tree", (ROOT / SUPERGRAPH).read_text())]
    for commit in commits:
        texts.append((commit[:10], _git("show", f"{commit}:{SUPERGRAPH}")))
    return texts


def test_no_unacknowledged_breaking_change_in_recent_supergraphs() -> None:
    allowed = acknowledged(ROOT / "schema" / "breaking-changes.txt")
    versions = _versions()
    refused = []
    for (new_label, new), (old_label, old) in pairwise(versions):
        if new == old:
            continue
        changes = diff_schemas(load_api_schema(old, old_label), load_api_schema(new, new_label))
        refused += [f"{old_label}..{new_label}: {c}" for c in unacknowledged(changes, allowed)]
    assert refused == [], (
        "breaking schema changes; if deliberate, add each coordinate to "
        "schema/breaking-changes.txt:\n" + "\n".join(refused)
    )
