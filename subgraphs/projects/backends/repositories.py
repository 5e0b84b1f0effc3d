"""Bare git repositories on disk, one per project, for the embedded project store."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ulid import ULID

log = logging.getLogger(__name__)

STAGING = ".staging"
TRASH = ".trash"
BRANCH = "main"


class RepositoryError(Exception):
    """A git command failed; the message carries git's own explanation."""


@dataclass(frozen=True, slots=True)
class Author:
    """Who the initial commit is attributed to."""

    name: str
    email: str


class BareRepositories:
    """`<root>/<namespace>/<slug>.git`, built in a staging area and moved into place whole.

    With `post_receive`, every repository in place (those already there at start, and each one
    published) runs that script as its `hooks/post-receive`.
    """

    def __init__(self, root: Path, post_receive: str | None = None) -> None:
        self._root = root.resolve()
        self._post_receive = post_receive
        for area in (STAGING, TRASH):
            (self._root / area).mkdir(parents=True, exist_ok=True)
        for repository in self._root.glob("*/*.git"):
            if repository.parent.name not in (STAGING, TRASH):
                self._install_hook(repository)

    def _install_hook(self, repository: Path) -> None:
        if self._post_receive is None:
            return
        hook = repository / "hooks" / "post-receive"
        if hook.exists() and hook.read_text() == self._post_receive:
            return
        hook.parent.mkdir(exist_ok=True)
        hook.write_text(self._post_receive)
        hook.chmod(0o755)

    def path(self, namespace: str, slug: str) -> Path:
        """Where the repository of a project lives."""
        return self._root / namespace / f"{slug}.git"

    def url(self, namespace: str, slug: str) -> str:
        """The file:// URL `git clone` accepts for a project's repository."""
        return self.path(namespace, slug).as_uri()

    def stage(self, readme: str, author: Author, when: datetime) -> Path:
        """A new bare repository with one commit adding README.md, outside the served tree."""
        staged = self._root / STAGING / f"{ULID()}.git"
        try:
            _git("init", "--bare", "--quiet", f"--initial-branch={BRANCH}", str(staged))
            blob = _git("hash-object", "-w", "--stdin", git_dir=staged, stdin=readme)
            tree = _git("mktree", git_dir=staged, stdin=f"100644 blob {blob}\tREADME.md\n")
            stamp = f"{int(when.timestamp())} +0000"
            identity = {
                "GIT_AUTHOR_NAME": author.name,
                "GIT_AUTHOR_EMAIL": author.email,
                "GIT_AUTHOR_DATE": stamp,
                "GIT_COMMITTER_NAME": author.name,
                "GIT_COMMITTER_EMAIL": author.email,
                "GIT_COMMITTER_DATE": stamp,
            }
            commit = _git("commit-tree", tree, "-m", "Initial commit", git_dir=staged, env=identity)
            _git("update-ref", f"refs/heads/{BRANCH}", commit, git_dir=staged)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        return staged

    def stage_copy(self, namespace: str, slug: str) -> Path:
        """A bare copy of a project's repository, all branches and history, outside the tree."""
        staged = self._root / STAGING / f"{ULID()}.git"
        try:
            _git("clone", "--bare", "--quiet", str(self.path(namespace, slug)), str(staged))
            # The copy stands alone: it must not name the source as a remote to fetch from.
            _git("remote", "remove", "origin", git_dir=staged)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        return staged

    def duplicate(self, staged: Path) -> Path:
        """Another staged repository with the same contents as `staged`."""
        copy = self._root / STAGING / f"{ULID()}.git"
        shutil.copytree(staged, copy)
        return copy

    def move(self, namespace: str, slug: str, new_slug: str) -> None:
        """Move a project's repository to the path of its new slug."""
        source = self.path(namespace, slug)
        if source.exists():
            source.rename(self.path(namespace, new_slug))

    def publish(self, staged: Path, namespace: str, slug: str) -> Path:
        """Move a staged repository to the project's path and return that path."""
        target = self.path(namespace, slug)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            # No project owns this path (the caller holds the slug), so it is left over from a
            # crash between publishing and committing; the new project takes its place.
            log.warning("replacing orphaned repository", extra={"repository": str(target)})
            shutil.rmtree(target)
        staged.rename(target)
        self._install_hook(target)
        return target

    def withdraw(self, namespace: str, slug: str) -> Path | None:
        """Move a project's repository out of the served tree; None if it has none."""
        source = self.path(namespace, slug)
        if not source.exists():
            return None
        withdrawn = self._root / TRASH / f"{ULID()}.git"
        source.rename(withdrawn)
        return withdrawn

    def restore(self, withdrawn: Path, namespace: str, slug: str) -> None:
        """Put a withdrawn repository back where it was."""
        withdrawn.rename(self.path(namespace, slug))

    def discard(self, path: Path | None) -> None:
        """Delete a staged, withdrawn or published repository for good."""
        if path is not None:
            shutil.rmtree(path, ignore_errors=True)


def _git(
    *args: str,
    git_dir: Path | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> str:
    command = ["git"]
    if git_dir is not None:
        command.append(f"--git-dir={git_dir}")
    # The service's own git settings, never the user's or the system's, shape the repository.
    environment = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        **(env or {}),
    }
    try:
        result = subprocess.run(
            [*command, *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=environment,
            check=True,
            timeout=60,
        )
    except subprocess.CalledProcessError as exc:
        raise RepositoryError(f"git {args[0]} failed: {exc.stderr.strip()}") from exc
    return result.stdout.strip()
