"""Security headers on every HTML page a service serves: no framing, no sniffing, no referrer."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTML_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
# For a page that brings no policy of its own (its inline styles stay allowed): no framing.
DEFAULT_CSP = "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"


class SecurityHeaders:
    """ASGI wrapper adding `HTML_HEADERS` (and a default CSP when none is set) to HTML answers."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, adding the headers to a response whose type is text/html."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and _is_html(message):
                headers = MutableHeaders(scope=message)
                for name, value in HTML_HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("content-security-policy", DEFAULT_CSP)
            await send(message)

        await self._app(scope, receive, send_with_headers)


def _is_html(start: Message) -> bool:
    """True when a response start message declares an HTML body."""
    for name, value in start.get("headers", ()):
        if name.lower() == b"content-type":
            return bool(value.startswith(b"text/html"))
    return False
