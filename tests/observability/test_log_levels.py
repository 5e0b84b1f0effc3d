"""A client's mistake is one info line without traceback; a failure stays an error with one."""

from __future__ import annotations

import logging
from typing import ClassVar

import pytest
from graphql import GraphQLError

from renku_fed.observability.logs import configure_logging


class Coded(Exception):
    """An exception carrying a client-facing code, as the subgraphs' DomainError does."""

    extensions: ClassVar[dict[str, str]] = {"code": "BAD_USER_INPUT"}


@pytest.fixture(autouse=True)
def _logging() -> None:
    configure_logging("test")


def _log(error: GraphQLError) -> logging.LogRecord:
    logger = logging.getLogger("strawberry.execution")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        logger.error(error, exc_info=error.original_error)
    finally:
        logger.removeHandler(handler)
    return records[0]


def test_a_validation_error_is_logged_at_info() -> None:
    record = _log(GraphQLError("Cannot query field 'nope' on type 'Query'."))

    assert record.levelno == logging.INFO and record.exc_info is None


def test_a_coded_user_error_is_info_with_its_code_and_no_traceback() -> None:
    record = _log(GraphQLError("bad", original_error=Coded("bad")))

    assert record.levelno == logging.INFO and record.exc_info is None
    assert record.__dict__["code"] == "BAD_USER_INPUT"


def test_an_unexpected_failure_stays_an_error_with_its_traceback() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        record = _log(GraphQLError("boom", original_error=exc))

    assert record.levelno == logging.ERROR and record.exc_info is not None
