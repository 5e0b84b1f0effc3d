"""The request id: taken from `X-Request-ID` or made, kept for the request's logs, echoed back."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
# A caller's id is kept only when it is short and plain, so that it cannot forge log content.
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_current: ContextVar[str | None] = ContextVar("renku_fed_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served in this context, or None outside a request."""
    return _current.get()


def request_id_from(header: str | None) -> str:
    """The caller's id when it is acceptable, else a new random one."""
    if header is not None and _ACCEPTED.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """ASGI wrapper giving every HTTP request an id, for its log lines and its response header."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Set the request id for the wrapped app and add it to the response headers."""
        if scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return
        header = dict(scope["headers"]).get(HEADER.encode())
        request_id = request_id_from(header.decode("latin-1") if header else None)
        token = _current.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self._app(scope, receive, send_with_id)
        finally:
            _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds the current request id to every record logged while a request is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Attach `request_id` (when in a request); never drops a record."""
        request_id = _current.get()
        if request_id is not None:
            record.request_id = request_id
        return True
