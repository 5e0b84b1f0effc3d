"""Issue 14's "Must work" scenario against a real `renku-fed up` (slow: ~30-60 s).

A fresh virtualenv holds only the SDK's wheel and its dependencies (httpx, pydantic and theirs,
linked from this environment; the server is not importable there). `renku-fed login` completes
the device flow while the test plays the browser; then a script and the CLI list alice's projects,
create one, launch a session and wait, record an activity and read its lineage back; an expired
token gives Unauthenticated saying to run `renku-fed login`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
FIRST_PORT = 48000
SDK_DEPENDENCIES = (
    "httpx", "httpcore", "h11", "anyio", "sniffio", "idna", "certifi", "pydantic",
    "pydantic_core", "typing_extensions", "annotated_types", "typing_inspection", "exceptiongroup",
)  # fmt: skip
pytestmark = pytest.mark.scenario


def _base_port() -> int:
    for base in range(FIRST_PORT, FIRST_PORT + 500, 5):
        with socket.socket() as a, socket.socket() as b, socket.socket() as c:
            try:
                for offset, probe in enumerate((a, b, c)):
                    probe.bind(("127.0.0.1", base + offset))
            except OSError:
                continue
        if all(_free(base + i) for i in (3, 4)):
            return base
    raise RuntimeError("no five free ports from 48000 up")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`renku-fed up` on free ports: its router's base URL and its data folder."""
    tmp = tmp_path_factory.mktemp("up")
    port = _base_port()
    log_path = tmp / "up.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "renku_fed.cli", "up", "--port", str(port),
             "--data-dir", str(tmp / "data"), "--workers", "1"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while "renku-fed is up" not in log_path.read_text():
                assert process.poll() is None, log_path.read_text()[-2000:]
                assert time.monotonic() < deadline, "renku-fed up did not start in 120 s"
                time.sleep(0.3)
            yield f"http://127.0.0.1:{port}", tmp / "data"
        finally:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def sdk_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the SDK's wheel and only its dependencies; its bin folder."""
    tmp = tmp_path_factory.mktemp("venv")
    pip = [sys.executable, "-m", "pip"]
    subprocess.run(
        [*pip, "wheel", "-q", "--no-deps", "-w", str(tmp), str(ROOT / "sdk")], check=True
    )
    venv = tmp / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    (wheel,) = tmp.glob("renku_fed_sdk-*.whl")
    subprocess.run(
        [venv / "bin/pip", "install", "-q", "--no-deps", "--no-index", wheel], check=True
    )
    deps = tmp / "deps"
    deps.mkdir()
    for name in SDK_DEPENDENCIES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        source = Path(spec.origin)
        source = source.parent if source.name == "__init__.py" else source
        (deps / source.name).symlink_to(source)
    (site,) = venv.glob("lib/python3*/site-packages")
    (site / "sdk-deps.pth").write_text(f"{deps}\n")
    return venv / "bin"


def _env(config: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RENKU_FED_", "PYTHON"))}
    return {**env, "RENKU_FED_CONFIG_DIR": str(config), **extra}


def _login(bin_dir: Path, url: str, config: Path) -> str:
    command = subprocess.Popen(
        [bin_dir / "renku-fed", "login", "--url", url], env=_env(config),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert command.stderr is not None
    prompt = command.stderr.readline()
    match = re.search(r"Open (\S+) and confirm the code (\S+)", prompt)
    assert match, prompt
    page = httpx.get(match.group(1))
    assert page.status_code == 200 and "alice" in page.text
    approved = httpx.post(match.group(1).split("?")[0],
                          data={"user_code": match.group(2), "demo_user": "alice"})  # fmt: skip
    assert approved.status_code == 200 and "Signed in as" in approved.text
    out, err = command.communicate(timeout=60)
    assert command.returncode == 0, err
    return out


SCRIPT = """
import json, sys, time
from renku_fed.sdk import Client, NotFound
assert "renku_fed.cli" not in sys.modules
client = Client()
mine = [p.path for p in client.projects.list(namespace="alice")]
created = client.projects.create("sdk scenario", description="made by the SDK")
flights = client.projects.get_by_slug("alice/flights")
session = client.sessions.launch(flights, wait=True, timeout=120)
client.sessions.delete(session)
recorded = client.kg.record_activity(
    flights, "python train.py", inputs=["data/features.csv"], outputs=["models/model.pkl"]
)
deadline, lineage = time.monotonic() + LINEAGE_SECONDS, None
while lineage is None:
    try:
        lineage = client.kg.lineage(flights, "models/model.pkl")
    except NotFound:  # recorded, not yet ingested: retried until the deadline, then fails
        if time.monotonic() > deadline:
            raise
        time.sleep(0.5)
print(json.dumps({"mine": mine, "created": created.path, "state": session.state.value,
                  "activity": recorded.activity_id, "commit": recorded.commit,
                  "nodes": [[n.type, n.label, n.location] for n in lineage.nodes],
                  "edges": len(lineage.edges), "svg": lineage._repr_svg_()[:4]}))
""".replace("LINEAGE_SECONDS", "60")


def _lineage_by_cli(cli: Callable[..., subprocess.CompletedProcess[str]], path: str) -> Any:
    """`renku-fed kg lineage` of alice/flights, asked again until ingestion caught up."""
    deadline = time.monotonic() + 60
    while True:
        shown = cli("kg", "lineage", "alice/flights", path, "--json")
        if shown.returncode == 0 or time.monotonic() > deadline:
            assert shown.returncode == 0, shown.stderr
            return json.loads(shown.stdout)
        assert "NOT_FOUND" in shown.stderr, shown.stderr
        time.sleep(0.5)


def test_the_must_work_scenario(platform: tuple[str, Path], sdk_venv: Path, tmp_path: Path) -> None:
    url, config = platform[0], tmp_path / "config"
    server = subprocess.run(
        [sdk_venv / "python", "-c", "import renku_fed.cli"], capture_output=True
    )
    assert server.returncode != 0
    assert "as alice" in _login(sdk_venv, url, config)
    assert (config / "credentials.json").stat().st_mode & 0o777 == 0o600

    script = subprocess.run([sdk_venv / "python", "-c", SCRIPT], env=_env(config),
                            capture_output=True, text=True, timeout=240)  # fmt: skip
    assert script.returncode == 0, script.stderr
    result = json.loads(script.stdout)
    assert "alice/flights" in result["mine"]
    assert result["created"] == "alice/sdk-scenario" and result["state"] == "RUNNING"
    assert result["activity"] and result["commit"]
    # The recorded run, read back: its input and output files and the activity between them.
    nodes = {(kind, location) for kind, _, location in result["nodes"]}
    assert {("FILE", "data/features.csv"), ("FILE", "models/model.pkl")} <= nodes
    assert any(kind == "ACTIVITY" and "train.py" in label for kind, label, _ in result["nodes"])
    assert result["edges"] >= 2 and result["svg"] == "<svg"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sdk_venv / "renku-fed", *args], env=_env(config),
                              capture_output=True, text=True, timeout=180)  # fmt: skip

    listed = json.loads(cli("projects", "list", "--json").stdout)
    assert {"alice/sdk-scenario", "alice/flights"} <= {
        f"{p['namespace']}/{p['slug']}" for p in listed
    }
    launched = cli("sessions", "launch", "alice/flights", "--json")
    assert launched.returncode == 0, launched.stderr
    assert json.loads(launched.stdout)["state"] == "RUNNING"
    recorded = cli(
        "kg", "record-activity", "alice/flights", "python report.py",
        "--input", "models/model.pkl", "--output", "reports/score.json", "--json",
    )  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    assert json.loads(recorded.stdout)["activity_id"]
    graph = _lineage_by_cli(cli, "reports/score.json")
    locations = {node["location"] for node in graph["nodes"]}
    assert {"models/model.pkl", "reports/score.json"} <= locations
    up = cli("up")
    assert up.returncode == 2 and "renku-federation[all]" in up.stderr
    assert cli("logout").returncode == 0 and not (config / "credentials.json").exists()


def test_an_expired_token_says_to_log_in(
    platform: tuple[str, Path], sdk_venv: Path, tmp_path: Path
) -> None:
    from renku_fed.identity.dev_issuer import DevIssuer

    issuer = DevIssuer.load(platform[1] / "dev-issuer")
    token = issuer.sign("alice", expires_in=timedelta(seconds=-60))
    script = (
        "from renku_fed.sdk import Client, Unauthenticated\n"
        "try:\n    Client().users.me()\nexcept Unauthenticated as e:\n    print(e)\n"
    )
    env = _env(tmp_path, RENKU_FED_URL=platform[0], RENKU_FED_TOKEN=token)
    run = subprocess.run(
        [sdk_venv / "python", "-c", script], env=env, capture_output=True, text=True
    )
    assert "UNAUTHENTICATED" in run.stdout and "renku-fed login" in run.stdout, run.stderr
