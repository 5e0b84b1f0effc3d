"""pytest fixtures: a real Redis server on a free 127.0.0.1 port, for the router's Redis stores.

Use them by naming this module as a plugin at the top of a test module::

    pytest_plugins = ["tests.support.services.redis"]

The server runs once for the whole test session, in a temporary folder, persisting nothing, and
is stopped when the session ends; `redis_url` empties it after each test. It never uses port
6379, so a Redis of the machine is left alone. Needs `redis-server` on PATH
(`bash tests/support/services/install.sh`, which tox runs).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

STARTUP_SECONDS = 10.0


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a Redis server started for this test session."""
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.fail(
            "These tests need `redis-server` on PATH: run `bash tests/support/services/install.sh` "
            "(tox does) or install Redis with your package manager.",
            pytrace=False,
        )
    folder = tmp_path_factory.mktemp("redis")
    # The free port may be taken before the server binds it: then try another.
    for _ in range(3):
        process, url = _start(executable, folder)
        if process is not None:
            break
    else:
        pytest.fail(f"redis-server did not start:\n{_log(folder)}", pytrace=False)
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def redis_url(redis_server: str) -> Iterator[str]:
    """The session's Redis server, emptied after the test."""
    yield redis_server
    with redis.Redis.from_url(redis_server) as client:
        client.flushall()


def _start(executable: str, folder: Path) -> tuple[subprocess.Popen[bytes] | None, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [executable, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(folder)]
    command += ["--save", "", "--appendonly", "no", "--logfile", str(folder / "redis.log")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + STARTUP_SECONDS
    with redis.Redis.from_url(url, socket_timeout=1) as client:
        while process.poll() is None and time.monotonic() < deadline:
            try:
                client.ping()
                return process, url
            except redis.ConnectionError:
                time.sleep(0.02)
    process.kill()
    process.wait()
    return None, url


def _log(folder: Path) -> str:
    log = folder / "redis.log"
    return log.read_text() if log.exists() else "(no log)"
