"""The chart's storage service: keys and the internal secret from the release's Secret."""

from __future__ import annotations

from renku_fed.subgraphs.storage.backends.secret_box import SecretBox
from tests.charts.test_production import FULLNAME, env_of
from tests.support.helm import Rendered, render


def test_storage_keys_and_the_launch_secret_come_from_the_secret(default: Rendered) -> None:
    storage, sessions = env_of(default, "storage"), env_of(default, "sessions")
    keys = storage["RENKU_FED_STORAGE_SECRETS_KEYS"]["valueFrom"]["secretKeyRef"]
    assert keys == {"name": FULLNAME, "key": "storage-secrets-keys"}
    internal = storage["RENKU_FED_STORAGE_INTERNAL_SECRET"]["valueFrom"]["secretKeyRef"]
    assert sessions["RENKU_FED_SESSIONS_STORAGE_SECRET"]["valueFrom"]["secretKeyRef"] == internal
    data = default.named("Secret", FULLNAME)["stringData"]
    SecretBox(data["storage-secrets-keys"].split(","))
    assert len(data["storage-internal-secret"]) >= 32
    config = default.named("ConfigMap", f"{FULLNAME}-sessions")["data"]
    assert config["RENKU_FED_SESSIONS_STORAGE_URL"] == (
        f"http://{FULLNAME}-storage:4005/internal/session-launch"
    )


def test_an_existing_secret_holds_the_keys() -> None:
    rendered = render(
        None, "--set", "storage.secretsKeys.existingSecret=storage-keys",
        "--set", "storage.secretsKeys.existingSecretKey=keys",
    )  # fmt: skip
    keys = env_of(rendered, "storage")["RENKU_FED_STORAGE_SECRETS_KEYS"]["valueFrom"]
    assert keys["secretKeyRef"] == {"name": "storage-keys", "key": "keys"}
