"""Structured (JSON lines) logging for every service; tokens never reach a log line."""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

from pythonjsonlogger.orjson import OrjsonFormatter

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
_RENAMED = {"asctime": "time", "levelname": "level", "name": "logger", "exc_info": "exception"}
# Fields the formatter itself fills; every other string (message, extras, exception) is redacted.
_OWN_FIELDS = frozenset({"time", "level", "service", "logger"})


def redact(text: str) -> str:
    """The text with bearer tokens, JWTs, GitLab tokens and tokens in URLs replaced by a marker."""
    text = _JWT.sub("[redacted-token]", _BEARER.sub(r"\1[redacted]", text))
    text = _QUERY_TOKEN.sub(r"\1[redacted]", _HEADER_TOKEN.sub(r"\1[redacted]", text))
    return _GITLAB_TOKEN.sub("[redacted-token]", text)


class JsonFormatter(OrjsonFormatter):
    """One JSON object per line: time, level, logger, message, service and extra fields."""

    def __init__(self, service: str) -> None:
        super().__init__(
            ["asctime", "levelname", "name", "message"],
            datefmt="%Y-%m-%dT%H:%M:%S%z",
            rename_fields=_RENAMED,
            static_fields={"service": service},
            reserved_attrs=sorted(_STANDARD),
            json_default=str,
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        """The entry with a lower-case level and every other string redacted."""
        log_data["level"] = log_data["level"].lower()
        for key, value in log_data.items():
            if isinstance(value, str) and key not in _OWN_FIELDS:
                log_data[key] = redact(value)
        return log_data


class ClientErrorsAsInfo(logging.Filter):
    """Turns GraphQL's log of a client's mistake (no exception, or one with a `code`) into info.

    Strawberry logs every error of a response at error level with its traceback; a bad request
    is the client's mistake, worth one short line, not an alarm.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Lower a client error's record to info without traceback; never drops a record."""
        error = record.exc_info[1] if record.exc_info else None
        extensions = getattr(error, "extensions", None)
        if error is None or (isinstance(extensions, dict) and "code" in extensions):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.exc_info, record.exc_text = None, None
            if isinstance(extensions, dict):
                record.code = extensions["code"]
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send this process's logs, uvicorn's included, to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    graphql = logging.getLogger("strawberry.execution")
    if not any(isinstance(f, ClientErrorsAsInfo) for f in graphql.filters):
        graphql.addFilter(ClientErrorsAsInfo())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
