"""The local backend's sandbox: bubblewrap (Debian's `bwrap`) around a session's server.

A sandboxed session runs as uid 1000 in its own user, mount, PID, IPC and UTS namespaces. It
sees the system's programs and the Python installation read-only, its own home (the session's
folder, the only writable place besides a private /tmp) and, when given, the project's bare
repository; nothing else of the host's files, and none of the host's processes.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

HOME = "/home/renku"
ORIGIN = "/srv/origin.git"
# What a session may read of the host: programs, libraries, certificates, name resolution.
_SYSTEM_DIRS = ("/usr", "/etc/ssl", "/etc/ca-certificates", "/etc/alternatives")
_SYSTEM_FILES = ("/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/localtime")
_ROOT_LINKS = ("bin", "lib", "lib64", "sbin")


class SandboxUnavailable(RuntimeError):
    """The sandbox program is missing."""


@dataclass(frozen=True, slots=True)
class Sandbox:
    """How to wrap a command: `bwrap` with the session's folders, or nothing when disabled."""

    enabled: bool
    uid: int = 1000
    gid: int = 1000

    def check(self) -> None:
        """Raise SandboxUnavailable when sandboxing is on and `bwrap` is not installed."""
        if self.enabled and shutil.which("bwrap") is None:
            raise SandboxUnavailable(
                "Sessions are sandboxed with bubblewrap, which is not installed: install it "
                "(Debian: apt-get install bubblewrap) or set RENKU_FED_SESSIONS_SANDBOX=none "
                "on a machine where every user may read everything the service reads."
            )

    def home(self, session_dir: Path) -> str:
        """The session's home as its processes see it."""
        return HOME if self.enabled else str(session_dir / "home")

    def secrets(self, session_dir: Path, directory: str) -> str:
        """Where the session's secret files appear in the session."""
        return directory if self.enabled else str(session_dir / "secrets")

    def origin(self, repository: Path | None) -> str | None:
        """Where the project's bare repository appears in the session."""
        if repository is None:
            return None
        return ORIGIN if self.enabled else str(repository)

    def wrap(
        self,
        command: list[str],
        session_dir: Path,
        repository: Path | None,
        writable_repository: bool,
        secrets_directory: str | None = None,
    ) -> list[str]:
        """The command line that runs `command` inside the session's sandbox."""
        if not self.enabled:
            return command
        arguments = ["bwrap", "--unshare-user", "--uid", str(self.uid), "--gid", str(self.gid)]
        arguments += ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
        arguments += ["--hostname", "renku-session"]
        # /tmp first: the binds below may lie under it (a virtualenv in /tmp) and must stay
        # visible over the session's own empty /tmp.
        arguments += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
        for path in _SYSTEM_DIRS + _SYSTEM_FILES:
            if os.path.exists(path):
                arguments += ["--ro-bind", path, path]
        for name in _ROOT_LINKS:
            target = os.readlink(f"/{name}") if os.path.islink(f"/{name}") else None
            if target is not None:
                arguments += ["--symlink", target, f"/{name}"]
            elif os.path.isdir(f"/{name}"):
                arguments += ["--ro-bind", f"/{name}", f"/{name}"]
        for prefix in {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)}:
            if not prefix.startswith("/usr/"):
                arguments += ["--ro-bind", prefix, prefix]
        if sys.prefix != os.path.realpath(sys.prefix):
            arguments += ["--symlink", os.path.realpath(sys.prefix), sys.prefix]
        arguments += ["--bind", str(session_dir / "home"), HOME, "--chdir", f"{HOME}/work"]
        if repository is not None:
            bind = "--bind" if writable_repository else "--ro-bind"
            arguments += [bind, str(repository), ORIGIN]
        if secrets_directory is not None and (session_dir / "secrets").is_dir():
            arguments += ["--ro-bind", str(session_dir / "secrets"), secrets_directory]
        return [*arguments, "--", *command]
