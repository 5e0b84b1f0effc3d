"""The fetch dependency graph: one step per subgraph request, built from the chosen plan."""

from __future__ import annotations

from dataclasses import dataclass, field

from renku_fed.router.planning.chosen_plan import FieldPlan, FragmentPlan, JumpPlan, SelectionPlan
from renku_fed.router.planning.graph import Hop
from renku_fed.router.planning.nodes import (
    FieldKey,
    KeyRenamer,
    ListItems,
    PathSegment,
    ResponsePath,
    Rewrite,
    RewriteStep,
    TypeCondition,
    TypenameEquals,
    ValueSetter,
)
from renku_fed.router.planning.operation import Condition, OpField, OpItem
from renku_fed.router.planning.selection import ResponseKeys, SelSet, logical_path
from renku_fed.router.supergraph.model import SupergraphModel


@dataclass(eq=False)
class FetchStep:
    """One subgraph request: a root fetch, or an `_entities` fetch merged along `paths`."""

    id: int
    graph: str
    stage: int
    entity: bool
    skeleton: ResponsePath = ()
    paths: list[ResponsePath] = field(default_factory=list)
    type_names: list[str] = field(default_factory=list)
    inputs: SelSet = field(default_factory=SelSet)
    output: SelSet = field(default_factory=SelSet)
    parents: set[int] = field(default_factory=set)
    input_rewrites: list[Rewrite] = field(default_factory=list)
    output_rewrites: list[Rewrite] = field(default_factory=list)
    conditions: tuple[Condition, ...] | None = None
    batch: list[FetchStep] = field(default_factory=list)
    """Entity steps of the same subgraph sent in this step's request (one `_entities` each)."""
    batched: bool = False
    """Sent inside another step's request (that step's `batch` holds it)."""
    """The `@skip`/`@include` conditions every selection of this step is under (None: none
    noted yet)."""

    def note(self, conditions: tuple[Condition, ...]) -> None:
        """A selection under `conditions` was added: keep the conditions all of them share."""
        if self.conditions is None:
            self.conditions = conditions
        else:
            self.conditions = tuple(c for c in self.conditions if c in conditions)

    @property
    def merge_path(self) -> ResponsePath:
        """Where the results merge: the shared path, with the type conditions of every
        contribution united where they all filter, and dropped where one does not.
        """
        gaps: list[set[str] | None] = [set() for _ in range(len(self.skeleton) + 1)]
        for path in self.paths:
            conditions = _conditions(path)
            for index, names in enumerate(conditions):
                current = gaps[index]
                if current is not None:
                    gaps[index] = None if names is None else current | set(names)
        merged: list[PathSegment] = []
        for index, segment in enumerate((None, *self.skeleton)):
            if segment is not None:
                merged.append(segment)
            united = gaps[index]
            if united:
                merged.append(TypeCondition(tuple(sorted(united))))
        return tuple(merged)


def _conditions(path: ResponsePath) -> list[tuple[str, ...] | None]:
    """The type condition after each position of a path's skeleton (None where there is none)."""
    result: list[tuple[str, ...] | None] = [None]
    for segment in path:
        if isinstance(segment, TypeCondition):
            result[-1] = segment.names
        else:
            result.append(None)
    return result


def _skeleton(path: ResponsePath) -> ResponsePath:
    return tuple(s for s in path if not isinstance(s, TypeCondition))


class FetchGraph:
    """Accumulates fetch steps while the chosen plan is walked top-down."""

    def __init__(self, model: SupergraphModel) -> None:
        self.model = model
        self.steps: list[FetchStep] = []
        self._roots: dict[tuple[str, int], FetchStep] = {}
        self._entities: dict[tuple[frozenset[int], str, ResponsePath, int], FetchStep] = {}
        self.keys = ResponseKeys()
        self.renamed: dict[tuple[tuple[str, ...], str, str], str] = {}
        self._graph_types: dict[tuple[tuple[str, ...], str], str] = {}
        self.stage = 0
        self._active: tuple[Condition, ...] = ()

    def _new(self, graph: str, entity: bool) -> FetchStep:
        step = FetchStep(len(self.steps), graph, self.stage, entity)
        self.steps.append(step)
        return step

    def root_step(self, graph: str) -> FetchStep:
        """The root fetch of `graph` in the current stage."""
        key = (graph, self.stage)
        if key not in self._roots:
            self._roots[key] = self._new(graph, entity=False)
        return self._roots[key]

    def entity_step(
        self,
        parents: frozenset[int],
        graph: str,
        path: ResponsePath,
        type_name: str,
        variant: int,
        entity_type: str | None = None,
    ) -> tuple[FetchStep, SelSet, SelSet]:
        """Get or create the `_entities` fetch of `graph` for objects of `type_name` at `path`.

        Returns the step, the representation selection and the output selection for the type;
        `entity_type` names the interface when the subgraph knows the objects only as that.
        """
        skeleton = _skeleton(path)
        key = (parents, graph, skeleton, variant)
        step = self._entities.get(key)
        if step is None:
            step = self._new(graph, entity=True)
            step.skeleton = skeleton
            step.parents = set(parents)
            self._entities[key] = step
        if path not in step.paths:
            step.paths.append(path)
        if type_name not in step.type_names:
            step.type_names.append(type_name)
        target = entity_type or type_name
        if target != type_name or graph in self.model.types[target].interface_object_graphs:
            rewrite = ValueSetter((TypenameEquals(type_name), FieldKey("__typename")), target)
            if rewrite not in step.input_rewrites:
                step.input_rewrites.append(rewrite)
        inputs = step.inputs.fragment(type_name)
        inputs.typename()
        return step, inputs, step.output.fragment(target)

    def build_root(self, plan: SelectionPlan) -> None:
        """Add the plan of an operation's root selection."""
        self._reserve(plan, ())
        self.build(plan, None, SelSet(), (), set(), internal=False)

    def build_entry(
        self, plan: SelectionPlan, graph: str, type_name: str, key: tuple[OpItem, ...]
    ) -> SelSet:
        """Add `plan` as an `_entities` fetch of `graph` at the root of the data it is run on,
        its representations made of `key` (a deferred fragment's entry); returns them.
        """
        self._reserve(plan, ())
        step, inputs, loc = self.entity_step(frozenset(), graph, (), type_name, 0)
        self._representation(inputs, key, (), type_name)
        self.build(plan, step, loc, (), set(), internal=False)
        return inputs

    def _reserve(self, plan: SelectionPlan, path: ResponsePath) -> None:
        """Claim the client's response keys first, so only internal fields get aliases."""
        self._separate_types(plan, path)
        for item in plan.items:
            if isinstance(item, FieldPlan):
                field = item.field
                self.keys.choose(path, field.name, field.response_key, field.args)
                if item.children is not None:
                    self._reserve(item.children, (*path, FieldKey(field.response_key)))
            else:
                self._reserve(item.body, path)

    def _separate_types(self, plan: SelectionPlan, path: ResponsePath) -> None:
        """Alias fields that share a response key across type conditions but have different
        types in the subgraph (`id: ID!` on one type, `id: ID` on another), which one subgraph
        operation cannot select together. Types are compared per logical path, not per
        selection: `a { ... on X { b { ... on X { id } } } ... on Y { b { ... on Y { id } } } }`
        merges both `b` selections, so their `id`s conflict too.
        """
        for item in plan.items:
            if not isinstance(item, FragmentPlan):
                continue
            for inner in item.body.items:
                if not isinstance(inner, FieldPlan) or inner.hops or inner.requirement:
                    continue
                key = inner.field.response_key
                seen = (logical_path(path), key)
                wanted = self._graph_types.setdefault(seen, inner.graph_type)
                if wanted != inner.graph_type:
                    field = inner.field
                    alias = self.keys.alias(path, field.name, field.args, inner.graph_type)
                    self.renamed[(logical_path(path), item.type_name, key)] = alias

    def build(
        self,
        plan: SelectionPlan,
        step: FetchStep | None,
        loc: SelSet,
        path: ResponsePath,
        touched: set[int],
        internal: bool,
    ) -> None:
        """Add `plan` to `step` at `loc` (creating the steps its moves need).

        `internal` marks selections the client did not ask for (keys, `@requires` inputs).
        """
        if step is not None:
            touched.add(step.id)
        if plan.position.abstract:
            loc.typename()
        for item in plan.items:
            if isinstance(item, FragmentPlan):
                inner = (*path, TypeCondition((item.type_name,)))
                frag = loc.fragment(item.type_name)
                self.build(item.body, step, frag, inner, touched, internal)
            elif isinstance(item, JumpPlan):
                assert step is not None
                typ = plan.position.type_name
                target, target_loc = self._hop(item.hops, typ, step, loc, path, touched)
                self.build(item.body, target, target_loc, path, touched, internal)
            else:
                self._field(item, plan.position.type_name, step, loc, path, touched, internal)

    def _field(
        self,
        plan: FieldPlan,
        type_name: str,
        step: FetchStep | None,
        loc: SelSet,
        path: ResponsePath,
        touched: set[int],
        internal: bool,
    ) -> None:
        outer = self._active
        self._active = tuple(dict.fromkeys((*outer, *plan.field.conditions)))
        try:
            self._add_field(plan, type_name, step, loc, path, touched, internal)
        finally:
            self._active = outer

    def _add_field(
        self,
        plan: FieldPlan,
        type_name: str,
        step: FetchStep | None,
        loc: SelSet,
        path: ResponsePath,
        touched: set[int],
        internal: bool,
    ) -> None:
        if step is None:
            target = self.root_step(plan.graph)
            target_loc = target.output
        elif plan.requirement is not None:
            target, target_loc = self._requires(plan, type_name, step, loc, path, touched)
        else:
            target, target_loc = self._hop(plan.hops, type_name, step, loc, path, touched)
        if target is not step:
            target.note(self._active)
        touched.add(target.id)
        field = plan.field
        renamed = self.renamed.get((logical_path(path), type_name, field.response_key))
        if renamed is not None and not internal:
            key = renamed
            target.output_rewrites.append(
                KeyRenamer((*_relative(target, path), FieldKey(key)), field.response_key)
            )
        else:
            key = self.keys.choose(path, field.name, field.response_key, field.args)
        selected = target_loc.field(field.name, key, field.args, field.conditions)
        if plan.children is not None:
            # the executor renames before merging, so later paths use the client's key
            merged_key = field.response_key if renamed else key
            child_path = (*path, FieldKey(merged_key), *([ListItems()] * plan.list_depth))
            self.build(plan.children, target, selected.sub, child_path, touched, internal)
            if selected.sub.is_empty():
                selected.sub.typename()

    def _requires(
        self,
        plan: FieldPlan,
        type_name: str,
        step: FetchStep,
        loc: SelSet,
        path: ResponsePath,
        touched: set[int],
    ) -> tuple[FetchStep, SelSet]:
        assert plan.requirement is not None
        required: set[int] = set()
        loc.typename()
        self.build(plan.requirement, step, loc, path, required, internal=True)
        touched |= required
        representation = SelSet()
        self._representation(representation, plan.representation, path, type_name)
        target = frozenset(required)
        return self._entity(target, plan.graph, path, type_name, plan.entity_type, representation)

    def _entity(
        self,
        parents: frozenset[int],
        graph: str,
        path: ResponsePath,
        type_name: str,
        entity_type: str | None,
        representation: SelSet,
    ) -> tuple[FetchStep, SelSet]:
        """The first sibling fetch whose representation can take `representation` as well."""
        variant = 0
        while True:
            step, inputs, loc = self.entity_step(
                parents, graph, path, type_name, variant, entity_type
            )
            if inputs.accepts(representation):
                inputs.merge(representation)
                return step, loc
            variant += 1

    def _hop(
        self,
        hops: tuple[Hop, ...],
        type_name: str,
        step: FetchStep,
        loc: SelSet,
        path: ResponsePath,
        touched: set[int],
    ) -> tuple[FetchStep, SelSet]:
        current, current_loc = step, loc
        for hop in hops:
            current_loc.typename()
            self._place(current_loc, hop.items, path)
            representation = SelSet()
            self._representation(representation, hop.items, path, type_name)
            parents = frozenset({current.id})
            nxt, nxt_loc = self._entity(
                parents, hop.graph, path, type_name, hop.as_type, representation
            )
            nxt.note(self._active)
            touched.add(nxt.id)
            current, current_loc = nxt, nxt_loc
        return current, current_loc

    def _place(self, loc: SelSet, items: tuple[OpItem, ...], path: ResponsePath) -> None:
        """Select key fields the next fetch needs, under keys that clash with nothing."""
        for item in items:
            if isinstance(item, OpField):
                key = self.keys.choose(path, item.name, item.name, item.args)
                sub = loc.field(item.name, key, item.args).sub
                self._place(sub, item.items, (*path, FieldKey(key)))
            else:
                self._place(loc.fragment(item.type_condition), item.items, path)

    def _representation(
        self, inputs: SelSet, items: tuple[OpItem, ...], path: ResponsePath, type_name: str
    ) -> None:
        """The fields a representation carries; an aliased field is read from its alias, and
        objects of abstract types carry `__typename` so the subgraph can tell their type.
        """
        for item in items:
            if isinstance(item, OpField):
                key = self.keys.find(path, item.name, item.args)
                sub = inputs.field(item.name, key).sub
                info = self.model.field(type_name, item.name)
                if info is not None and item.items:
                    if self.model.is_abstract(info.named_type):
                        sub.typename()
                    inner = (*path, FieldKey(key))
                    self._representation(sub, item.items, inner, info.named_type)
            else:
                fragment = inputs.fragment(item.type_condition)
                self._representation(fragment, item.items, path, item.type_condition)


def _relative(step: FetchStep, path: ResponsePath) -> tuple[RewriteStep, ...]:
    """The path inside one result of `step` (rewrite steps: keys and type conditions)."""
    inner = path
    result: list[RewriteStep] = []
    if step.entity:
        result.append(TypenameEquals(step.type_names[0]))
        remaining = len(step.skeleton)
        index = 0
        while index < len(path) and (remaining or isinstance(path[index], TypeCondition)):
            if not isinstance(path[index], TypeCondition):
                remaining -= 1
            index += 1
        inner = path[index:]
    for segment in inner:
        if isinstance(segment, FieldKey):
            result.append(segment)
        elif isinstance(segment, TypeCondition) and result:
            result.append(TypenameEquals(segment.names[0]))
    return tuple(result)
