"""Secrets at rest: encrypted in a private SQLite file, re-encrypted when keys rotate."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.storage.backends.database import DATABASE_FILE, Database
from renku_fed.subgraphs.storage.backends.embedded_secrets import EmbeddedSecrets
from renku_fed.subgraphs.storage.backends.secret_box import SecretBox
from renku_fed.subgraphs.storage.models import SecretKind

VALUE = "hunter2-the-value-at-rest"


def _secrets(data_dir: Path, *keys: str) -> EmbeddedSecrets:
    return EmbeddedSecrets(Database(data_dir), SecretBox(keys))


def test_the_database_is_private_and_holds_no_plain_value(tmp_path: Path) -> None:
    data_dir = tmp_path / "storage"
    secrets = _secrets(data_dir, SecretBox.new_key())
    secrets.create("alice", "token", SecretKind.GENERAL, VALUE)
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / DATABASE_FILE).stat().st_mode) == 0o600
    assert VALUE.encode() not in (data_dir / DATABASE_FILE).read_bytes()


def test_rotation_lets_the_old_key_go(tmp_path: Path) -> None:
    old, new = SecretBox.new_key(), SecretBox.new_key()
    data_dir = tmp_path / "storage"
    secret = _secrets(data_dir, old).create("alice", "token", SecretKind.GENERAL, VALUE)
    slot = _secrets(data_dir, old).add_slot("p1", "Token", None, "token.txt")
    _secrets(data_dir, old).fill_slot(slot.id, "alice", secret.id)

    assert _secrets(data_dir, new, old).rotate() == 1
    assert _secrets(data_dir, new).slot_values("p1", "alice") == {slot.id: VALUE}
    with pytest.raises(ValueError, match=r"no\s+longer holds"):
        _secrets(data_dir, old).slot_values("p1", "alice")


def test_a_key_that_is_not_fernet_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="RENKU_FED_STORAGE_SECRETS_KEYS"):
        SecretBox(["not-a-key"])


def test_names_are_unique_per_owner(tmp_path: Path) -> None:
    secrets = _secrets(tmp_path, SecretBox.new_key())
    secrets.create("alice", "token", SecretKind.GENERAL, VALUE)
    secrets.create("bob", "token", SecretKind.GENERAL, VALUE)
    with pytest.raises(DomainError) as taken:
        secrets.create("alice", "token", SecretKind.STORAGE, VALUE)
    assert taken.value.code is ErrorCode.CONFLICT
    assert secrets.search("alice", None, 0, 10).total == 1
