"""The plan walker: runs fetches in the order a QueryPlan gives and merges what they return."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from graphql import FieldNode, GraphQLError, GraphQLSchema, OperationDefinitionNode, parse

from renku_fed.router.execution.context import context_groups
from renku_fed.router.execution.errors import entity_errors, failure_error, redacted, root_errors
from renku_fed.router.execution.flatten import ConcretePath, concrete_paths, hoisted_path, reach
from renku_fed.router.execution.merge import copy_json, deep_merge
from renku_fed.router.execution.representations import RepresentationBuilder, Representations
from renku_fed.router.execution.rewrites import apply_rewrites
from renku_fed.router.execution.transport import SubgraphRequestError, SubgraphTransport
from renku_fed.router.execution.typeindex import TypeIndex
from renku_fed.router.planning.nodes import (
    BatchFetchNode,
    ConditionNode,
    DeferNode,
    DeferredNode,
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    QueryPlan,
    ResponsePath,
    SequenceNode,
)

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ExecutionResult:
    """The merged data of every fetch (helper fields included) and the re-pathed errors."""

    data: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    failed_paths: list[tuple[str | int, ...]] = field(default_factory=list)
    """Response paths left empty by a failed root fetch: their nulls need no further error."""


@dataclass(frozen=True, slots=True)
class _CompiledFetch:
    builder: RepresentationBuilder | None
    root_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Request:
    variables: Mapping[str, Any]
    headers: Mapping[str, str]
    result: ExecutionResult
    prepared: dict[int, object]


class Executor:
    """Runs query plans against subgraphs through one shared transport."""

    def __init__(
        self,
        schema: GraphQLSchema,
        transport: SubgraphTransport,
        types: TypeIndex | None = None,
        *,
        mask_subgraph_errors: bool = False,
    ) -> None:
        self._schema = schema
        self._mask = mask_subgraph_errors
        self._transport = transport
        self._types = types or TypeIndex(schema)

    async def execute(
        self,
        plan: QueryPlan,
        variables: Mapping[str, Any],
        headers: Mapping[str, str],
        data: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """Run `plan` with coerced `variables`, sending `headers` to every subgraph."""
        result = ExecutionResult(data if data is not None else {})
        request = _Request(variables, headers, result, plan.prepared)
        if plan.node is not None:
            await self._run(plan.node, request, ())
        return request.result

    async def _run(self, node: PlanNode, request: _Request, path: ResponsePath) -> None:
        if isinstance(node, FetchNode):
            if node.requires is None:
                await self._root_fetch(node, request, path)
            else:
                await self._entity_fetch(node, request, path)
        elif isinstance(node, FlattenNode):
            await self._run(node.node, request, (*path, *node.path))
        elif isinstance(node, SequenceNode):
            for child in node.nodes:
                await self._run(child, request, path)
        elif isinstance(node, ParallelNode):
            await asyncio.gather(*(self._run(child, request, path) for child in node.nodes))
        elif isinstance(node, BatchFetchNode):
            await self._batch_fetch(node, request, path)
        elif isinstance(node, DeferNode):
            # one response for everything: the deferred parts run once the primary is merged
            if node.primary is not None:
                await self._run(node.primary, request, path)
            await asyncio.gather(*(self._deferred(part, request) for part in node.deferred))
        elif isinstance(node, ConditionNode):
            branch = node.if_clause if request.variables.get(node.variable) else node.else_clause
            if branch is not None:
                await self._run(branch, request, path)

    async def execute_deferred(
        self,
        part: DeferredNode,
        plan: QueryPlan,
        variables: Mapping[str, Any],
        headers: Mapping[str, str],
        data: dict[str, Any],
    ) -> ExecutionResult:
        """Run one deferred part of `plan` on the merged `data`; its errors are its own."""
        request = _Request(variables, headers, ExecutionResult(data), plan.prepared)
        await self._deferred(part, request)
        return request.result

    async def _deferred(self, part: DeferredNode, request: _Request) -> None:
        if part.node is None:
            return
        if part.type_name is not None:
            # the representations need `__typename`, which a concrete position does not fetch
            for obj in reach(request.result.data, part.path, self._types):
                obj.setdefault("__typename", part.type_name)
        await self._run(part.node, request, ())

    async def _root_fetch(self, node: FetchNode, request: _Request, path: ResponsePath) -> None:
        result = request.result
        targets = [result.data] if not path else reach(result.data, path, self._types)
        if not targets:
            return
        response = await self._send(node, request, {}, path)
        if response is None:
            if not path:
                result.failed_paths.extend((key,) for key in self._compile(node, request).root_keys)
            return
        data, errors = response
        if data is not None:
            if node.output_rewrites:
                apply_rewrites(data, node.output_rewrites, self._types)
            for position, target in enumerate(targets):
                deep_merge(target, data if position == 0 else copy_json(data), self._abstract)
        if path:
            result.errors.extend(entity_errors(errors, node.service, list, hoisted_path(path)))
        else:
            result.errors.extend(root_errors(errors, node.service))

    async def _entity_fetch(self, node: FetchNode, request: _Request, path: ResponsePath) -> None:
        data = request.result.data
        if node.context_inputs:
            groups = context_groups(node.context_inputs, data, path, self._types)
            await asyncio.gather(
                *(self._entities(node, request, path, objs, values) for values, objs in groups)
            )
            return
        await self._entities(node, request, path, reach(data, path, self._types), {})

    async def _entities(
        self,
        node: FetchNode,
        request: _Request,
        path: ResponsePath,
        objects: list[dict[str, Any]],
        variables: dict[str, Any],
    ) -> None:
        """One `_entities` request for `objects`, with `variables` (context values) added."""
        builder = self._compile(node, request).builder
        assert builder is not None
        representations = builder.build(objects)
        if not representations.items:
            return
        variables["representations"] = representations.items
        response = await self._send(node, request, variables, path)
        if response is None:
            return
        data, errors = response
        entities = data.get("_entities") if data is not None else None
        self._merge_entities(node, request, path, representations, entities, errors)

    async def _batch_fetch(
        self, node: BatchFetchNode, request: _Request, path: ResponsePath
    ) -> None:
        """One request for several entity fetches: entry i answers as `_e{i}`."""
        if any(isinstance(e.node, FetchNode) and e.node.context_inputs for e in node.entries):
            # each entry's context values may split it into several requests
            await asyncio.gather(*(self._run(entry, request, path) for entry in node.entries))
            return
        entries: list[tuple[FetchNode, ResponsePath, Representations]] = []
        variables: dict[str, Any] = {}
        for index, entry in enumerate(node.entries):
            assert isinstance(entry.node, FetchNode)
            builder = self._compile(entry.node, request).builder
            assert builder is not None
            where = (*path, *entry.path)
            built = builder.build(reach(request.result.data, where, self._types))
            entries.append((entry.node, where, built))
            variables[f"r{index}"] = built.items
        if not any(built.items for _, _, built in entries):
            return
        response = await self._send(node.fetch, request, variables, entries[0][1])
        if response is None:
            return
        data, errors = response
        first = next(i for i, (_, _, built) in enumerate(entries) if built.items)
        for index, (fetch, where, built) in enumerate(entries):
            if built.items:
                entities = data.get(f"_e{index}") if data is not None else None
                own = _batch_errors(errors, index, len(entries), index == first)
                self._merge_entities(fetch, request, where, built, entities, own)

    def _merge_entities(
        self,
        node: FetchNode,
        request: _Request,
        path: ResponsePath,
        representations: Representations,
        entities: Any,
        errors: list[dict[str, Any]],
    ) -> None:
        result = request.result
        if isinstance(entities, list):
            if len(entities) != len(representations.items):
                log.warning(
                    "subgraph returned a wrong number of entities",
                    extra={"service": node.service, "expected": len(representations.items)},
                )
            for entity, targets in zip(entities, representations.targets, strict=False):
                if not isinstance(entity, dict):
                    continue
                if node.output_rewrites:
                    typename = targets[0].get("__typename")
                    apply_rewrites(entity, node.output_rewrites, self._types, typename)
                for position, target in enumerate(targets):
                    deep_merge(
                        target, entity if position == 0 else copy_json(entity), self._abstract
                    )
        elif not errors:
            log.warning("subgraph returned no _entities", extra={"service": node.service})
            errors = [{"message": f'Subgraph "{node.service}" returned no entities.'}]
        if errors:
            located = partial(self._paths, result.data, path, representations.targets)
            result.errors.extend(entity_errors(errors, node.service, located, hoisted_path(path)))

    async def _send(
        self,
        node: FetchNode,
        request: _Request,
        variables: dict[str, Any],
        path: ResponsePath,
    ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]] | None:
        for name in node.variable_usages:
            if name in request.variables:
                variables[name] = request.variables[name]
        try:
            response = await self._transport.send(
                node.service,
                node.body(variables),
                request.headers,
                query=node.operation_kind == "query",
            )
        except SubgraphRequestError as exc:
            log.warning(
                "subgraph request failed",
                extra={"service": exc.service, "code": exc.code, "reason": exc.message},
            )
            request.result.errors.append(failure_error(exc, hoisted_path(path)))
            return None
        errors = redacted(response.errors) if self._mask and response.errors else response.errors
        return response.data, errors

    def _paths(
        self, data: dict[str, Any], path: ResponsePath, targets: list[list[dict[str, Any]]]
    ) -> list[list[ConcretePath]]:
        """The concrete paths of each representation's objects (only when errors need them)."""
        where = concrete_paths(data, path, self._types)
        hoisted = tuple(hoisted_path(path))
        return [[where.get(id(obj), hoisted) for obj in objects] for objects in targets]

    @property
    def _abstract(self) -> frozenset[str]:
        return self._types.abstract_types

    def _compile(self, node: FetchNode, request: _Request) -> _CompiledFetch:
        compiled = request.prepared.get(id(node))
        if not isinstance(compiled, _CompiledFetch):
            if node.requires is None:
                compiled = _CompiledFetch(None, _root_keys(node.operation))
            else:
                builder = RepresentationBuilder(
                    node.requires, node.input_rewrites, self._schema, self._types
                )
                compiled = _CompiledFetch(builder, ())
            request.prepared[id(node)] = compiled
        return compiled


def _root_keys(operation: str) -> tuple[str, ...]:
    """The response keys of a root fetch's top-level fields."""
    try:
        document = parse(operation, no_location=True)
    except GraphQLError:
        return ()
    keys: list[str] = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            keys.extend(
                (s.alias or s.name).value
                for s in definition.selection_set.selections
                if isinstance(s, FieldNode)
            )
    return tuple(keys)


def _batch_errors(
    errors: list[dict[str, Any]], index: int, count: int, takes_rest: bool
) -> list[dict[str, Any]]:
    """Entry `index`'s errors of a batched request, pathed as a single `_entities` fetch's; errors
    of no entry go to the one that `takes_rest`.
    """
    aliases = {f"_e{i}" for i in range(count)}
    own: list[dict[str, Any]] = []
    for error in errors:
        path = error.get("path")
        head = path[0] if isinstance(path, list) and path else None
        if head == f"_e{index}" and isinstance(path, list):
            own.append({**error, "path": ["_entities", *path[1:]]})
        elif takes_rest and head not in aliases:
            own.append(error)
    return own
