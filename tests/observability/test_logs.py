"""Log lines: JSON objects, with every kind of token the platform handles redacted."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from renku_fed.observability.logs import JsonFormatter, redact

JUPYTER_TOKEN = "Zq3v8sX1bq9WcYk2PzLr0aTnHmE5uJfD"
GITLAB_PAT = "glpat-xY7zQ2wE4rT6yU8iO0pA"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    "text",
    [
        f"GET http://127.0.0.1:8899/?token={JUPYTER_TOKEN}",
        f"http://127.0.0.1:8899/api/status?x=1&token={JUPYTER_TOKEN}#top",
        f"Authorization: token {JUPYTER_TOKEN}",
        f"Authorization: Bearer {JWT}",
        f"a token leaked: {JWT}",
        f"{{'PRIVATE-TOKEN': '{GITLAB_PAT}'}}",
        f"https://gitlab.example/api/v4/projects?private_token={GITLAB_PAT}",
        f"GitLab refused {GITLAB_PAT}",
        f"https://gitlab.example/api/v4/user?access_token={JUPYTER_TOKEN}",
    ],
)
def test_tokens_are_redacted(text: str) -> None:
    redacted = redact(text)
    assert JUPYTER_TOKEN not in redacted and GITLAB_PAT not in redacted and JWT not in redacted
    assert "[redacted" in redacted


def test_plain_words_are_kept() -> None:
    text = "token verification failed for alice/flights (the token expired); authorization needed"
    assert redact(text) == text


def test_a_record_is_one_redacted_json_line() -> None:
    try:
        raise ValueError(f"could not reach http://127.0.0.1:1/?token={JUPYTER_TOKEN}")
    except ValueError:
        record = logging.getLogger("t").makeRecord(
            "t",
            logging.ERROR,
            __file__,
            1,
            "failed %s",
            (GITLAB_PAT,),
            sys.exc_info(),
            extra={"url": f"http://h/?token={JUPYTER_TOKEN}"},
        )
    line = JsonFormatter("sessions").format(record)
    entry = json.loads(line)
    assert entry["service"] == "sessions" and entry["level"] == "error"
    assert JUPYTER_TOKEN not in line and GITLAB_PAT not in line
