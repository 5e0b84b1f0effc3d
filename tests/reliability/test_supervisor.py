"""The supervisor restarts a crashed service, takes its services with it, and clears stale runs."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from renku_fed.cli.private_files import make_private
from renku_fed.cli.supervisor import RUN_FILE, PlatformError, stop_previous_run
from tests.support.ports import PLATFORM_PORTS, free_platform_port

ROOT = Path(__file__).resolve().parents[2]


def _until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


def _services(data_dir: Path) -> dict[str, int]:
    try:
        record = json.loads((data_dir / RUN_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return {name: ident["pid"] for name, ident in record["services"].items()}


class Platform:
    """A supervisor process over stand-in services."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir, self.port = data_dir, port
        self.out = data_dir.parent / "out.txt"
        command = [
            sys.executable,
            "-m",
            "tests.reliability.fake_platform",
            str(data_dir),
            str(port),
        ]
        with self.out.open("w") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=out)

    def wait_up(self) -> dict[str, int]:
        """The services' pids once all of them answer."""
        assert _until(lambda: len(_services(self.data_dir)) == PLATFORM_PORTS, 60), (
            self.out.read_text()
        )
        assert _until(lambda: all(_healthy(self.port + i) for i in range(PLATFORM_PORTS)), 30)
        return _services(self.data_dir)


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    """A running supervisor, killed with its services at the end."""
    running = Platform(tmp_path / "data", free_platform_port())
    yield running
    if running.process.poll() is None:
        running.process.send_signal(signal.SIGTERM)
        running.process.wait(timeout=30)


def test_a_crashed_service_is_restarted_while_the_others_serve(platform: Platform) -> None:
    pids = platform.wait_up()

    os.kill(pids["users"], signal.SIGKILL)

    assert _healthy(platform.port) and _healthy(platform.port + 2)
    assert _until(
        lambda: _services(platform.data_dir).get("users", pids["users"]) != pids["users"], 15
    )
    assert _until(lambda: _healthy(platform.port + 1), 15)
    log = (platform.data_dir / "logs" / "supervisor.log").read_text()
    assert "the users service exited with code -9; restarting it in 1 s" in log
    assert platform.process.poll() is None


def test_services_die_with_a_killed_supervisor(platform: Platform) -> None:
    pids = platform.wait_up()

    platform.process.kill()
    platform.process.wait()

    assert _until(lambda: all(_gone(pid) for pid in pids.values()), 15)


def test_the_data_folder_and_the_services_files_are_private(platform: Platform) -> None:
    pids = platform.wait_up()

    assert stat.S_IMODE(platform.data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((platform.data_dir / "logs" / "users.log").stat().st_mode) == 0o600
    status = Path(f"/proc/{pids['projects']}/status").read_text()
    assert "Umask:\t0077" in status


def test_existing_files_lose_group_and_other_permissions(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "projects"
    folder.mkdir(parents=True)
    (folder / "projects.sqlite3").write_text("x")
    (folder / "projects.sqlite3").chmod(0o644)
    folder.chmod(0o755)

    assert make_private(tmp_path / "data") >= 2

    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "projects.sqlite3").stat().st_mode) == 0o600


def test_a_previous_runs_leftover_services_are_stopped(tmp_path: Path) -> None:
    leftover = subprocess.Popen(["sleep", "60"], start_new_session=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    (tmp_path / "run").mkdir()
    record = {"supervisor": {"pid": dead.pid}, "services": {"users": {"pid": leftover.pid}}}
    (tmp_path / RUN_FILE).write_text(json.dumps(record))
    said: list[str] = []

    stop_previous_run(tmp_path, said.append)

    assert leftover.wait(timeout=15) == -signal.SIGTERM
    assert said == [f"stopped services a previous run left behind: users (pid {leftover.pid})"]
    assert not (tmp_path / RUN_FILE).exists()


def test_a_live_supervisor_of_the_same_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / RUN_FILE).write_text(json.dumps({"supervisor": {"pid": os.getpid()}}))

    with pytest.raises(PlatformError, match=f"Another renku-fed up \\(pid {os.getpid()}\\)"):
        stop_previous_run(tmp_path, print)
