"""The post-receive hook of the embedded store's repositories, and the sweep that reads it.

Git runs `hooks/post-receive` in the bare repository after a push, with one line
`<old> <new> <ref>` per updated ref on stdin (`githooks(5)`). The hook is plain `sh` and only
writes inside the repository: a new commit on the default branch becomes an empty file
`renku-pushes/<commit>`. So it works wherever the push is received, also inside a session's
sandbox, which sees the repository at another path and neither this service's database nor
its Python packages. `sweep_pushes`, run when the outbox is refilled (`OutboxSource.refill`),
turns each such file into a `push` row of the outbox (`record_push`) and deletes it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from renku_fed.subgraphs.common.sqlite import transaction

SPOOL = "renku-pushes"
PUSH = """INSERT INTO outbox (project_id, kind, commit_sha)
  SELECT id, 'push', ? FROM projects WHERE namespace = ? AND slug = ?"""
SCRIPT = f"""#!/bin/sh
# Written by the renku-federation projects service: a new commit on the default branch
# leaves its id in {SPOOL}/, from where the service tells the knowledge graph.
head=$(git symbolic-ref -q HEAD)
while read -r old new ref; do
  if [ "$ref" = "$head" ] && [ "$new" != "0000000000000000000000000000000000000000" ]; then
    mkdir -p {SPOOL} && : > "{SPOOL}/$new"
  fi
done
"""


def _spooled(root: Path) -> list[tuple[int, str, str, Path]]:
    """(when, namespace, slug, file) of every push waiting under `root`, oldest first."""
    found = []
    with os.scandir(root) as namespaces:
        for namespace in namespaces:
            if not namespace.is_dir() or namespace.name.startswith("."):
                continue
            with os.scandir(namespace.path) as repositories:
                for repository in repositories:
                    try:
                        commits = os.listdir(os.path.join(repository.path, SPOOL))
                    except (FileNotFoundError, NotADirectoryError):
                        continue
                    slug = repository.name.removesuffix(".git")
                    for commit in commits:
                        file = Path(repository.path, SPOOL, commit)
                        with contextlib.suppress(FileNotFoundError):
                            found.append((file.stat().st_mtime_ns, namespace.name, slug, file))
    return sorted(found)


def sweep_pushes(database: Path, root: Path) -> int:
    """Move every push the hooks left under `root` into the outbox; how many were moved."""
    moved = 0
    for _, namespace, slug, file in _spooled(root):
        if record_push(database, namespace, slug, file.name):
            file.unlink(missing_ok=True)
            moved += 1
    return moved


def record_push(database: Path, namespace: str, slug: str, commit: str) -> bool:
    """Add a `push` row for the project at `namespace/slug`; False without an outbox."""
    try:
        with transaction(database) as db:
            db.execute(PUSH, (commit, namespace, slug))
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return False
        raise
    return True
