"""Browser sessions: tokens kept server-side, encrypted, refreshed before they expire."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import logging
import os
import secrets
import time
import weakref
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from renku_fed.identity.tokens import IssuerUnavailable
from renku_fed.router.auth.oidc import GrantRefused, OidcClient, TokenSet
from renku_fed.router.auth.settings import LoginSettings
from renku_fed.router.auth.store import SessionStore

log = logging.getLogger("router.auth")

SESSION_KEY_FILE = "session-key"


class SessionKeyError(ValueError):
    """The configured session key is not 32 bytes of url-safe base64."""


def load_session_key(settings: LoginSettings) -> bytes:
    """The AES key of stored sessions: configured, or generated once into the data dir."""
    if settings.session_key is not None:
        return _decode_key(settings.session_key.get_secret_value(), "session_key")
    path = settings.data_dir / SESSION_KEY_FILE
    if not path.exists():
        _write_new_key(path)
        log.warning(
            "generated a session key; set RENKU_FED_ROUTER_LOGIN_SESSION_KEY in production",
            extra={"path": str(path)},
        )
    return _decode_key(path.read_text().strip(), str(path))


def _decode_key(text: str, source: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise SessionKeyError(f"{source} is not url-safe base64.") from exc
    if len(key) != 32:
        raise SessionKeyError(f"{source} must hold 32 bytes (AES-256), not {len(key)}.")
    return key


def _write_new_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()
    # O_EXCL: of two routers starting at once, the second reads the first one's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


@dataclass(frozen=True, slots=True)
class PendingLogin:
    """A login between /auth/login and /auth/callback."""

    verifier: str
    nonce: str
    redirect_uri: str
    return_to: str


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in browser: its tokens and when the session ends at the latest."""

    tokens: TokenSet
    subject: str
    ends_at: float

    def to_json(self) -> bytes:
        """The session as JSON, to be sealed before it is stored."""
        return orjson.dumps(asdict(self))

    @classmethod
    def from_json(cls, data: bytes) -> Session:
        """The session stored as JSON by `to_json`."""
        raw: dict[str, Any] = orjson.loads(data)
        return cls(TokenSet(**raw["tokens"]), str(raw["subject"]), float(raw["ends_at"]))


class SealedStore:
    """A SessionStore seen through AES-GCM: values encrypted, keys hashed, both bound together."""

    def __init__(self, store: SessionStore, key: bytes) -> None:
        self._store = store
        self._aead = AESGCM(key)

    async def get(self, kind: str, name: str) -> bytes | None:
        """The plaintext stored for `name`; None when absent, expired or tampered with."""
        key = _store_key(kind, name)
        sealed = await self._store.get(key)
        if sealed is None or len(sealed) < 13:
            return None
        try:
            return self._aead.decrypt(sealed[:12], sealed[12:], key.encode())
        except InvalidTag:
            # Another key (rotated) or an edited record: either way no session.
            return None

    async def put(self, kind: str, name: str, value: bytes, ttl_seconds: float) -> None:
        """Encrypt and store `value` for `name`."""
        key = _store_key(kind, name)
        nonce = os.urandom(12)
        sealed = nonce + self._aead.encrypt(nonce, value, key.encode())
        await self._store.put(key, sealed, ttl_seconds)

    async def delete(self, kind: str, name: str) -> None:
        """Forget what is stored for `name`."""
        await self._store.delete(_store_key(kind, name))


def _store_key(kind: str, name: str) -> str:
    # The store sees hashes only: a dump of it gives no cookie value or login state.
    return f"{kind}:{hashlib.sha256(name.encode()).hexdigest()}"


class SessionManager:
    """Creates, reads, refreshes and ends browser sessions."""

    def __init__(
        self,
        store: SessionStore,
        key: bytes,
        oidc: OidcClient,
        settings: LoginSettings,
    ) -> None:
        self._store = store
        self._sealed = SealedStore(store, key)
        self._oidc = oidc
        self._settings = settings
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def aclose(self) -> None:
        """Close the store."""
        await self._store.aclose()

    async def start_login(self, pending: PendingLogin) -> str:
        """Remember a login under a new random `state`, which is returned."""
        state = secrets.token_urlsafe(32)
        value = orjson.dumps(asdict(pending))
        await self._sealed.put("login", state, value, self._settings.login_timeout_seconds)
        return state

    async def finish_login(self, state: str) -> PendingLogin | None:
        """The login started under `state`, which can be finished only once."""
        value = await self._sealed.get("login", state)
        if value is None:
            return None
        await self._sealed.delete("login", state)
        return PendingLogin(**orjson.loads(value))

    async def create(self, tokens: TokenSet, subject: str) -> str:
        """Store a new session for these tokens and return its id (the cookie value)."""
        session_id = secrets.token_urlsafe(32)
        session = Session(tokens, subject, time.time() + self._settings.session_seconds)
        await self._save(session_id, session)
        log.info("session started", extra={"subject": subject})
        return session_id

    async def get(self, session_id: str) -> Session | None:
        """The session with this id, or None when there is none (or it has ended)."""
        value = await self._sealed.get("session", session_id)
        return Session.from_json(value) if value is not None else None

    async def access_token(self, session_id: str) -> str | None:
        """A current access token of the session, refreshed first when it is about to expire."""
        session = await self.get(session_id)
        if session is None:
            return None
        if not self._expiring(session):
            return session.tokens.access_token
        lock = self._locks.get(session_id)
        if lock is None:
            lock = self._locks[session_id] = asyncio.Lock()
        async with lock:
            # Another request may have refreshed it while this one waited for the lock.
            session = await self.get(session_id)
            if session is None or not self._expiring(session):
                return session.tokens.access_token if session is not None else None
            try:
                tokens = await self._oidc.refresh(session.tokens)
            except GrantRefused:
                # Another replica may have spent the (rotated) refresh token a moment ago.
                current = await self.get(session_id)
                if current is not None and current.tokens != session.tokens:
                    return current.tokens.access_token
                log.info("session ended by the issuer", extra={"subject": session.subject})
                await self._sealed.delete("session", session_id)
                return None
            except IssuerUnavailable:
                # The issuer is down: a token that still works is better than none.
                if session.tokens.expires_at > time.time():
                    return session.tokens.access_token
                raise
            await self._save(session_id, Session(tokens, session.subject, session.ends_at))
            log.info("session refreshed", extra={"subject": session.subject})
            return tokens.access_token

    async def end(self, session_id: str) -> Session | None:
        """Forget the session and return it, so that the issuer's session can be ended too."""
        session = await self.get(session_id)
        await self._sealed.delete("session", session_id)
        if session is not None:
            log.info("session ended", extra={"subject": session.subject})
        return session

    def _expiring(self, session: Session) -> bool:
        return session.tokens.expires_at - self._settings.refresh_margin_seconds <= time.time()

    async def _save(self, session_id: str, session: Session) -> None:
        ends_at = session.ends_at
        if session.tokens.refresh_expires_at is not None:
            ends_at = min(ends_at, session.tokens.refresh_expires_at)
        elif session.tokens.refresh_token is None:
            ends_at = min(ends_at, session.tokens.expires_at)
        ttl = ends_at - time.time()
        if ttl > 0:
            await self._sealed.put("session", session_id, session.to_json(), ttl)
