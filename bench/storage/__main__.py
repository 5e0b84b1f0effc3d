"""`python -m bench.storage [--connectors 20] [--secrets 1000] [--rounds 200]`: the storage
service's costs, printed as one JSON object.

- `schema_load_ms`: reading rclone's provider schema at start (`rclone config providers`);
- `validate_us`: checking one S3 configuration against it;
- `launch_p50_ms`, `launch_p95_ms`: `POST /internal/session-launch` for a project with
  `--connectors` linked connectors, each with the user's two decrypted credentials, in process
  (ASGI, SQLite and Fernet for real), beside `peer_read_p50_ms`, the same rows read without
  decrypting or HTTP;
- `rotate_per_secret_us`: re-encrypting `--secrets` secrets with a new key.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import TokenVerifier
from renku_fed.subgraphs.storage.app import build_app
from renku_fed.subgraphs.storage.backends import StorageService
from renku_fed.subgraphs.storage.backends.secret_box import SecretBox
from renku_fed.subgraphs.storage.models import (
    DataConnectorDraft,
    SecretKind,
    Storage,
    Visibility,
)
from renku_fed.subgraphs.storage.providers import ProviderSchema
from renku_fed.subgraphs.storage.settings import StorageSettings

PROJECT = "01JBENCH000000000000PR0JCT"
USER = "bench-user"
SECRET = "bench-internal-secret"
S3 = {"type": "s3", "provider": "Other", "endpoint": "http://127.0.0.1:9000",
      "access_key_id": None, "secret_access_key": None}  # fmt: skip


def _timed(call: Callable[[], object], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def _seed(service: StorageService, connectors: int, secrets: int) -> None:
    storage = service.connectors
    for i in range(connectors):
        draft = DataConnectorDraft(
            name=f"Bucket {i}", namespace="bench", slug=f"bucket-{i}",
            visibility=Visibility.PUBLIC, description=None, keywords=(),
            storage=Storage("s3", S3, f"bucket-{i}", f"data/bucket-{i}", True),
        )  # fmt: skip
        made = storage.insert(draft, USER)
        storage.link(made.id, PROJECT, USER)
        values = {"access_key_id": f"key-{i}", "secret_access_key": f"secret-{i}"}
        service.secrets.save_connector_credentials(USER, made, values)
    for i in range(secrets - 2 * connectors):
        service.secrets.create(USER, f"general-{i}", SecretKind.GENERAL, f"value-{i}")


async def _launches(app: Any, rounds: int) -> list[float]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://storage") as client:
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            response = await client.post(
                "/internal/session-launch", json={"projectId": PROJECT, "userId": USER},
                headers={"X-Renku-Internal-Token": SECRET},
            )  # fmt: skip
            times.append(time.perf_counter() - start)
            response.raise_for_status()
        return times


def _ms(values: list[float], quantile: int) -> float:
    return round(statistics.quantiles(values, n=100)[quantile - 1] * 1000, 3)


def main() -> None:
    """Run the benchmark and print its JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bench.storage")
    parser.add_argument("--connectors", type=int, default=20)
    parser.add_argument("--secrets", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    load = _timed(ProviderSchema.from_rclone, 5)
    schema = ProviderSchema.from_rclone()
    validate = _timed(lambda: schema.validate({**S3, "access_key_id": "k"}), args.rounds)
    with tempfile.TemporaryDirectory() as folder:
        settings = StorageSettings(
            data_dir=Path(folder),
            secrets_keys=SecretStr(SecretBox.new_key()),
            internal_secret=SecretStr(SECRET),
        )
        app = build_app(settings, TokenVerifier(AuthSettings(issuer="http://127.0.0.1:1/x")))
        service: StorageService = app.state.service
        _seed(service, args.connectors, args.secrets)
        launches = asyncio.run(_launches(app, args.rounds))
        peer = _timed(lambda: service.connectors.project_links(PROJECT), args.rounds)
        rotate = _timed(service.secrets.rotate, 1)[0]
    print(json.dumps({
        "connectors": args.connectors, "secrets": args.secrets,
        "schema_load_ms": round(statistics.median(load) * 1000, 1),
        "validate_us": round(statistics.median(validate) * 1e6, 1),
        "launch_p50_ms": _ms(launches, 50), "launch_p95_ms": _ms(launches, 95),
        "peer_read_p50_ms": _ms(peer, 50),
        "rotate_per_secret_us": round(rotate / args.secrets * 1e6, 1),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
