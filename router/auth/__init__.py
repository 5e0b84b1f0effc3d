"""Browser login for the router: OIDC authorization-code flow, sessions, cookies and CSRF."""

from router.auth.login import BrowserLogin, CsrfRefused, SessionEnded, safe_path
from router.auth.oidc import IssuerUnavailable
from router.auth.settings import LoginSettings
from router.auth.store import MemorySessionStore, SessionStore, SqliteSessionStore

__all__ = [
    "BrowserLogin",
    "CsrfRefused",
    "IssuerUnavailable",
    "LoginSettings",
    "MemorySessionStore",
    "SessionEnded",
    "SessionStore",
    "SqliteSessionStore",
    "safe_path",
]
