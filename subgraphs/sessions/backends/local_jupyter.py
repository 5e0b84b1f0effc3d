"""The local backend's server: one `jupyter server` child process on a loopback port."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

# The server's environment is built from scratch so that none of this service's settings
# (and secrets) leak into a user's session; only these are passed through.
_INHERITED_ENV = ("PATH", "LANG", "LC_ALL", "TZ")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class JupyterServer:
    """A running `jupyter server`; its token stays in memory and in the child's environment."""

    process: asyncio.subprocess.Process
    port: int
    token: str = field(repr=False)

    @property
    def pid(self) -> int:
        """The server's process id (also its process group id)."""
        return self.process.pid

    @property
    def url(self) -> str:
        """The browser URL of the server, carrying its token."""
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    @classmethod
    async def start(cls, session_dir: Path, root_dir: Path, port: int, token: str) -> JupyterServer:
        """Start a server for `root_dir`, its Jupyter config, data and home in `session_dir`."""
        env = {name: os.environ[name] for name in _INHERITED_ENV if name in os.environ}
        env.update(
            HOME=str(session_dir / "home"),
            JUPYTER_CONFIG_DIR=str(session_dir / "jupyter" / "config"),
            JUPYTER_DATA_DIR=str(session_dir / "jupyter" / "data"),
            JUPYTER_RUNTIME_DIR=str(session_dir / "jupyter" / "runtime"),
            # Through the environment rather than `--IdentityProvider.token`, so that the
            # token does not show in the process list.
            JUPYTER_TOKEN=token,
        )
        (session_dir / "home").mkdir(parents=True, exist_ok=True)
        arguments = [
            "-m",
            "jupyter_server",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--port={port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={root_dir}",
        ]
        if os.geteuid() == 0:
            arguments.append("--allow-root")
        # Jupyter writes its own log with the token masked.
        with (session_dir / "jupyter.log").open("ab") as log_file:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                *arguments,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log_file,
                stderr=log_file,
                env=env,
                cwd=root_dir,
                start_new_session=True,
            )
        return cls(process=process, port=port, token=token)

    async def wait_ready(self, timeout: float) -> bool:
        """True once `/api/status` answers; False when the process exits or time runs out."""
        deadline = time.monotonic() + timeout
        status_url = f"http://127.0.0.1:{self.port}/api/status"
        headers = {"Authorization": f"token {self.token}"}
        async with httpx.AsyncClient(timeout=1.0) as client:
            while time.monotonic() < deadline and self.process.returncode is None:
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(status_url, headers=headers)).status_code == 200:
                        return True
                await asyncio.sleep(0.1)
        return False

    async def stop(self, timeout: float) -> None:
        """Terminate the server and its children; kill them after `timeout` seconds."""
        if self.process.returncode is None:
            _signal_group(self.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                _signal_group(self.pid, signal.SIGKILL)
                await self.process.wait()
        # Kernels live in the server's process group; make sure none outlives it.
        _signal_group(self.pid, signal.SIGKILL)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def kill_orphan(pid: int, session_dir: Path) -> bool:
    """Kill a server left by an earlier run of this service, if `pid` is still that server."""
    try:
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    marker = f"--ServerApp.root_dir={session_dir}".encode()
    if not any(argument.startswith(marker) for argument in command_line):
        return False
    _signal_group(pid, signal.SIGKILL)
    return True
