"""The data folder kept to its owner: folders 0700 and files 0600, old and new."""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077


def make_private(folder: Path) -> int:
    """Take group and other permissions off `folder` and everything in it; return files changed."""
    changed = 0
    if not folder.exists():
        return changed
    for root, _, files in os.walk(folder):
        for name in [".", *files]:
            changed += _drop_group_and_other(Path(root) / name)
    return changed


def _drop_group_and_other(path: Path) -> int:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_IMODE(info.st_mode) & 0o077:
        return 0
    path.chmod(stat.S_IMODE(info.st_mode) & ~0o077)
    return 1
