"""The browser login of the router (backend for frontend): /auth routes and cookie sessions."""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from urllib.parse import urlsplit

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from renku_fed.identity.settings import AuthSettings
from renku_fed.identity.tokens import IssuerUnavailable, TokenError, TokenVerifier
from renku_fed.router.auth.oidc import GrantRefused, LoginError, OidcClient
from renku_fed.router.auth.sessions import PendingLogin, SessionManager, load_session_key
from renku_fed.router.auth.settings import LoginSettings
from renku_fed.router.auth.store import MemorySessionStore, SessionStore, SqliteSessionStore

log = logging.getLogger("router.auth")

CALLBACK_PATH = "/auth/callback"
SIMPLE_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)


class CsrfRefused(Exception):
    """A cookie-authenticated request that a cross-site form or script could have sent."""


class SessionEnded(TokenError):
    """The request's session cookie names no live session."""


class BrowserLogin:
    """Signs browsers in at the issuer and turns their session cookies into bearer tokens."""

    def __init__(
        self,
        settings: LoginSettings,
        auth: AuthSettings,
        verifier: TokenVerifier,
        *,
        store: SessionStore | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        if store is None and settings.store == "redis":
            raise ValueError("the `redis` session store is passed in by create_router_app")
        self._settings = settings
        self._verifier = verifier
        self._oidc = OidcClient(auth, settings, client)
        if store is None:
            store = (
                SqliteSessionStore(settings.data_dir / "sessions.sqlite3")
                if settings.store == "sqlite"
                else MemorySessionStore()
            )
        self._sessions = SessionManager(store, load_session_key(settings), self._oidc, settings)
        self._cookie = settings.cookie_name
        self._login_cookie = f"{settings.cookie_name}-login"
        self._csrf_headers = tuple(settings.csrf_headers)
        self._public_url = settings.public_url.rstrip("/") if settings.public_url else None
        self._post_logout = safe_path(settings.post_logout_path) or "/"
        self.csrf_message = (
            "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF): "
            "a request authenticated by the session cookie needs a `content-type` other than "
            "application/x-www-form-urlencoded, multipart/form-data or text/plain, or one of "
            f"the headers {', '.join(self._csrf_headers)}."
        )

    @property
    def routes(self) -> list[BaseRoute]:
        """The /auth routes."""
        return [
            Route("/auth/login", self.login, methods=["GET"]),
            Route(CALLBACK_PATH, self.callback, methods=["GET"]),
            Route("/auth/logout", self.logout, methods=["GET", "POST"]),
            Route("/auth/me", self.me, methods=["GET"]),
        ]

    async def aclose(self) -> None:
        """Close the session store and the connections to the issuer."""
        await self._sessions.aclose()
        await self._oidc.aclose()

    async def bearer_token(self, request: Request) -> str | None:
        """The access token of the request's session cookie, or None without one.

        CsrfRefused when the request could have been sent cross-site; SessionEnded when the
        cookie names no live session; IssuerUnavailable when its expired token cannot be
        refreshed now.
        """
        session_id = request.cookies.get(self._cookie)
        if not session_id:
            return None
        if not self._preflighted(request):
            raise CsrfRefused(self.csrf_message)
        token = await self._sessions.access_token(session_id)
        if token is None:
            raise SessionEnded("Your session has ended; sign in again at /auth/login.")
        return token

    def forget_cookie(self, response: Response) -> None:
        """Make the browser drop its session cookie."""
        response.delete_cookie(
            self._cookie, path="/", secure=self._settings.cookie_secure, httponly=True
        )

    async def login(self, request: Request) -> Response:
        """Send the browser to the issuer's login, to come back at /auth/callback."""
        return_to = safe_path(request.query_params.get("redirect"), default="/")
        if return_to is None:
            return PlainTextResponse(
                "`redirect` must be a path on this site, such as /projects.", 400
            )
        verifier = secrets.token_urlsafe(64)
        nonce = secrets.token_urlsafe(32)
        redirect_uri = self._callback_url(request)
        state = await self._sessions.start_login(
            PendingLogin(verifier, nonce, redirect_uri, return_to)
        )
        try:
            url = await self._oidc.authorization_url(redirect_uri, state, nonce, verifier)
        except (LoginError, IssuerUnavailable) as exc:
            return PlainTextResponse(str(exc), 502)
        response = RedirectResponse(url, 302)
        # Binds the callback to this browser: a code sent to someone else's browser is useless.
        self._set_cookie(response, self._login_cookie, state, self._settings.login_timeout_seconds)
        return response

    async def callback(self, request: Request) -> Response:
        """Finish the login: trade the code for tokens, start a session, set its cookie."""
        params = request.query_params
        state = params.get("state", "")
        expected = request.cookies.get(self._login_cookie, "")
        if not state or not expected or not hmac.compare_digest(state, expected):
            return self._login_failed(
                "This login was not started in this browser or has expired; sign in again.", 400
            )
        pending = await self._sessions.finish_login(state)
        if pending is None:
            return self._login_failed("This login has expired; sign in again.", 400)
        if "error" in params:
            # Echoed as an OAuth error code only (a restricted alphabet), never as sent.
            error = re.sub(r"[^A-Za-z0-9_.-]", "", params["error"])[:64]
            return self._login_failed(f"The identity provider did not sign you in ({error}).", 400)
        code = params.get("code")
        if not code:
            return self._login_failed("The identity provider sent no authorization code.", 400)
        try:
            tokens = await self._oidc.exchange_code(code, pending.redirect_uri, pending.verifier)
            if tokens.id_token is None:
                raise LoginError("The identity provider sent no ID token.")
            claims = await self._oidc.verify_id_token(tokens.id_token, pending.nonce)
            identity = await self._verifier.verify(tokens.access_token)
        except GrantRefused as exc:
            return self._login_failed(str(exc), 400)
        except (LoginError, TokenError) as exc:
            log.warning("login failed", extra={"reason": str(exc)})
            return self._login_failed(f"Signing in failed: {exc}", 502)
        if identity.subject != claims.get("sub"):
            return self._login_failed("The ID and access tokens name different users.", 502)
        previous = request.cookies.get(self._cookie)
        if previous:
            # A new id at every login: a cookie planted before login never becomes a session.
            await self._sessions.end(previous)
        session_id = await self._sessions.create(tokens, str(claims["sub"]))
        response = RedirectResponse(pending.return_to, 303)
        self._set_cookie(response, self._cookie, session_id, self._settings.session_seconds)
        self._forget_login_cookie(response)
        return response

    async def logout(self, request: Request) -> Response:
        """End the session here and at the issuer, then send the browser on."""
        return_to = safe_path(request.query_params.get("redirect"), default=self._post_logout)
        session_id = request.cookies.get(self._cookie)
        if session_id:
            session = await self._sessions.end(session_id)
            if session is not None:
                await self._oidc.end_session(session.tokens)
        response = RedirectResponse(return_to or self._post_logout, 303)
        self.forget_cookie(response)
        return response

    async def me(self, request: Request) -> Response:
        """Who the session cookie signs in, as JSON (`authenticated` false without a session)."""
        session_id = request.cookies.get(self._cookie)
        try:
            token = await self._sessions.access_token(session_id) if session_id else None
        except (LoginError, IssuerUnavailable) as exc:
            return JSONResponse({"authenticated": False, "reason": str(exc)}, 503)
        if token is None:
            response = JSONResponse({"authenticated": False})
            if session_id:
                self.forget_cookie(response)
            return response
        try:
            identity = await self._verifier.verify(token)
        except TokenError as exc:
            return JSONResponse({"authenticated": False, "reason": str(exc)})
        return JSONResponse(
            {
                "authenticated": True,
                "subject": identity.subject,
                "username": identity.username,
                "email": identity.email,
                "first_name": identity.first_name,
                "last_name": identity.last_name,
            }
        )

    def _preflighted(self, request: Request) -> bool:
        # Apollo's rule: a browser sends a non-simple content type or a custom header
        # cross-site only after a CORS preflight, which our CORS settings decide.
        content_type = request.headers.get("content-type")
        if content_type is not None:
            media_type = content_type.split(";")[0].strip().lower()
            if media_type and media_type not in SIMPLE_CONTENT_TYPES:
                return True
        return any(request.headers.get(name) for name in self._csrf_headers)

    def _callback_url(self, request: Request) -> str:
        base = self._public_url or str(request.base_url).rstrip("/")
        return base + CALLBACK_PATH

    def _set_cookie(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            secure=self._settings.cookie_secure,
            httponly=True,
            samesite="lax",
        )
        response.headers["cache-control"] = "no-store"

    def _forget_login_cookie(self, response: Response) -> None:
        response.delete_cookie(
            self._login_cookie, path="/", secure=self._settings.cookie_secure, httponly=True
        )

    def _login_failed(self, message: str, status: int) -> Response:
        response = PlainTextResponse(message, status)
        self._forget_login_cookie(response)
        return response


def safe_path(value: str | None, default: str | None = None) -> str | None:
    """`value` when it is a path on this site (no scheme, host or `//`), else None."""
    if not value:
        return default
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value
