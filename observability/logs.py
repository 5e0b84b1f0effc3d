"""Structured (JSON lines) logging for every service; tokens never reach a log line."""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import orjson

from renku_fed.observability.request_id import RequestIdFilter

_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
# A Jupyter server's URL carries its token; GitLab tokens have a `gl...-` prefix; python-gitlab
# and GitLab's API pass tokens as `private_token`, `access_token` or `PRIVATE-TOKEN`.
_QUERY_TOKEN = re.compile(r"(?i)([?&](?:token|access_token|private_token|oauth_token)=)[^&#\s'\"]+")
_HEADER_TOKEN = re.compile(
    r"(?i)((?:private-token|authorization)['\"]?\s*[:=]\s*['\"]?(?:(?:token|bearer)\s+)?)[^\s'\",}]+"
)
_GITLAB_TOKEN = re.compile(r"\bgl[a-z]{1,6}-[A-Za-z0-9_-]{16,}")
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}


def redact(text: str) -> str:
    """The text with bearer tokens, JWTs, GitLab tokens and tokens in URLs replaced by a marker."""
    text = _JWT.sub("[redacted-token]", _BEARER.sub(r"\1[redacted]", text))
    text = _QUERY_TOKEN.sub(r"\1[redacted]", _HEADER_TOKEN.sub(r"\1[redacted]", text))
    return _GITLAB_TOKEN.sub("[redacted-token]", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, service, logger, message and extra fields."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        """The record as a redacted JSON line."""
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return orjson.dumps(entry, default=str).decode()


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send this process's logs, uvicorn's included, to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
