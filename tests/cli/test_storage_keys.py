"""`renku-fed storage`: new keys, and rotating the keys of `up`'s data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from renku_fed.cli.main import main
from renku_fed.cli.up import (
    STORAGE_INTERNAL_SECRET_FILE,
    STORAGE_KEYS_FILE,
    PlatformLayout,
    fernet_key,
    generated_secret,
)
from renku_fed.subgraphs.storage.backends.database import Database
from renku_fed.subgraphs.storage.backends.embedded_secrets import EmbeddedSecrets
from renku_fed.subgraphs.storage.backends.secret_box import SecretBox
from renku_fed.subgraphs.storage.models import SecretKind

VALUE = "rotated-value"


def _store(data_dir: Path, *keys: str) -> EmbeddedSecrets:
    return EmbeddedSecrets(Database(data_dir / "storage"), SecretBox(keys))


def test_new_key_prints_a_fernet_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["storage", "new-key"]) == 0
    SecretBox([capsys.readouterr().out.strip()])


def test_rotating_ups_folder_leaves_only_a_new_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("RENKU_FED_STORAGE_SECRETS_KEYS", raising=False)
    monkeypatch.delenv("RENKU_FED_STORAGE_DATA_DIR", raising=False)
    old = generated_secret(tmp_path / STORAGE_KEYS_FILE, fernet_key)
    slot = _store(tmp_path, old).add_slot("p", "Token", None, "token")
    secret = _store(tmp_path, old).create("alice", "token", SecretKind.GENERAL, VALUE)
    _store(tmp_path, old).fill_slot(slot.id, "alice", secret.id)

    assert main(["storage", "rotate-keys", "--data-dir", str(tmp_path)]) == 0
    assert "Re-encrypted 1 secrets" in capsys.readouterr().out
    new = (tmp_path / STORAGE_KEYS_FILE).read_text()
    assert new != old and (tmp_path / STORAGE_KEYS_FILE).stat().st_mode & 0o077 == 0
    assert _store(tmp_path, new).slot_values("p", "alice") == {slot.id: VALUE}


def test_rotating_with_wrong_keys_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _store(tmp_path, fernet_key()).create("alice", "token", SecretKind.GENERAL, VALUE)
    monkeypatch.delenv("RENKU_FED_STORAGE_DATA_DIR", raising=False)
    monkeypatch.setenv("RENKU_FED_STORAGE_SECRETS_KEYS", fernet_key())
    assert main(["storage", "rotate-keys", "--data-dir", str(tmp_path)]) == 2
    assert "add that key after the first" in capsys.readouterr().err


def test_up_gives_storage_its_keys_and_sessions_the_launch_route(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RENKU_FED_STORAGE_SECRETS_KEYS", raising=False)
    layout = PlatformLayout("127.0.0.1", 4100, tmp_path)
    by_name = {s.name: layout.environment(s, seed_demo=False) for s in layout.services}
    storage, sessions = by_name["storage"], by_name["sessions"]
    assert next(s.port for s in layout.services if s.name == "storage") == 4105
    SecretBox(storage["RENKU_FED_STORAGE_SECRETS_KEYS"].split(","))
    assert storage["RENKU_FED_STORAGE_GRAPH_URL"] == "http://127.0.0.1:4100/graphql"
    assert sessions["RENKU_FED_SESSIONS_STORAGE_URL"] == (
        "http://127.0.0.1:4105/internal/session-launch"
    )
    secret = storage["RENKU_FED_STORAGE_INTERNAL_SECRET"]
    assert sessions["RENKU_FED_SESSIONS_STORAGE_SECRET"] == secret and len(secret) >= 32
    for name in (STORAGE_KEYS_FILE, STORAGE_INTERNAL_SECRET_FILE):
        assert (tmp_path / name).stat().st_mode & 0o077 == 0
    assert "RENKU_FED_STORAGE_SECRETS_KEYS" not in by_name["projects"]


def test_the_storage_pods_folder_and_keys_come_from_its_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = fernet_key(), fernet_key()
    store = EmbeddedSecrets(Database(tmp_path / "pod-data"), SecretBox([old]))
    store.create("alice", "token", SecretKind.GENERAL, VALUE)
    monkeypatch.setenv("RENKU_FED_STORAGE_DATA_DIR", str(tmp_path / "pod-data"))
    monkeypatch.setenv("RENKU_FED_STORAGE_SECRETS_KEYS", f"{new},{old}")
    assert main(["storage", "rotate-keys"]) == 0
    assert EmbeddedSecrets(Database(tmp_path / "pod-data"), SecretBox([new])).rotate() == 1
