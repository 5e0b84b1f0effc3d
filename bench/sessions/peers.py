"""Where a session's start goes: a bare Jupyter server, JupyterLab, the sandbox and the clone."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from renku_fed.subgraphs.sessions.backends.local_jupyter import LAUNCHERS
from renku_fed.subgraphs.sessions.backends.local_sandbox import Sandbox


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def until_answers(url: str, headers: dict[str, str], timeout: float = 60.0) -> float:
    """Seconds until `url` answers 200."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        try:
            if httpx.get(url, headers=headers, timeout=1.0).status_code == 200:
                return time.perf_counter() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    raise TimeoutError(url)


def server_start(module: str, sandboxed: bool, extra: list[str]) -> float:
    """Seconds from spawning `python -m <module>` (`-c <code>` for a launcher of ours) to its
    `/api/status` answering."""
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        session = Path(folder)
        (session / "home" / "work").mkdir(parents=True)
        home = Sandbox(sandboxed).home(session)
        start = (
            ["-c", LAUNCHERS[module.removeprefix("our-")]]
            if module.startswith("our-")
            else ["-m", module]
        )
        command = [sys.executable, *start, "--no-browser", f"--ServerApp.port={port}",
                   "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={home}/work",
                   *extra]  # fmt: skip
        if os.geteuid() == 0 and not sandboxed:
            command.append("--allow-root")
        command = Sandbox(sandboxed).wrap(command, session, None, False)
        env = {**os.environ, "JUPYTER_TOKEN": "t", "HOME": home,
               "JUPYTER_CONFIG_DIR": f"{home}/.jupyter"}  # fmt: skip
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}/api/status"
            return until_answers(url, {"Authorization": "token t"})
        finally:
            process.terminate()
            process.wait(10)


def clone_time(repository: Path) -> float:
    """Seconds to `git clone` the repository."""
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run(["git", "clone", "--quiet", str(repository), f"{folder}/w"], check=True)
        return time.perf_counter() - start


def import_time(module: str) -> float:
    """Seconds for a fresh Python to import `module`."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
    return time.perf_counter() - start


def peers(repository: Path, sandbox: bool) -> dict[str, float]:
    """The peers' times, each the best of two."""
    sandboxed = sandbox and shutil.which("bwrap") is not None
    trim = ["--ServerApp.jpserver_extensions={'jupyter_lsp': False}"]
    cases: dict[str, Callable[[], float]] = {
        "python -c 'import jupyterlab'": lambda: import_time("jupyterlab"),
        "git clone (local)": lambda: clone_time(repository),
        "bare jupyter_server": lambda: server_start("jupyter_server", False, []),
        "bare jupyterlab": lambda: server_start("jupyterlab", False, []),
        "jupyterlab without jupyter_lsp": lambda: server_start("jupyterlab", False, trim),
        "jupyterlab in bubblewrap": lambda: server_start("jupyterlab", sandboxed, []),
        "python -c 'import jupyterlab' (ours)": lambda: import_time(
            "sys; sys.modules['rfc3987_syntax'] = None; import jupyterlab"
        ),
        "jupyterlab as sessions start it (ours)": lambda: server_start("our-jupyterlab", False, []),
    }
    return {name: min(case() for _ in range(2)) for name, case in cases.items()}
