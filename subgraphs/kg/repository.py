"""A project's git repository as the kg reads and writes it: `.renku/` files at a commit.

The projects subgraph publishes each project's clone URL in its events; a `file://` URL (the
embedded project store's bare repositories) is read and written in place with git plumbing, so
no working tree is needed and a commit lands on the branch only if nobody moved it meanwhile.
An http(s) URL (a GitLab project) is read through a bare mirror under the kg's data dir: its
branches are fetched (`sync`) with the kg's token. A commit is made in the mirror with the same
plumbing and pushed to the remote's main branch with the caller's own GitLab token
(`pushing_as`); the mirror's branch moves to it once the remote took it. Every token is the
password of user `oauth2`, given to git by a credential helper from the environment, never on
a command line.
"""

from __future__ import annotations

import copy
import hashlib
import os
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

BRANCH = "refs/heads/main"
METADATA_ROOT = ".renku"


class RepositoryError(Exception):
    """The repository cannot be read or written; the message carries git's explanation."""


class BranchMoved(RepositoryError):
    """Someone else committed while we did; retry on the new head."""


class PushRefused(RepositoryError):
    """The remote refused the push token (HTTP 401 or 403): its user may not push there."""


@dataclass(frozen=True, slots=True)
class Author:
    """Who a commit is attributed to (the caller, as their own `git log` would show them)."""

    name: str
    email: str


TOKEN_VARIABLE = "RENKU_FED_KG_GIT_TOKEN"
_CREDENTIALS = f'!f() {{ echo username=oauth2; echo "password=${TOKEN_VARIABLE}"; }}; f'
# What git prints when a push is refused because the branch moved, or for want of rights.
_MOVED = ("(fetch first)", "(non-fast-forward)", "(failed to update ref)", "cannot lock ref")
_REFUSED = ("Authentication failed", "returned error: 401", "returned error: 403")


class GitRepository:
    """A bare repository reached by a `file://` URL, or a mirror in `mirrors` of an http(s) one.

    A mirror's commits are pushed to the remote only when a push token is given (`pushing_as`).
    """

    def __init__(self, url: str, mirrors: Path | None = None, token: str | None = None) -> None:
        parsed = urlparse(url)
        self.remote: str | None = None
        self._token = token
        self._push_token: str | None = None
        if parsed.scheme == "file":
            self.path = Path(unquote(parsed.path))
        elif parsed.scheme in ("http", "https") and mirrors is not None:
            self.remote = url
            self.path = mirrors / f"{hashlib.sha256(url.encode()).hexdigest()[:32]}.git"
        else:
            raise RepositoryError(
                f"The kg reads repositories by file:// URL, or by http(s) URL when it has a "
                f"folder for mirrors; {url!r} is neither."
            )

    def sync(self) -> None:
        """Fetch the remote's branches into the mirror (nothing for a `file://` repository)."""
        if self.remote is None:
            return
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._git("init", "--bare", "--quiet")
        refs = "+refs/heads/*:refs/heads/*"
        env = _credentials(self._token)
        self._git("fetch", "--quiet", "--prune", "--", self.remote, refs, env=env)

    def pushing_as(self, token: str) -> GitRepository:
        """This repository, its commits pushed to the remote with `token` (a user's own)."""
        pushing = copy.copy(self)
        pushing._push_token = token
        return pushing

    def head(self) -> str | None:
        """The commit the main branch points at, None for an empty or missing repository."""
        if not self.path.exists():
            raise RepositoryError(f"No repository at {self.path}.")
        try:
            return self._git("rev-parse", "--verify", "--quiet", f"{BRANCH}^{{commit}}")
        except RepositoryError:
            return None

    def metadata_files(self, commit: str) -> dict[str, bytes]:
        """Every file under `.renku/` at `commit`, by path."""
        listing = self._git("ls-tree", "-r", "-z", commit, "--", METADATA_ROOT + "/")
        files: dict[str, bytes] = {}
        for entry in filter(None, listing.split("\0")):
            info, path = entry.split("\t", 1)
            _mode, kind, blob = info.split()
            if kind == "blob":
                files[path] = self._git_bytes("cat-file", "blob", blob)
        return files

    def read_file(self, commit: str, path: str) -> bytes | None:
        """The content of one file at `commit`, None when it has none there."""
        try:
            return self._git_bytes("cat-file", "blob", f"{commit}:{path}")
        except RepositoryError:
            return None

    def commit_files(
        self, files: dict[str, bytes], author: Author, message: str, when: datetime
    ) -> str:
        """Commit `files` (path -> content) on top of the main branch; the new commit's id.

        A mirror's commit is pushed to the remote's main branch first. Raises `BranchMoved`
        when the branch changed between reading it and moving it, `PushRefused` when the
        remote refused the push token.
        """
        parent = self.head()
        commit = self._commit_tree(files, parent, author, message, when)
        if self.remote is not None:
            self._push(self.remote, commit)
            self._git("update-ref", BRANCH, commit)
            return commit
        try:
            self._git("update-ref", BRANCH, commit, parent or "0" * 40)
        except RepositoryError as exc:
            raise BranchMoved(str(exc)) from exc
        return commit

    def _commit_tree(
        self,
        files: dict[str, bytes],
        parent: str | None,
        author: Author,
        message: str,
        when: datetime,
    ) -> str:
        stamp = f"{int(when.timestamp())} +0000"
        identity = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_NAME": author.name,
            "GIT_COMMITTER_EMAIL": author.email,
            "GIT_COMMITTER_DATE": stamp,
        }
        with tempfile.TemporaryDirectory() as scratch:
            index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            if parent is not None:
                self._git("read-tree", parent, env=index)
            for path, content in sorted(files.items()):
                blob = self._git("hash-object", "-w", "--stdin", stdin=content)
                self._git(
                    "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=index
                )
            tree = self._git("write-tree", env=index)
        parents = ["-p", parent] if parent is not None else []
        return self._git("commit-tree", tree, *parents, "-m", message, env=identity)

    def _push(self, remote: str, commit: str) -> None:
        if self._push_token is None:
            raise RepositoryError(
                f"{remote} is read only here: the kg pushes to it only with the caller's "
                "GitLab token."
            )
        env = _credentials(self._push_token)
        try:
            self._git("push", "--quiet", "--", remote, f"{commit}:{BRANCH}", env=env)
        except RepositoryError as exc:
            if any(sign in str(exc) for sign in _MOVED):
                raise BranchMoved(str(exc)) from exc
            if any(sign in str(exc) for sign in _REFUSED):
                raise PushRefused(str(exc)) from exc
            raise

    def _git(
        self, *args: str, env: dict[str, str] | None = None, stdin: bytes | None = None
    ) -> str:
        return self._git_bytes(*args, env=env, stdin=stdin).decode().strip()

    def _git_bytes(
        self, *args: str, env: dict[str, str] | None = None, stdin: bytes | None = None
    ) -> bytes:
        environment = {
            **os.environ,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            **(env or {}),
        }
        try:
            result = subprocess.run(
                ["git", f"--git-dir={self.path}", *args],
                input=stdin,
                capture_output=True,
                env=environment,
                check=True,
                timeout=60,
            )
        except subprocess.CalledProcessError as exc:
            raise RepositoryError(
                f"git {args[0]} failed in {self.path}: {exc.stderr.decode().strip()}"
            ) from exc
        return result.stdout


def _credentials(token: str | None) -> dict[str, str]:
    """The environment that has git's credential helper answer user `oauth2` and `token`."""
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "credential.helper",
        "GIT_CONFIG_VALUE_0": _CREDENTIALS,
        TOKEN_VARIABLE: token or "",
    }
