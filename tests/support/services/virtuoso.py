"""A real Virtuoso SPARQL server on free 127.0.0.1 ports, for the kg subgraph's SPARQL store.

Use it by naming this module as a plugin at the top of a test module::

    pytest_plugins = ["tests.support.services.virtuoso"]

`virtuoso_server` starts `virtuoso-t` once per test session from a temporary `virtuoso.ini`
(its database files and `ServerPort` on a free loopback port set there) and stops
it when the session ends. Tests that need it are skipped, with the reason, only when `virtuoso-t`
is not installed (`bash tests/support/services/install.sh` installs it, as CI does).
`start_virtuoso` starts one outside pytest (the benchmark uses it).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.ports import free_port

STARTUP_SECONDS = 60.0
USER = "dba"
PASSWORD = "dba"

_INI = """[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
DirsAllowed = ., {folder}
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
MaxQueryMem = 1G
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
"""


@dataclass(frozen=True, slots=True)
class VirtuosoServer:
    """A running Virtuoso: its HTTP base URL and the DBA login that may update."""

    url: str
    user: str = USER
    password: str = PASSWORD

    @property
    def query_url(self) -> str:
        """The public SPARQL query endpoint."""
        return f"{self.url}/sparql"

    @property
    def update_url(self) -> str:
        """The SPARQL endpoint that takes updates, with HTTP digest auth."""
        return f"{self.url}/sparql-auth"

    @property
    def graph_store_url(self) -> str:
        """The Graph Store protocol endpoint, with HTTP digest auth."""
        return f"{self.url}/sparql-graph-crud-auth"


def _wait_ready(process: subprocess.Popen[bytes], url: str) -> bool:
    deadline = time.monotonic() + STARTUP_SECONDS
    while process.poll() is None and time.monotonic() < deadline:
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def start_virtuoso(executable: str, folder: Path) -> Iterator[VirtuosoServer]:
    """A Virtuoso with its database in `folder`, stopped on exit; RuntimeError when it fails."""
    # The free ports may be taken before the server binds them: then try others.
    for _ in range(3):
        http_port, sql_port = free_port(), free_port()
        ini = folder / "virtuoso.ini"
        ini.write_text(_INI.format(folder=folder, sql_port=sql_port, http_port=http_port))
        command = [executable, "+configfile", str(ini), "+foreground"]
        process = subprocess.Popen(
            command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        server = VirtuosoServer(f"http://127.0.0.1:{http_port}")
        if _wait_ready(process, server.query_url):
            break
        _stop(process)
    else:
        log = folder / "virtuoso.log"
        raise RuntimeError(f"virtuoso-t did not start:\n{log.read_text() if log.exists() else ''}")
    try:
        yield server
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """A Virtuoso server started for this test session."""
    executable = shutil.which("virtuoso-t")
    if executable is None:
        pytest.skip(
            "virtuoso-t is not installed: `bash tests/support/services/install.sh` installs "
            "Debian's virtuoso-opensource (CI does)."
        )
    try:
        with start_virtuoso(executable, tmp_path_factory.mktemp("virtuoso")) as server:
            yield server
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
