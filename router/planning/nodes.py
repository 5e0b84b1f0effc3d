"""Query plan nodes: the plain data a planner produces and an executor runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

import orjson


@dataclass(frozen=True, slots=True)
class FieldKey:
    """A response key (alias or field name) in a merge or rewrite path."""

    key: str


@dataclass(frozen=True, slots=True)
class ListItems:
    """Fan out over every item of a list (`@` in a printed path)."""


@dataclass(frozen=True, slots=True)
class TypeCondition:
    """Keep only objects whose `__typename` is one of `names` (`|[A|B]` in a printed path)."""

    names: tuple[str, ...]


PathSegment: TypeAlias = FieldKey | ListItems | TypeCondition
ResponsePath: TypeAlias = tuple[PathSegment, ...]


@dataclass(frozen=True, slots=True)
class TypenameEquals:
    """A rewrite step that applies only to objects of this `__typename` (`... on T`)."""

    type_name: str


RewriteStep: TypeAlias = FieldKey | TypenameEquals


@dataclass(frozen=True, slots=True)
class ValueSetter:
    """Set the value at `path` (relative to each representation or entity) to `value`."""

    path: tuple[RewriteStep, ...]
    value: str


@dataclass(frozen=True, slots=True)
class KeyRenamer:
    """Rename the key at `path` (relative to each representation or entity) to `rename_to`."""

    path: tuple[RewriteStep, ...]
    rename_to: str


Rewrite: TypeAlias = ValueSetter | KeyRenamer


@dataclass(frozen=True, slots=True)
class SelectedField:
    """A field of a representation selection; `alias` is the key to read in merged data."""

    name: str
    alias: str | None = None
    selections: tuple[Selection, ...] = ()

    @property
    def response_key(self) -> str:
        """The key under which this field's value sits in the data."""
        return self.alias or self.name


@dataclass(frozen=True, slots=True)
class SelectedFragment:
    """An inline fragment of a representation selection (`... on T { ... }`)."""

    type_condition: str
    selections: tuple[Selection, ...]


Selection: TypeAlias = SelectedField | SelectedFragment


@dataclass(frozen=True, slots=True)
class ContextInput:
    """Where an entity fetch's contextual argument (`@fromContext`) takes its value from.

    `ancestor` counts the key and list steps of the fetch's response path that lead to the
    object setting the context; `path` is the field path selected on it.
    """

    variable: str
    ancestor: int
    path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FetchNode:
    """One request to one subgraph.

    `requires` is None for a root fetch; for an entity fetch it is the selection projected from
    each merged object to build the `representations` variable.
    """

    service: str
    operation: str
    operation_kind: Literal["query", "mutation", "subscription"] = "query"
    operation_name: str | None = None
    variable_usages: tuple[str, ...] = ()
    requires: tuple[Selection, ...] | None = None
    input_rewrites: tuple[Rewrite, ...] = ()
    output_rewrites: tuple[Rewrite, ...] = ()
    id: int | None = None
    context_inputs: tuple[ContextInput, ...] = ()
    body_prefix: bytes = field(init=False, repr=False, compare=False)
    """The JSON request body up to its `variables` value, encoded once when planned."""

    def __post_init__(self) -> None:
        prefix = b'{"query":' + orjson.dumps(self.operation)
        if self.operation_name:
            prefix += b',"operationName":' + orjson.dumps(self.operation_name)
        object.__setattr__(self, "body_prefix", prefix + b',"variables":')

    def body(self, variables: dict[str, object]) -> bytes:
        """The JSON request body with `variables`."""
        return self.body_prefix + orjson.dumps(variables) + b"}"


@dataclass(frozen=True, slots=True)
class FlattenNode:
    """Run `node` for every object reached by `path` in the merged data, merging results there."""

    path: ResponsePath
    node: PlanNode


@dataclass(frozen=True, slots=True)
class SequenceNode:
    """Run `nodes` one after the other."""

    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True, slots=True)
class ParallelNode:
    """Run `nodes` concurrently."""

    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True, slots=True)
class ConditionNode:
    """Run `if_clause` when the boolean `variable` is true, else `else_clause`."""

    variable: str
    if_clause: PlanNode | None
    else_clause: PlanNode | None


@dataclass(frozen=True, slots=True)
class BatchFetchNode:
    """One request to one subgraph holding one `_entities` call per entry, as Hive Router batches.

    `fetch` sends the request: entry i is asked as `_e{i}: _entities(representations: $r{i})`.
    Each entry is a `FlattenNode` whose own fetch gives that call's `requires` and rewrites.
    """

    fetch: FetchNode
    entries: tuple[FlattenNode, ...]


@dataclass(frozen=True, slots=True)
class DeferredNode:
    """One `@defer` fragment's own fetches, run after the primary part (Apollo's `Deferred`).

    `path` reaches the objects the fragment is on, `depends` is the selection the primary part
    fetched for them (`__typename` and a key) and `keys` the response keys the part delivers.
    """

    label: str | None
    path: ResponsePath
    depends: tuple[Selection, ...]
    keys: tuple[str, ...]
    node: PlanNode | None

    @property
    def type_name(self) -> str | None:
        """The object type the fragment is on (None for a fragment on the root)."""
        first = self.depends[0] if self.depends else None
        return first.type_condition if isinstance(first, SelectedFragment) else None


@dataclass(frozen=True, slots=True)
class DeferNode:
    """A primary part sent first, then each deferred part as it completes (Apollo's `Defer`)."""

    primary: PlanNode | None
    deferred: tuple[DeferredNode, ...]


PlanNode: TypeAlias = (
    FetchNode
    | FlattenNode
    | SequenceNode
    | ParallelNode
    | ConditionNode
    | BatchFetchNode
    | DeferNode
)


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """The plan of one operation; `node` is None when no subgraph needs to be called."""

    node: PlanNode | None
    prepared: dict[int, object] = field(default_factory=dict, repr=False, compare=False)
    """What an executor derives once from each fetch, by the fetch's `id()`: the plan keeps its
    fetches alive, so an id stands for one fetch as long as the entry exists."""
