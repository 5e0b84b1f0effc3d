"""The kg reads http(s) repositories (GitLab's) through a mirror, with its token as password.

The remote is `git http-backend` behind HTTP Basic auth on 127.0.0.1, as GitLab serves
repositories to user `oauth2` with a token as the password.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from renku_fed.subgraphs.kg.metadata import dataset_document, encode, path_of
from renku_fed.subgraphs.kg.models import DatasetRecord
from renku_fed.subgraphs.kg.repository import Author, GitRepository, RepositoryError
from tests.support.sessions_git_http import git_http

BIRDS = DatasetRecord(id="birds", name="bird-counts", files=("data/birds.csv",))
ALICE = Author("Alice", "alice@example.org")
WHEN = datetime(2025, 1, 2, tzinfo=UTC)


def remote_with_metadata(root: Path) -> tuple[str, str]:
    """A bare repository `lab/birds.git` under `root` with a dataset's `.renku/` file."""
    bare = root / "lab" / "birds.git"
    subprocess.run(["git", "init", "--bare", "--quiet", "-b", "main", str(bare)], check=True)
    files = {path_of("datasets", BIRDS.id): encode(dataset_document(BIRDS))}
    commit = GitRepository(bare.as_uri()).commit_files(files, ALICE, "Birds", WHEN)
    return "lab/birds.git", commit


def test_an_http_repository_is_read_through_a_mirror_with_the_token(tmp_path: Path) -> None:
    path, commit = remote_with_metadata(tmp_path / "remote")
    with git_http(tmp_path / "remote") as server:
        url = f"{server.url}/{path}"
        repository = GitRepository(url, mirrors=tmp_path / "mirrors", token="read-token")
        repository.sync()
        assert repository.head() == commit
        assert list(repository.metadata_files(commit)) == [path_of("datasets", BIRDS.id)]
        assert set(server.passwords) == {"read-token"}

        refused = GitRepository(url, mirrors=tmp_path / "other-mirrors")
        with pytest.raises(RepositoryError, match=r"git fetch failed.*Authentication failed"):
            refused.sync()


def test_an_http_repository_without_mirrors_is_refused() -> None:
    with pytest.raises(RepositoryError, match="file://"):
        GitRepository("https://gitlab.example.org/lab/birds.git")
