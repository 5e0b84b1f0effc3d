"""The supervisor of `renku-fed up`: each service a child process, restarted when it crashes."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import httpx
from tenacity import RetryError, Retrying, retry_if_result, stop_after_delay, wait_fixed

from renku_fed.cli.log_files import RotatingLog
from renku_fed.cli.private_files import PRIVATE_UMASK

if TYPE_CHECKING:
    from renku_fed.cli.up import PlatformLayout

STARTUP_TIMEOUT_SECONDS = 60.0
SHUTDOWN_GRACE_SECONDS = 10.0
RESTART_FIRST_DELAY_SECONDS = 1.0
RESTART_MAX_DELAY_SECONDS = 30.0
# A service up this long has recovered: its next crash restarts it after the first delay again.
STABLE_SECONDS = 60.0
RUN_FILE = Path("run") / "supervisor.json"
_PR_SET_PDEATHSIG = 1


class PlatformError(Exception):
    """The platform could not start; the message says why and what to do."""


@dataclass(frozen=True)
class Service:
    """One process of the platform: its name, port and how uvicorn finds its app."""

    name: str
    port: int
    app: str

    def url(self, host: str, path: str = "") -> str:
        """The service's base URL (plus `path`)."""
        return f"http://{host}:{self.port}{path}"


Command = Callable[[Service], list[str]]


@dataclass
class _Child:
    service: Service
    process: subprocess.Popen[bytes]
    started: float
    failures: int = 0
    restart_at: float | None = None


class Supervisor:
    """Starts the services, restarts a crashed one with backoff, and stops them all together.

    Each service runs in its own process group with a parent-death signal, so a supervisor
    killed outright takes its services with it; the run file lets the next start stop what is
    left of a run that ended without stopping its services.
    """

    def __init__(self, layout: PlatformLayout, out: TextIO, command: Command) -> None:
        self._layout = layout
        self._out = out
        self._command = command
        self._children: dict[str, _Child] = {}
        self._logs: dict[str, RotatingLog] = {}
        self._stopping = False
        self._libc = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None

    def start(self) -> None:
        """Start every subgraph, then the router once the subgraphs are healthy."""
        data_dir = self._layout.data_dir
        # A fresh folder holds only what prepare_data_dir (cli/up.py) just made in it.
        made_by_up = {"logs", "dev-issuer", RUN_FILE.parts[0]}
        seed_demo = not data_dir.exists() or all(p.name in made_by_up for p in data_dir.iterdir())
        (data_dir / "logs").mkdir(parents=True, exist_ok=True)
        subgraphs, router = self._layout.services[:-1], self._layout.services[-1]
        for service in subgraphs:
            self._spawn(service, seed_demo)
        for service in subgraphs:
            self._wait_healthy(service)
        self._spawn(router, seed_demo)
        self._wait_healthy(router)

    def pids(self) -> dict[str, int]:
        """The process id of each running service, by name."""
        return {name: child.process.pid for name, child in self._children.items()}

    def _spawn(self, service: Service, seed_demo: bool, failures: int = 0) -> None:
        env = {**os.environ, **self._layout.environment(service, seed_demo)}
        process = subprocess.Popen(
            self._command(service),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=self._child_setup(os.getpid()),
        )
        if service.name not in self._logs:
            self._logs[service.name] = RotatingLog(self._log_path(service.name))
        assert process.stdout is not None
        self._logs[service.name].copy_from(process.stdout)
        self._children[service.name] = _Child(service, process, time.monotonic(), failures)
        write_run_file(self._layout.data_dir, self.pids())

    def _child_setup(self, parent: int) -> Callable[[], None]:
        libc = self._libc

        def setup() -> None:
            os.umask(PRIVATE_UMASK)
            if libc is not None:
                libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
            if os.getppid() != parent:
                os._exit(1)

        return setup

    def _wait_healthy(self, service: Service) -> None:
        url = service.url(self._layout.host, "/healthz")
        retrying = Retrying(
            retry=retry_if_result(lambda healthy: not healthy),
            wait=wait_fixed(0.2),
            stop=stop_after_delay(STARTUP_TIMEOUT_SECONDS),
        )
        try:
            retrying(self._healthy, service, url)
        except RetryError:
            raise PlatformError(
                f"The {service.name} service did not become healthy at {url} within "
                f"{STARTUP_TIMEOUT_SECONDS:.0f} s; see {self._log_path(service.name)}."
            ) from None

    def _healthy(self, service: Service, url: str) -> bool:
        """True once the service answers 200 at `url`; PlatformError if it died or we stop."""
        if self._stopping:
            raise PlatformError("Interrupted while starting; stopping the services.")
        process = self._children[service.name].process
        if process.poll() is not None:
            raise PlatformError(
                f"The {service.name} service exited with code {process.returncode}; "
                f"see {self._log_path(service.name)}."
            )
        try:
            return httpx.get(url, timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def _log_path(self, name: str) -> Path:
        return self._layout.data_dir / "logs" / f"{name}.log"

    def watch(self) -> int:
        """Restart services that exit, until a signal asks to stop; return the exit code."""
        while not self._stopping:
            for child in list(self._children.values()):
                self._check(child, time.monotonic())
            time.sleep(0.2)
        return 0

    def _check(self, child: _Child, now: float) -> None:
        name = child.service.name
        if child.restart_at is not None:
            if now >= child.restart_at:
                self._spawn(child.service, seed_demo=False, failures=child.failures)
                self.say(f"restarted the {name} service (pid {self._children[name].process.pid})")
            return
        code = child.process.poll()
        if code is None:
            if child.failures and now - child.started >= STABLE_SECONDS:
                child.failures = 0
            return
        _signal_group(child.process, signal.SIGKILL)
        delay = min(RESTART_MAX_DELAY_SECONDS, RESTART_FIRST_DELAY_SECONDS * 2**child.failures)
        child.failures += 1
        child.restart_at = now + delay
        self.say(
            f"the {name} service exited with code {code}; restarting it in {delay:.0f} s "
            f"(restart {child.failures}; see {self._log_path(name)})"
        )

    def say(self, message: str) -> None:
        """Tell the operator, on the terminal and in logs/supervisor.log."""
        line = f"renku-fed {time.strftime('%Y-%m-%dT%H:%M:%S')}: {message}"
        print(line, file=self._out, flush=True)
        with (self._layout.data_dir / "logs" / "supervisor.log").open("a") as log:
            log.write(line + "\n")

    def request_stop(self, signum: int, _frame: object) -> None:
        """Signal handler: leave `watch` so that `stop` runs."""
        self._stopping = True

    def stop(self) -> None:
        """Terminate every service's process group, then kill what is left after a grace."""
        processes = [child.process for child in self._children.values()]
        stop_groups(processes, SHUTDOWN_GRACE_SECONDS)
        with contextlib.suppress(OSError):
            (self._layout.data_dir / RUN_FILE).unlink(missing_ok=True)


def stop_groups(processes: list[subprocess.Popen[bytes]], grace: float) -> None:
    """SIGTERM each process's group, wait up to `grace` seconds, then SIGKILL the groups."""
    for process in reversed(processes):
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()
        _signal_group(process, signal.SIGKILL)


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        return


def write_run_file(data_dir: Path, pids: dict[str, int]) -> None:
    """Record this supervisor and its services, each with its start time, for the next start."""
    record = {
        "supervisor": _identity(os.getpid()),
        "services": {name: _identity(pid) for name, pid in pids.items()},
    }
    path = data_dir / RUN_FILE
    path.parent.mkdir(mode=0o700, exist_ok=True)
    path.write_text(json.dumps(record))
    path.chmod(0o600)


def stop_previous_run(data_dir: Path, say: Callable[[str], None]) -> None:
    """Stop services a previous supervisor of `data_dir` left running; refuse a live one."""
    path = data_dir / RUN_FILE
    try:
        record: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return
    supervisor = record.get("supervisor") or {}
    if _alive(supervisor):
        raise PlatformError(
            f"Another renku-fed up (pid {supervisor['pid']}) runs on {data_dir}. Stop it first "
            f"(Ctrl-C in its terminal, or kill {supervisor['pid']}), or choose another --data-dir."
        )
    services: dict[str, Any] = record.get("services", {})
    left = {name: ident["pid"] for name, ident in services.items() if _alive(ident)}
    for pid in left.values():
        _kill_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + SHUTDOWN_GRACE_SECONDS
    while any(_running(pid) for pid in left.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in left.values():
        _kill_group(pid, signal.SIGKILL)
    if left:
        names = ", ".join(f"{name} (pid {pid})" for name, pid in left.items())
        say(f"stopped services a previous run left behind: {names}")
    path.unlink(missing_ok=True)


def _kill_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        return


def _identity(pid: int) -> dict[str, Any]:
    return {"pid": pid, "start": _start_time(pid)}


def _start_time(pid: int) -> str | None:
    """The kernel's start time of `pid` (so a reused pid is not mistaken for it), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return _signalable(pid)
    return fields[0] != "Z"


def _signalable(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _alive(ident: dict[str, Any]) -> bool:
    pid = ident.get("pid")
    if not isinstance(pid, int) or not _running(pid):
        return False
    return ident.get("start") is None or _start_time(pid) == ident.get("start")
