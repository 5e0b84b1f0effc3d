"""The post-receive hook of the embedded store's repositories: a push becomes an outbox event.

Git runs the hook in the bare repository after a push (`githooks(5)`: one line
`<old> <new> <ref>` per updated ref on stdin); a new commit on the default branch adds a `push`
row to the outbox (`outbox.record_push`), which the projects service posts to the kg like a
GitLab push webhook. Its exit status cannot fail the push: the refs are already updated.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from renku_fed.subgraphs.projects.backends.outbox import record_push


def script(database: Path, root: Path) -> str:
    """The hook's text for repositories under `root` of the store in `database`."""
    command = [sys.executable, "-m", __name__, str(database), str(root)]
    return f"#!/bin/sh\nexec {shlex.join(command)}\n"


def pushed_commit(lines: list[str], head: str) -> str | None:
    """The new commit of the `head` ref among a push's ref updates, if it got one."""
    for line in lines:
        parts = line.split()
        if len(parts) == 3 and parts[2] == head and parts[1].strip("0"):
            return parts[1]
    return None


def main(database: Path, root: Path, repository: Path, lines: list[str]) -> None:
    """Record the push into `repository` (a bare repository under `root`)."""
    head = subprocess.run(
        ["git", "symbolic-ref", "HEAD"], cwd=repository, capture_output=True, text=True
    ).stdout.strip()
    commit = pushed_commit(lines, head)
    if commit is None:
        return
    where = repository.resolve().relative_to(root.resolve())
    record_push(database, str(where.parent), where.name.removesuffix(".git"), commit)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path.cwd(), sys.stdin.read().splitlines())
