"""Session stores, sealing, session keys, redirect paths and login settings, without a network."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from renku_fed.router.auth import LoginSettings, MemorySessionStore, SqliteSessionStore, safe_path
from renku_fed.router.auth.sessions import SealedStore, SessionKeyError, load_session_key
from renku_fed.router.auth.store import SessionStore
from renku_fed.router.settings import RouterSettings

KEY = bytes(range(32))


@pytest.fixture(params=["memory", "sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> SessionStore:
    """Each store the router ships."""
    if request.param == "memory":
        return MemorySessionStore()
    return SqliteSessionStore(tmp_path / "sessions.sqlite3")


async def test_store_puts_gets_deletes_and_expires(store: SessionStore) -> None:
    await store.put("a", b"one", 60)
    await store.put("b", b"two", 0.05)
    await store.put("a", b"three", 60)
    assert await store.get("a") == b"three"
    await asyncio.sleep(0.1)
    assert await store.get("b") is None
    await store.delete("a")
    await store.delete("missing")
    assert await store.get("a") is None
    await store.aclose()


async def test_sqlite_store_keeps_sessions_across_instances(tmp_path: Path) -> None:
    first = SqliteSessionStore(tmp_path / "s.sqlite3")
    await first.put("k", b"v", 60)
    await first.aclose()
    second = SqliteSessionStore(tmp_path / "s.sqlite3")
    assert await second.get("k") == b"v"
    await second.aclose()


async def test_sealed_store_encrypts_hashes_keys_and_refuses_tampering() -> None:
    raw = MemorySessionStore()
    sealed = SealedStore(raw, KEY)
    await sealed.put("session", "the-session-id", b"secret tokens", 60)
    assert await sealed.get("session", "the-session-id") == b"secret tokens"
    [(key, (value, _))] = raw._items.items()
    assert "the-session-id" not in key and b"secret tokens" not in value

    # A record moved under another id, or edited, or read with another key, is no session.
    await raw.put(key.replace("session:", "session:0"), value, 60)
    assert await SealedStore(raw, bytes(32)).get("session", "the-session-id") is None
    edited = value[:-1] + bytes([value[-1] ^ 1])
    await raw.put(key, edited, 60)
    assert await sealed.get("session", "the-session-id") is None
    await raw.put(key, value, 60)
    assert await sealed.get("login", "the-session-id") is None


def test_session_key_is_generated_once_and_private(tmp_path: Path) -> None:
    settings = LoginSettings(client_id="renku", data_dir=tmp_path / "router")
    key = load_session_key(settings)
    assert len(key) == 32 and load_session_key(settings) == key
    assert (tmp_path / "router" / "session-key").stat().st_mode & 0o777 == 0o600


def test_configured_session_key_is_used_and_checked(tmp_path: Path) -> None:
    configured = base64.urlsafe_b64encode(KEY).decode().rstrip("=")
    settings = LoginSettings(session_key=SecretStr(configured), data_dir=tmp_path)
    assert load_session_key(settings) == KEY
    assert not (tmp_path / "session-key").exists()
    short = LoginSettings(session_key=SecretStr("c2hvcnQ"), data_dir=tmp_path)
    with pytest.raises(SessionKeyError, match="must hold 32 bytes"):
        load_session_key(short)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "/"),
        ("", "/"),
        ("/projects?tab=1#top", "/projects?tab=1#top"),
        ("https://evil.example/", None),
        ("//evil.example", None),
        ("/\\evil.example", None),
        ("javascript:alert(1)", None),
        ("/ok\r\nSet-Cookie: x=y", None),
        ("relative", None),
    ],
)
def test_safe_path_accepts_only_paths_of_this_site(value: str | None, expected: str | None) -> None:
    assert safe_path(value, default="/") == expected


def test_login_settings_refuse_an_insecure_host_cookie_and_unknown_stores() -> None:
    with pytest.raises(ValidationError, match="__Host-"):
        LoginSettings(cookie_secure=False)
    assert LoginSettings(cookie_secure=False, cookie_name="renku-session").cookie_name
    with pytest.raises(ValidationError, match="memory"):
        LoginSettings(store="etcd")
    assert not LoginSettings().enabled and LoginSettings(client_id="renku").enabled
    headers = LoginSettings(csrf_headers=[" X-Renku-CSRF ", ""]).csrf_headers
    assert headers == ["x-renku-csrf"]


def test_login_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENKU_FED_ROUTER_LOGIN_CLIENT_ID", "renku")
    monkeypatch.setenv("RENKU_FED_ROUTER_LOGIN_CLIENT_SECRET", "s3cret")
    settings = RouterSettings()
    assert settings.login.client_id == "renku"
    assert settings.login.client_secret.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)
