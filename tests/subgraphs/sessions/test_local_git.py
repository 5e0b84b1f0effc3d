"""The local backend's git step: clones, read-only push URLs, and repository locations."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from renku_fed.subgraphs.sessions.backends.local_git import clone, local_repository


async def test_read_only_clones_refuse_to_push(repository: Path, tmp_path: Path) -> None:
    await clone(str(repository), tmp_path / "ro", 30, read_only=True)
    await clone(str(repository), tmp_path / "rw", 30, read_only=False)
    assert (tmp_path / "ro" / "README.md").read_text() == "# Flights\n"

    def push_url(path: Path) -> str:
        command = ["git", "-C", str(path), "remote", "get-url", "--push", "origin"]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()

    assert push_url(tmp_path / "rw") == str(repository)
    assert push_url(tmp_path / "ro") != str(repository)
    with pytest.raises(Exception, match="not an http"):
        await clone("--upload-pack=touch /tmp/x", tmp_path / "evil", 30, read_only=True)


def test_only_repositories_on_this_machine_have_a_folder() -> None:
    assert local_repository("/data/a.git") == Path("/data/a.git")
    assert local_repository("file:///data/a.git") == Path("/data/a.git")
    assert local_repository("https://gitlab.example.org/a.git") is None
    assert local_repository("file://other-host/a.git") is None
