"""A local session's rclone mounts: read from the mount table, never stacked on a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from renku_fed.subgraphs.sessions.backends.launch_storage import DataConnectorMount, LaunchStorage
from renku_fed.subgraphs.sessions.backends.local_mounts import (
    attach_connectors,
    detach_connectors,
    fuse_available,
    mount_points,
)
from tests.support.services.storage_servers import require_rclone

TABLE = (
    "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/root rw\n"
    "95 22 0:48 / /srv/my\\040data\\134x rw,nosuid shared:40 - fuse.rclone dc0: rw\n"
    "short line\n"
)


def test_mount_points_unescape_the_kernels_octal_escapes(tmp_path: Path) -> None:
    table = tmp_path / "mountinfo"
    table.write_text(TABLE)
    assert mount_points(table) == {Path("/"), Path("/srv/my data\\x")}
    assert mount_points(tmp_path / "absent") == set()


def _mounted_at(target: Path) -> int:
    """How many mounts the kernel's table holds at `target`."""
    lines = Path("/proc/self/mountinfo").read_text().splitlines()
    return sum(1 for line in lines if line.split(" ")[4] == str(target.resolve()))


async def test_a_start_after_a_crash_does_not_stack_a_second_mount(tmp_path: Path) -> None:
    require_rclone()
    if not fuse_available():
        pytest.skip("FUSE is not available here (/dev/fuse and fusermount3: apt-get install fuse3)")
    source = tmp_path / "source"
    source.mkdir()
    (source / "a.txt").write_text("a\n")
    connector = DataConnectorMount(
        id="dc", slug="local", storage_type="local", configuration={},
        source_path=str(source), target_path="data", read_only=True,
    )  # fmt: skip
    storage = LaunchStorage(connectors=(connector,))
    session, work = tmp_path / "session", tmp_path / "session" / "work"
    session.mkdir()
    try:
        await attach_connectors(storage, session, work, 30)
        assert _mounted_at(work / "data") == 1
        (session / "mounts").unlink()  # as if the record of the last start were lost
        await attach_connectors(storage, session, work, 30)
        assert _mounted_at(work / "data") == 1
        assert (work / "data" / "a.txt").read_text() == "a\n"
    finally:
        await detach_connectors(session)
    assert _mounted_at(work / "data") == 0
