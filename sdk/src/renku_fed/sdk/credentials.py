"""Where the client finds the platform's URL and a token, and the credentials file of `login`."""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from renku_fed.sdk.errors import LOGIN_HINT, ConfigurationError

URL_VARIABLE = "RENKU_FED_URL"
TOKEN_VARIABLE = "RENKU_FED_TOKEN"
TOKEN_FILE_VARIABLE = "RENKU_FED_TOKEN_FILE"
CONFIG_DIR_VARIABLE = "RENKU_FED_CONFIG_DIR"
CREDENTIALS_FILE = "credentials.json"
# Refresh this long before the access token expires, so a request never carries a dying one.
REFRESH_MARGIN_SECONDS = 30


@dataclass(frozen=True)
class Credentials:
    """What `renku-fed login` stores: the platform, its issuer, and the tokens."""

    url: str
    issuer: str
    client_id: str
    token_endpoint: str
    access_token: str
    refresh_token: str | None
    expires_at: float

    def expired(self, now: float | None = None) -> bool:
        """Whether the access token expires within the refresh margin."""
        return (now or time.time()) >= self.expires_at - REFRESH_MARGIN_SECONDS

    def renewed(
        self, access_token: str, refresh_token: str | None, expires_in: float
    ) -> Credentials:
        """These credentials with new tokens from the token endpoint."""
        return replace(
            self,
            access_token=access_token,
            refresh_token=refresh_token or self.refresh_token,
            expires_at=time.time() + expires_in,
        )


def config_dir() -> Path:
    """`$RENKU_FED_CONFIG_DIR`, else `$XDG_CONFIG_HOME/renku-fed`, else `~/.config/renku-fed`."""
    if os.environ.get(CONFIG_DIR_VARIABLE):
        return Path(os.environ[CONFIG_DIR_VARIABLE])
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "renku-fed"


def credentials_path() -> Path:
    """The credentials file `login` writes."""
    return config_dir() / CREDENTIALS_FILE


def load_credentials(path: Path | None = None) -> Credentials | None:
    """The stored credentials, or None when there are none (or they cannot be read)."""
    path = path or credentials_path()
    try:
        return Credentials(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def save_credentials(credentials: Credentials, path: Path | None = None) -> Path:
    """Write the credentials atomically, readable by the owner only (mode 0600)."""
    path = path or credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".credentials-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(asdict(credentials), handle)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def delete_credentials(path: Path | None = None) -> bool:
    """Remove the credentials file; whether there was one."""
    path = path or credentials_path()
    existed = path.exists()
    path.unlink(missing_ok=True)
    return existed


def normalize_url(url: str) -> str:
    """The router's base URL, whether given with or without `/graphql`."""
    return url.rstrip("/").removesuffix("/graphql").rstrip("/")


def _session_token() -> str | None:
    path = os.environ.get(TOKEN_FILE_VARIABLE)
    if not path:
        return None
    try:
        return Path(path).read_text().strip() or None
    except OSError:
        return None


@dataclass(frozen=True)
class Connection:
    """Where to connect and how: a fixed token, the credentials file's, or none (anonymous)."""

    url: str
    token: str | None
    credentials: Credentials | None


def discover(url: str | None = None, token: str | None = None) -> Connection:
    """Find the URL and token: arguments, environment, the session's token file, `login`'s file."""
    stored = load_credentials()
    chosen_url = url or os.environ.get(URL_VARIABLE) or (stored.url if stored else None)
    if not chosen_url:
        raise ConfigurationError(
            f"No platform URL: pass url=..., set {URL_VARIABLE}, or {LOGIN_HINT.split(' to ')[0]}."
        )
    chosen_url = normalize_url(chosen_url)
    chosen_token = token or os.environ.get(TOKEN_VARIABLE) or _session_token()
    if chosen_token:
        return Connection(chosen_url, chosen_token, None)
    if stored is not None and normalize_url(stored.url) == chosen_url:
        return Connection(chosen_url, stored.access_token, stored)
    return Connection(chosen_url, None, None)
