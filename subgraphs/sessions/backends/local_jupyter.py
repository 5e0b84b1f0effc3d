"""The local backend's server: one Jupyter server process per session on a loopback port.

The server serves JupyterLab (or the bare Jupyter server when JupyterLab is not installed)
under `/sessions/<id>/`, the path the router proxies, with a Python kernel (ipykernel).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import resource
import signal
import socket
import sys
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from renku_fed.subgraphs.sessions.backends.local_jupyter_auth import (
    install as install_identity_provider,
)
from renku_fed.subgraphs.sessions.backends.local_sandbox import Sandbox

# The server's environment is built from scratch so that none of this service's settings
# (and secrets) leak into a user's session; only these are passed through.
_INHERITED_ENV = ("LANG", "LC_ALL", "TZ")
LOG_FILE = "server.log"


def base_path(session_id: str) -> str:
    """The URL path the session's server answers under, the same as on the router."""
    return f"/sessions/{session_id}/"


def free_port(low: int, high: int, taken: Collection[int]) -> int:
    """A TCP port in `low..high` on 127.0.0.1 that is free now; OSError when none is."""
    for port in range(low, high + 1):
        if port in taken:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError(f"no free port in {low}-{high}")


# The server as `python -m` starts it, except that jsonschema skips `rfc3987_syntax`, whose
# grammar takes about 2 s to build on import and only checks IRI formats of Jupyter's event
# schemas (bench/sessions measures it). Kernels are other processes and may import it.
_SKIP = "import sys; sys.modules['rfc3987_syntax'] = None; "
LAUNCHERS = {
    "jupyterlab": _SKIP + "from jupyterlab.labapp import main; sys.exit(main())",
    "jupyter_server": _SKIP + "from jupyter_server.serverapp import main; sys.exit(main())",
}


def _server_module() -> str:
    return "jupyterlab" if importlib.util.find_spec("jupyterlab") else "jupyter_server"


def _memory_limit(gigabytes: int) -> Callable[[], None]:
    def limit() -> None:
        size = gigabytes * 1024**3
        # RLIMIT_DATA bounds what a process allocates, not the address space it reserves.
        resource.setrlimit(resource.RLIMIT_DATA, (size, size))

    return limit


@dataclass(frozen=True, slots=True)
class ServerSpec:
    """How to start one session's server."""

    session_id: str
    session_dir: Path
    port: int
    token: str
    memory_gb: int
    env: Mapping[str, str]
    repository: Path | None = None
    writable_repository: bool = False
    secrets_directory: str | None = None


async def start_server(spec: ServerSpec, sandbox: Sandbox) -> asyncio.subprocess.Process:
    """Start the server in its sandbox, its output appended to the session's log."""
    home = sandbox.home(spec.session_dir)
    await asyncio.to_thread(install_identity_provider, spec.session_dir / "home" / ".jupyter")
    env = {name: os.environ[name] for name in _INHERITED_ENV if name in os.environ}
    env.update(spec.env)
    env.update(
        PATH=f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        HOME=home,
        USER="renku",
        JUPYTER_CONFIG_DIR=f"{home}/.jupyter",
        JUPYTER_DATA_DIR=f"{home}/.local/share/jupyter",
        JUPYTER_RUNTIME_DIR=f"{home}/.local/share/jupyter/runtime",
        # Through the environment rather than a command-line option, so that the token
        # does not show in the host's process list; read by `local_jupyter_auth`.
        JUPYTER_TOKEN=spec.token,
    )
    arguments = [
        sys.executable,
        "-c",
        LAUNCHERS[_server_module()],
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={spec.port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.base_url={base_path(spec.session_id)}",
        f"--ServerApp.root_dir={home}/work",
    ]
    if os.geteuid() == 0 and not sandbox.enabled:
        arguments.append("--allow-root")
    command = sandbox.wrap(
        arguments,
        spec.session_dir,
        spec.repository,
        spec.writable_repository,
        spec.secrets_directory,
    )
    with (spec.session_dir / LOG_FILE).open("ab") as log_file:
        return await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
            env=env,
            cwd=spec.session_dir / "home" / "work",
            start_new_session=True,
            preexec_fn=_memory_limit(spec.memory_gb),
        )


async def answers(port: int, session_id: str, token: str, client: httpx.AsyncClient) -> bool:
    """True when the server's `/api/status` answers."""
    url = f"http://127.0.0.1:{port}{base_path(session_id)}api/status"
    with contextlib.suppress(httpx.HTTPError):
        response = await client.get(url, headers={"Authorization": f"token {token}"})
        return response.status_code == 200
    return False


def is_running(pid: int, session_id: str) -> bool:
    """True when `pid` is a live (not zombie) server of this session."""
    try:
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    marker = f"--ServerApp.base_url={base_path(session_id)}".encode()
    return marker in command_line and "\nState:\tZ" not in status


async def stop_server(pid: int, session_id: str, timeout: float) -> None:
    """Terminate the server's process group; kill it after `timeout` seconds."""
    if is_running(pid, session_id):
        _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while is_running(pid, session_id) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    # Kernels and terminals live in the server's group and PID namespace: none outlives it.
    if is_running(pid, session_id) or _group_exists(pid):
        _signal_group(pid, signal.SIGKILL)
        deadline = time.monotonic() + timeout
        while _group_exists(pid) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)


def _group_exists(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def tail(path: Path, max_lines: int) -> str:
    """The last `max_lines` lines of a file; empty when it does not exist."""
    try:
        with path.open("rb") as file:
            file.seek(0, os.SEEK_END)
            size = file.tell()
            file.seek(max(0, size - 256 * max_lines))
            lines = file.read().decode(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(lines[-max_lines:])
