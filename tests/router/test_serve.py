"""Serving the router: how many workers, and several of them answering on one port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from renku_fed.router.auth import LoginSettings
from renku_fed.router.serve import cpu_count, worker_count
from renku_fed.router.settings import RouterSettings
from tests.support.ports import free_port

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"


def test_workers_default_to_the_cpus_this_process_may_use() -> None:
    assert cpu_count() == len(os.sched_getaffinity(0))
    assert worker_count(RouterSettings(), None) == cpu_count()
    assert worker_count(RouterSettings(), 3) == 3


@pytest.mark.parametrize(("store", "workers"), [("memory", 1), ("sqlite", 4)])
def test_login_sessions_in_memory_keep_one_worker(store: str, workers: int) -> None:
    settings = RouterSettings(login=LoginSettings(client_id="renku", store=store))
    assert worker_count(settings, 4) == workers


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    return children


def test_two_workers_answer_on_one_port(tmp_path: Path) -> None:
    port = free_port()
    command = [
        sys.executable, "-m", "renku_fed.cli", "router", "--supergraph", str(SUPERGRAPH),
        "--port", str(port), "--workers", "2",
    ]  # fmt: skip
    env = {
        **os.environ,
        "RENKU_FED_ROUTER_SUPERGRAPH_POLL_SECONDS": "0",
        "RENKU_FED_AUTH_ISSUER": "http://127.0.0.1:9/realms/renku",
    }
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and status != 200:
            time.sleep(0.2)
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code
            except httpx.HTTPError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert status == 200
        # uvicorn's supervisor keeps a resource tracker beside the workers it forks.
        assert len(_children(process.pid)) >= 2
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
