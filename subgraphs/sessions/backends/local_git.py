"""The local backend's git step: cloning a project's repository into a session's working folder."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from urllib.parse import urlsplit

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.sessions.backends.git_credentials import ENV_HELPER, is_http

ALLOWED_SCHEMES = ("http", "https", "ssh", "git", "file")


def check_repository(url: str) -> None:
    """Refuse repository locations git could misread as options or exotic transports."""
    scheme = urlsplit(url).scheme
    local = url.startswith("/")
    if url.startswith("-") or not (local or scheme in ALLOWED_SCHEMES):
        raise DomainError(
            ErrorCode.BAD_USER_INPUT,
            "The project's repository is not an http(s), ssh, git or file URL.",
            field="projectId",
        )


async def clone(
    url: str, destination: Path, timeout: float, *, read_only: bool, token: str | None = None
) -> None:
    """`git clone` the repository (with the owner's token for an http(s) remote); a read-only
    clone refuses to push. UNAVAILABLE on failure."""
    check_repository(url)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(destination.parent),
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ALLOW_PROTOCOL": ":".join(ALLOWED_SCHEMES),
    }
    helper: list[str] = []
    if token is not None and is_http(url):
        env["RENKU_FED_GIT_TOKEN"] = token
        helper = ["-c", f"credential.helper={ENV_HELPER}"]
    await _git([*helper, "clone", "--quiet", "--", url, str(destination)], env, timeout)
    if read_only:
        # You may read but not write this project: pushes from the session fail clearly.
        push_url = "no-write-permission-for-this-project"
        await _git(
            ["-C", str(destination), "remote", "set-url", "--push", "origin", push_url],
            env,
            timeout,
        )


def local_repository(url: str) -> Path | None:
    """The folder of a repository on this machine (a path or file URL); None for remote ones."""
    if url.startswith("/"):
        return Path(url)
    parts = urlsplit(url)
    return (
        Path(parts.path) if parts.scheme == "file" and parts.netloc in ("", "localhost") else None
    )


async def configure(
    destination: Path, origin: str | None, author: tuple[str, str], timeout: float
) -> None:
    """Point `origin` where the session sees the repository, and commit as the session's owner."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(destination.parent)}
    steps = [["config", "user.name", author[0]], ["config", "user.email", author[1]]]
    # Reads ~/.git-credentials, which only this session's home holds (see `local`).
    steps.append(["config", "credential.helper", "store"])
    if origin is not None:
        steps.append(["remote", "set-url", "origin", origin])
    for step in steps:
        await _git(["-C", str(destination), *step], env, timeout)


async def _git(arguments: list[str], env: dict[str, str], timeout: float) -> None:
    process = await asyncio.create_subprocess_exec(
        "git",
        *arguments,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        env=env,
    )
    code: int | None = None
    try:
        code = await asyncio.wait_for(process.wait(), timeout)
    except TimeoutError:
        pass
    finally:
        # Also when the launch is cancelled: no git process outlives it.
        if process.returncode is None:
            process.kill()
            await process.wait()
    if code != 0:
        raise DomainError(
            ErrorCode.UNAVAILABLE,
            "The project's repository could not be cloned into the session; try again later.",
            field="projectId",
        )
