"""Incremental delivery of `@defer`: the primary payload first, then each deferred part.

Payloads follow the incremental delivery format Apollo Router serves (`deferSpec=20220824`):
`{data, errors?, hasNext: true}` first, then `{incremental: [{data, path, label?, errors?}],
hasNext}` as each deferred part completes. A deferred part's errors stay in its own items; an
item whose parent object is null in the response is not sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, GraphQLSchema, OperationDefinitionNode

from renku_fed.router.execution.executor import ExecutionResult, Executor
from renku_fed.router.execution.flatten import ConcretePath, concrete_paths
from renku_fed.router.execution.projection import OperationProjector
from renku_fed.router.execution.response_policy import ResponseValidation, completion_extensions
from renku_fed.router.execution.typeindex import TypeIndex
from renku_fed.router.planning.defer_parts import PartDocument, PartKey, part_keys
from renku_fed.router.planning.nodes import (
    ConditionNode,
    DeferNode,
    DeferredNode,
    PlanNode,
    QueryPlan,
)
from renku_fed.router.request import GraphQLResponse


@dataclass(frozen=True, slots=True)
class IncrementalResponse:
    """A deferred operation's answer: the first payload now, the others as they complete."""

    initial: GraphQLResponse
    subsequent: AsyncGenerator[dict[str, Any], None]
    cancel: Callable[[], None]
    """Stops the deferred parts still running (the client is gone)."""


def active_defer(node: PlanNode | None, variables: Mapping[str, Any]) -> DeferNode | None:
    """The plan's `DeferNode` for these variables (its `@defer(if:)` conditions evaluated)."""
    while isinstance(node, ConditionNode):
        node = node.if_clause if variables.get(node.variable) else node.else_clause
    return node if isinstance(node, DeferNode) else None


@dataclass(frozen=True, slots=True)
class PartShape:
    """How one deferred part is shaped: its document's projector and the keys it delivers."""

    projector: OperationProjector
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PartProjectors:
    """The projectors of a deferred operation's primary part and each deferred part, and the
    ids of the field nodes they copied from the operation (by the original's id).
    """

    primary: OperationProjector
    parts: Mapping[PartKey, PartShape]
    copies: Mapping[int, tuple[int, ...]]

    @classmethod
    def of(
        cls,
        schema: GraphQLSchema,
        types: TypeIndex,
        primary: tuple[DocumentNode, OperationDefinitionNode],
        parts: list[PartDocument],
        pairs: list[tuple[int, int]],
    ) -> PartProjectors:
        """The projectors of `deferred_documents`' answer (`pairs`: its copied ids)."""
        shapes = {
            part.key: PartShape(
                OperationProjector(schema, part.document, part.definition, types), part.keys
            )
            for part in parts
        }
        copies: dict[int, tuple[int, ...]] = {}
        for original, copy in pairs:
            copies[original] = (*copies.get(original, ()), copy)
        return cls(OperationProjector(schema, *primary, types), shapes, copies)

    def removed(self, removed: frozenset[int]) -> frozenset[int]:
        """Authorization's removed field nodes, with their copies."""
        copied = (copy for node in removed for copy in self.copies.get(node, ()))
        return removed.union(copied)


@dataclass(frozen=True, slots=True)
class Projection:
    """How merged data becomes the client's: the document without deferred fragments, and per
    deferred part (in the plan's order) that document with the part's fragment.
    """

    primary: OperationProjector
    parts: Mapping[PartKey, PartShape]
    variables: Mapping[str, Any]
    removed: frozenset[int]
    report_removed: bool
    validation: ResponseValidation

    def project(
        self,
        projector: OperationProjector,
        data: dict[str, Any],
        errors: list[dict[str, Any]],
        failed: list[tuple[str | int, ...]],
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """Projected data (errors gain the new ones) and the payload's `extensions`."""
        problems = errors if self.validation is ResponseValidation.STRICT else []
        projected = projector.project(
            data, errors, self.variables, failed, self.removed, self.report_removed, problems
        )
        return projected, completion_extensions(self.validation, errors, problems)


@dataclass(frozen=True, slots=True)
class Initial:
    """The primary part, projected: what the first payload carries."""

    data: dict[str, Any] | None
    errors: list[dict[str, Any]]
    extensions: dict[str, Any] | None


class Delivery:
    """Runs one deferred operation: `primary()` once, then iterate `subsequent()`."""

    def __init__(
        self,
        executor: Executor,
        types: TypeIndex,
        plan: QueryPlan,
        defer: DeferNode,
        projection: Projection,
        headers: Mapping[str, str],
    ) -> None:
        self._executor = executor
        self._types = types
        self._plan = plan
        self._defer = defer
        self._projection = projection
        self._headers = headers
        self._data: dict[str, Any] = {}
        self._initial: dict[str, Any] | None = None
        self._shapes: list[PartShape | None] = []
        self._tasks: list[asyncio.Task[tuple[int, ExecutionResult]]] = []

    async def primary(self, data: dict[str, Any], errors: list[dict[str, Any]]) -> Initial:
        """Run the primary part on `data` (introspection answers) and project it."""
        primary = QueryPlan(self._defer.primary, self._plan.prepared)
        variables = self._projection.variables
        result = await self._executor.execute(primary, variables, self._headers, data)
        self._data = result.data
        errors = [*result.errors, *errors]
        projection = self._projection
        projected, extensions = projection.project(
            projection.primary, result.data, errors, result.failed_paths
        )
        self._initial = projected
        keys = part_keys((part.path, part.label) for part in self._defer.deferred)
        self._shapes = [self._projection.parts.get(key) for key in keys]
        # the deferred parts start now, while the first payload is on its way
        deferred = self._defer.deferred
        self._tasks = [asyncio.create_task(self._run(i, part)) for i, part in enumerate(deferred)]
        return Initial(projected, errors, extensions)

    async def subsequent(self) -> AsyncGenerator[dict[str, Any], None]:
        """One payload per completed deferred part (those with nothing to send merged into the
        next), the last with `hasNext: false`.
        """
        tasks = self._tasks
        remaining = len(tasks)
        try:
            for next_done in asyncio.as_completed(tasks):
                index, result = await next_done
                remaining -= 1
                items = self._items(index, result)
                if items or not remaining:
                    payload: dict[str, Any] = {"hasNext": remaining > 0}
                    if items:
                        payload["incremental"] = items
                    yield payload
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Cancel the deferred parts that have not completed."""
        for task in self._tasks:
            task.cancel()

    async def _run(self, index: int, part: DeferredNode) -> tuple[int, ExecutionResult]:
        variables = self._projection.variables
        result = await self._executor.execute_deferred(
            part, self._plan, variables, self._headers, self._data
        )
        return index, result

    def _items(self, index: int, result: ExecutionResult) -> list[dict[str, Any]]:
        """The incremental items of one completed part: one per object it is on."""
        part, shape = self._defer.deferred[index], self._shapes[index]
        if shape is None:
            # no such fragment in the client's own operation: nothing of it to send
            return []
        errors = list(result.errors)
        projection = self._projection
        projected, _ = projection.project(shape.projector, self._data, errors, result.failed_paths)
        paths = dict.fromkeys(concrete_paths(self._data, part.path, self._types).values())
        items: list[dict[str, Any]] = []
        for path in paths:
            if not isinstance(_at(self._initial, path), dict):
                continue
            # a null of this part's own that reached its parent is the item's, as `data: null`
            value = _at(projected, path)
            data = None
            if isinstance(value, dict):
                data = {key: value[key] for key in shape.keys if key in value}
            item: dict[str, Any] = {"data": data, "path": list(path)}
            if part.label is not None:
                item["label"] = part.label
            items.append(item)
        own, projected_errors = errors[: len(result.errors)], errors[len(result.errors) :]
        _assign_errors(items, own, [e for e in projected_errors if _in_part(e, shape, items)])
        return items


def _in_part(error: dict[str, Any], shape: PartShape, items: list[dict[str, Any]]) -> bool:
    """Whether a projection error is at a field this part delivers."""
    path = error.get("path")
    if not isinstance(path, list):
        return False
    return any(
        path[: len(i["path"])] == i["path"]
        and len(path) > len(i["path"])
        and path[len(i["path"])] in shape.keys
        for i in items
    )


def _assign_errors(
    items: list[dict[str, Any]], own: list[dict[str, Any]], projected: list[dict[str, Any]]
) -> None:
    """Each error to the item whose path is the longest prefix of the error's path; the part's
    own errors under no item go to its first item (none are sent when it has no items).
    """
    if not items:
        return
    for error in [*own, *projected]:
        path = error.get("path")
        best, length = items[0], -1
        for item in items:
            prefix = item["path"]
            if isinstance(path, list) and path[: len(prefix)] == prefix and len(prefix) > length:
                best, length = item, len(prefix)
        best.setdefault("errors", []).append(error)


def _at(data: Any, path: ConcretePath) -> Any:
    for segment in path:
        if isinstance(segment, int):
            data = data[segment] if isinstance(data, list) and segment < len(data) else None
        else:
            data = data.get(segment) if isinstance(data, dict) else None
    return data
