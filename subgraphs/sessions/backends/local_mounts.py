"""A local session's data connectors (Debian's `rclone`) and secret files, set up at each start.

A connector's options reach rclone as `RCLONE_CONFIG_<REMOTE>_<OPTION>` variables of its
process, never on its command line (which `ps` shows) nor in a log. With FUSE (`/dev/fuse` and
`fusermount`) a connector is mounted at its target path under the session's working folder;
without, its files are copied there and the session's message says it is a synced copy. Secret
slots become files of mode 0400 in the session's private `secrets/` folder, which the sandbox
shows read-only at the slots' mount directory; they are removed when the session stops.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from renku_fed.subgraphs.sessions.backends.launch_storage import DataConnectorMount, LaunchStorage
from renku_fed.subgraphs.sessions.backends.rclone_config import rclone_env

log = logging.getLogger(__name__)
SECRETS_DIR = "secrets"
MOUNTS_FILE = "mounts"
MOUNT_TABLE = Path("/proc/self/mountinfo")


def fuse_available() -> bool:
    """Whether rclone can mount here: the FUSE device and its mount helper exist."""
    helper = shutil.which("fusermount3") or shutil.which("fusermount")
    return helper is not None and os.access("/dev/fuse", os.R_OK | os.W_OK)


def target_of(work: Path, connector: DataConnectorMount) -> Path | None:
    """Where the connector appears: its target path under `work`; None when it leaves `work`."""
    relative = PurePosixPath(connector.target_path.lstrip("/"))
    if not relative.parts or ".." in relative.parts:
        return None
    return work / relative


async def _rclone(arguments: Sequence[str], env: dict[str, str], timeout: float) -> bool:
    """Run rclone with the connector's variables; True when it succeeded."""
    process = await asyncio.create_subprocess_exec(
        "rclone",
        *arguments,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "RCLONE_CONFIG": "/dev/null", **env},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        return await asyncio.wait_for(process.wait(), timeout) == 0
    except TimeoutError:
        process.kill()
        await process.wait()
        return False


async def attach_connectors(
    storage: LaunchStorage, session_dir: Path, work: Path, timeout: float
) -> tuple[str, ...]:
    """Mount (or copy) each usable connector under `work`; what the session's message adds."""
    notes: list[str] = []
    mount = fuse_available()
    # A start after a crash finds the last start's mounts still there: never stack a new one.
    await detach_connectors(session_dir)
    mounted = await asyncio.to_thread(mount_points)
    for index, connector in enumerate(storage.usable()):
        target = target_of(work, connector)
        if target is None:
            notes.append(f"data connector {connector.slug} has a target path outside the session")
            continue
        if await asyncio.to_thread(is_mount_point, target, mounted):
            await _unmount(target)
        await asyncio.to_thread(target.mkdir, parents=True, exist_ok=True)
        remote = f"dc{index}"
        source = f"{remote}:{connector.source_path}"
        env = await asyncio.to_thread(rclone_env, remote, connector)
        flags = ["--daemon", "--allow-non-empty", *(["--read-only"] * connector.read_only)]
        # A container may have the FUSE device without the right to mount: copy then.
        if mount and await _rclone(["mount", source, str(target), *flags], env, timeout):
            await asyncio.to_thread(_remember_mount, session_dir, target)
            continue
        done = await _rclone(["copy", source, str(target)], env, timeout)
        if done:
            notes.append(f"data connector {connector.slug} is a synced copy (no FUSE here)")
        if not done:
            log.warning("data connector not attached", extra={"connector": connector.id})
            notes.append(f"data connector {connector.slug} could not be reached")
    return tuple(notes)


def _remember_mount(session_dir: Path, target: Path) -> None:
    with (session_dir / MOUNTS_FILE).open("a") as mounts:
        mounts.write(f"{target}\n")


def mount_points(table: Path = MOUNT_TABLE) -> set[Path]:
    """The mount points this process sees, from `/proc/self/mountinfo` (empty where absent)."""
    try:
        lines = table.read_text().splitlines()
    except OSError:
        return set()
    # The fifth field is the mount point, with space, tab, newline and backslash octal-escaped.
    return {Path(_unescape(line.split(" ")[4])) for line in lines if line.count(" ") >= 4}


def is_mount_point(target: Path, mounted: set[Path]) -> bool:
    """Whether `target` is among `mounted` (its folder's symbolic links resolved)."""
    # Not Path.is_mount: it stats the target, which a dead FUSE mount answers with an error.
    return target.parent.resolve() / target.name in mounted


def _unescape(field: str) -> str:
    for code, character in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n")):
        field = field.replace(code, character)
    return field.replace("\\134", "\\")


async def _unmount(target: Path) -> None:
    """Detach the FUSE mount at `target` (lazily, if something still holds it open)."""
    helper = shutil.which("fusermount3") or shutil.which("fusermount") or "fusermount"
    process = await asyncio.create_subprocess_exec(
        helper, "-u", "-z", str(target),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await process.wait()


async def detach_connectors(session_dir: Path) -> None:
    """Unmount the connectors mounted at the session's last start."""
    mounts = session_dir / MOUNTS_FILE
    if not mounts.exists():
        return
    for target in (await asyncio.to_thread(mounts.read_text)).splitlines():
        await _unmount(Path(target))
    mounts.unlink(missing_ok=True)


def write_secrets(storage: LaunchStorage, session_dir: Path) -> Path:
    """Write the filled slots as files of mode 0400 in the session's private folder."""
    folder = session_dir / SECRETS_DIR
    remove_secrets(session_dir)
    folder.mkdir(mode=0o700)
    for slot in storage.filled():
        name = PurePosixPath(slot.filename).name
        if not name or name in (".", ".."):
            continue
        path = folder / name
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
        with os.fdopen(descriptor, "w") as file:
            file.write(slot.value or "")
    folder.chmod(0o500)
    return folder


def remove_secrets(session_dir: Path) -> None:
    """Remove the session's secret files."""
    folder = session_dir / SECRETS_DIR
    if folder.exists():
        folder.chmod(0o700)
        shutil.rmtree(folder)
