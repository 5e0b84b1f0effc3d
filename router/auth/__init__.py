"""Browser login for the router: OIDC authorization-code flow, sessions, cookies and CSRF."""

from renku_fed.router.auth.login import BrowserLogin, CsrfRefused, SessionEnded, safe_path
from renku_fed.router.auth.settings import LoginSettings
from renku_fed.router.auth.store import MemorySessionStore, SessionStore, SqliteSessionStore

__all__ = [
    "BrowserLogin",
    "CsrfRefused",
    "LoginSettings",
    "MemorySessionStore",
    "SessionEnded",
    "SessionStore",
    "SqliteSessionStore",
    "safe_path",
]
