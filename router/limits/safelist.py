"""The persisted-query safelist: the operations of an Apollo persisted-query manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

MANIFEST_FORMAT = "apollo-persisted-query-manifest"


class SafelistError(ValueError):
    """The manifest cannot be read or is not an Apollo persisted-query manifest."""


class Safelist:
    """Registered operations by id, and the set of their bodies."""

    def __init__(self, operations: dict[str, str]) -> None:
        self._by_id = operations
        self._bodies = frozenset(operations.values())

    @classmethod
    def load(cls, path: Path) -> Safelist:
        """Read a manifest (`{"format", "version": 1, "operations": [{"id", "body"}]}`)."""
        where = f"limits.safelist_manifest ({path})"
        try:
            manifest: Any = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            raise SafelistError(f"{where} cannot be read: {exc}") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
            raise SafelistError(f'{where} is not an "{MANIFEST_FORMAT}" JSON object')
        if manifest.get("version") != 1:
            raise SafelistError(f"{where} has version {manifest.get('version')!r}; 1 is read")
        operations = manifest.get("operations")
        if not isinstance(operations, list):
            raise SafelistError(f"{where} has no `operations` list")
        registered: dict[str, str] = {}
        for index, operation in enumerate(operations):
            if not (
                isinstance(operation, dict)
                and isinstance(operation.get("id"), str)
                and isinstance(operation.get("body"), str)
            ):
                raise SafelistError(f"{where}: operation {index} needs a string `id` and `body`")
            registered[operation["id"]] = operation["body"]
        return cls(registered)

    def resolve(self, query: str | None, operation_id: object) -> str | None:
        """The registered operation a request names, by id or identical body; None if none.

        With both an id and a body, the body must be the id's.
        """
        if operation_id is not None:
            body = self._by_id.get(operation_id) if isinstance(operation_id, str) else None
            return body if body is not None and query in (None, body) else None
        return query if query in self._bodies else None
