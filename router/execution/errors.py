"""Subgraph errors moved to client paths, tagged with the subgraph that raised them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from renku_fed.router.execution.flatten import ConcretePath
from renku_fed.router.execution.transport import SubgraphRequestError

REDACTED_MESSAGE = "Subgraph errors redacted."


def client_error(
    error: dict[str, Any], service: str, path: Sequence[str | int] | None
) -> dict[str, Any]:
    """A subgraph error for the client: `path` set, `locations` dropped, serviceName added."""
    out: dict[str, Any] = {"message": str(error.get("message", "Unknown subgraph error."))}
    if path:
        out["path"] = list(path)
    extensions = error.get("extensions")
    out["extensions"] = {
        **(extensions if isinstance(extensions, dict) else {}),
        "serviceName": service,
    }
    return out


def redacted(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The errors with subgraph messages hidden; paths and `extensions.code` kept."""
    out: list[dict[str, Any]] = []
    for error in errors:
        masked: dict[str, Any] = {"message": REDACTED_MESSAGE}
        if "path" in error:
            masked["path"] = error["path"]
        extensions = error.get("extensions")
        if isinstance(extensions, dict) and "code" in extensions:
            masked["extensions"] = {"code": extensions["code"]}
        out.append(masked)
    return out


def root_errors(errors: list[dict[str, Any]], service: str) -> list[dict[str, Any]]:
    """Errors of a root fetch, whose paths already are client paths."""
    return [client_error(e, service, _valid_path(e.get("path"))) for e in errors]


def entity_errors(
    errors: list[dict[str, Any]],
    service: str,
    targets: Callable[[], list[list[ConcretePath]]],
    fallback: Sequence[str | int],
) -> list[dict[str, Any]]:
    """Errors of an `_entities` fetch: `_entities.i.rest` becomes one error per position of i."""
    out: list[dict[str, Any]] = []
    paths: list[list[ConcretePath]] | None = None
    for error in errors:
        position = _entity_position(error.get("path"))
        if position is not None and paths is None:
            paths = targets()
        if position is not None and paths is not None and position[0] < len(paths):
            index, rest = position
            out.extend(client_error(error, service, [*where, *rest]) for where in paths[index])
        else:
            out.append(client_error(error, service, fallback))
    return out


def _entity_position(path: Any) -> tuple[int, list[str | int]] | None:
    """(i, rest) of an `_entities.i.rest` error path, else None."""
    valid = _valid_path(path)
    if valid is None or len(valid) < 2 or valid[0] != "_entities":
        return None
    index = valid[1]
    if not isinstance(index, int) or index < 0:
        return None
    return index, valid[2:]


def failure_error(exc: SubgraphRequestError, path: Sequence[str | int]) -> dict[str, Any]:
    """The error that stands for a subgraph call that produced no GraphQL response."""
    return {
        "message": exc.message,
        **({"path": list(path)} if path else {}),
        "extensions": {"code": exc.code, "serviceName": exc.service},
    }


def _valid_path(path: Any) -> list[str | int] | None:
    if isinstance(path, list) and all(isinstance(p, str | int) for p in path):
        return path
    return None
