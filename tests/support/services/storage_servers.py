"""Real storage servers on free 127.0.0.1 ports for the storage subgraph's data connectors.

`s3_server` is moto's standalone S3 server (moto[server], in the test extra) with one bucket
holding two files; `webdav_server` is `rclone serve webdav` over a temporary folder. Tests that
need rclone are skipped, with the reason, only when it is not installed
(`bash tests/support/services/install.sh` installs Debian's `rclone`, as CI does).
`rclone_lsf` lists a remote with the rclone options a session would get.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.ports import free_port

BUCKET = "flights-data"
BUCKET_FILES = ("2024/flights.csv", "README.md")
S3_KEY_ID = "AKIATESTKEY000000001"
S3_SECRET = "test-secret-access-key-never-shown"
WEBDAV_USER = "dav"
WEBDAV_PASSWORD = "dav-password-never-shown"


@dataclass(frozen=True)
class StorageServer:
    """A running server: its URL and the credentials it accepts."""

    url: str
    user: str
    password: str


def require_rclone() -> str:
    """The rclone binary; skips the test when it is not installed."""
    binary = shutil.which("rclone")
    if binary is None:
        pytest.skip("rclone is not installed (bash tests/support/services/install.sh)")
    return binary


@pytest.fixture
def s3_server() -> Iterator[StorageServer]:
    """moto's S3 server on 127.0.0.1, with the bucket `flights-data` and its files."""
    boto3 = pytest.importorskip("boto3")
    server_module = pytest.importorskip("moto.server")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=free_port())
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    client = boto3.client(
        "s3", endpoint_url=url, aws_access_key_id=S3_KEY_ID,
        aws_secret_access_key=S3_SECRET, region_name="us-east-1",
    )  # fmt: skip
    client.create_bucket(Bucket=BUCKET)
    for key in BUCKET_FILES:
        client.put_object(Bucket=BUCKET, Key=key, Body=f"contents of {key}\n".encode())
    try:
        yield StorageServer(url, S3_KEY_ID, S3_SECRET)
    finally:
        server.stop()


@pytest.fixture
def webdav_server(tmp_path: Path) -> Iterator[StorageServer]:
    """`rclone serve webdav` on 127.0.0.1 over a folder holding `shared/notes.txt`."""
    binary = require_rclone()
    root = tmp_path / "webdav-root"
    (root / "shared").mkdir(parents=True)
    (root / "shared" / "notes.txt").write_text("notes\n")
    url = f"http://127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        [binary, "serve", "webdav", str(root), "--addr", url.removeprefix("http://"),
         "--user", WEBDAV_USER, "--pass", WEBDAV_PASSWORD],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=rclone_environment(),
    )  # fmt: skip
    try:
        _wait_until_up(url)
        yield StorageServer(url, WEBDAV_USER, WEBDAV_PASSWORD)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_up(url: str, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            httpx.request("PROPFIND", url, timeout=1.0)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def rclone_environment() -> dict[str, str]:
    """This environment without a custom AWS CA bundle (rclone's S3 refuses one over http)."""
    return {k: v for k, v in os.environ.items() if k != "AWS_CA_BUNDLE"}


def rclone_lsf(storage_type: str, configuration: Mapping[str, Any], path: str) -> list[str]:
    """The files under `path` of the remote, listed recursively by `rclone lsf`."""
    binary = require_rclone()
    env = rclone_environment()
    env["RCLONE_CONFIG"] = os.devnull
    prefix = "RCLONE_CONFIG_REMOTE_"
    env[prefix + "TYPE"] = storage_type
    for name, value in configuration.items():
        if name != "type":
            env[prefix + name.upper()] = (
                str(value).lower() if isinstance(value, bool) else str(value)
            )
    if storage_type == "webdav" and "pass" in configuration:
        env[prefix + "PASS"] = subprocess.run(
            [binary, "obscure", str(configuration["pass"])],
            capture_output=True, text=True, check=True, env=env,
        ).stdout.strip()  # fmt: skip
    done = subprocess.run(
        [binary, "lsf", "-R", "--files-only", f"remote:{path}"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return sorted(done.stdout.split())
