"""The satisfiability check: every field of the API schema can be reached from a root.

Like Apollo's composition, the walk carries, per API position, every subgraph position that can
reach it, and a field fails only when none of them resolves it in place or after key moves. Where
this walk knows less than Apollo's (a type condition below an `@interfaceObject`), it stops
without an error rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from renku_fed.router.composition.merge_context import MergeContext
from renku_fed.router.composition.subgraph import Kind
from renku_fed.router.composition.subgraph_moves import ROOT_TYPES, Head, SubgraphMoves
from renku_fed.router.composition.supergraph import MergedType

MAX_REPORTED = 20


@dataclass(frozen=True)
class Step:
    """One step of a supergraph path: a field, or a type condition (`... on T`)."""

    name: str
    is_type: bool = False


def print_path(steps: list[Step], leaf_is_composite: bool) -> str:
    """The path as the operation Apollo prints in its message."""
    lines = ["{"]
    for depth, step in enumerate(steps, start=1):
        text = f"... on {step.name}" if step.is_type else step.name
        last = depth == len(steps)
        lines.append("  " * depth + (text if last and not leaf_is_composite else text + " {"))
    if leaf_is_composite:
        lines.append("  " * (len(steps) + 1) + "...")
    closing = len(steps) if leaf_is_composite else len(steps) - 1
    lines.extend("  " * depth + "}" for depth in range(closing, 0, -1))
    lines.append("}")
    return "\n".join(lines)


class SatisfiabilityWalk:
    """Walks the API schema from every root, carrying the subgraph positions that reach it."""

    def __init__(self, context: MergeContext, types: dict[str, MergedType]) -> None:
        self.context = context
        self.types = {
            name: merged for name, merged in types.items() if not merged.directives.inaccessible
        }
        implementations: dict[str, set[str]] = {}
        for merged in self.types.values():
            if merged.kind is Kind.OBJECT:
                for interface in merged.interfaces:
                    implementations.setdefault(interface, set()).add(merged.name)
        self.runtime = implementations
        self.moves = SubgraphMoves(context.subgraphs, implementations)
        self.seen: set[tuple[str, frozenset[Head]]] = set()
        self.reported = 0

    def run(self) -> None:
        """Walk from each root type; record one SATISFIABILITY_ERROR per unreachable path."""
        for root in ("Query", "Mutation", "Subscription"):
            if root in self.types:
                heads = frozenset(
                    Head(s.name, root) for s in self.context.subgraphs if root in s.types
                )
                self.visit(root, heads, [])

    def possible_types(self, merged: MergedType) -> list[str]:
        """The accessible object types a value of an abstract type can be."""
        names = (
            merged.members
            if merged.kind is Kind.UNION
            else sorted(self.runtime.get(merged.name, ()))
        )
        return [name for name in names if name in self.types]

    def visit(self, type_name: str, heads: frozenset[Head], path: list[Step]) -> None:
        """Check every field and type condition below a supergraph position."""
        if (type_name, heads) in self.seen or self.reported >= MAX_REPORTED:
            return
        self.seen.add((type_name, heads))
        merged = self.types.get(type_name)
        if merged is None:
            return
        if merged.kind in (Kind.INTERFACE, Kind.UNION):
            self.visit_runtime_types(merged, heads, path)
        for name, field in merged.fields.items():
            if field.directives.inaccessible:
                continue
            advanced = [self.moves.advance(head, name) for head in heads]
            if any(options is None for options in advanced):
                continue
            reached = frozenset(h for options in advanced for h in options or ())
            child = field.type.base
            composite = self.types.get(child) is not None and self.types[child].kind in (
                Kind.OBJECT,
                Kind.INTERFACE,
                Kind.UNION,
            )
            if not reached:
                self.report([*path, Step(name)], composite, heads, type_name, name)
            elif composite:
                self.visit(child, reached, [*path, Step(name)])

    def visit_runtime_types(
        self, merged: MergedType, heads: frozenset[Head], path: list[Step]
    ) -> None:
        """Follow each `... on T` of an abstract type, where every position can be a T."""
        for runtime in self.possible_types(merged):
            reached: set[Head] = set()
            for head in heads:
                options = self.moves.downcast(head, runtime)
                if not options:
                    break
                reached.update(options)
            else:
                self.visit(runtime, frozenset(reached), [*path, Step(runtime, is_type=True)])

    def report(
        self, path: list[Step], composite: bool, heads: frozenset[Head], type_name: str, name: str
    ) -> None:
        """Record the unreachable path with, per subgraph it was reached from, why."""
        self.reported += 1
        starts = sorted({head.subgraph for head in heads})
        jumped = {h.subgraph for head in heads for h in self.moves.jumps(head)}
        reached = sorted(set(starts) | jumped)
        reasons = []
        for subgraph in reached:
            found = [self.local_reason(subgraph, type_name, name)]
            if subgraph in starts:
                found.extend(self.move_reasons(subgraph, reached, type_name, name))
            if len(found) == 1:
                reasons.append(f'- from subgraph "{subgraph}": {found[0]}')
            else:
                reasons.append(f'- from subgraph "{subgraph}":')
                reasons.extend(f"  - {reason}" for reason in found)
        self.context.error(
            "SATISFIABILITY_ERROR",
            "The following supergraph API query:\n"
            + print_path(path, composite)
            + "\ncannot be satisfied by the subgraphs because:\n"
            + "\n".join(reasons),
        )

    def local_reason(self, subgraph_name: str, type_name: str, name: str) -> str:
        """Why one subgraph cannot resolve `type_name.name` itself."""
        field = self.moves.subgraphs[subgraph_name].field(type_name, name)
        coordinate = f'"{type_name}.{name}"'
        if field is None or (not field.external and not field.requires):
            return f"cannot find field {coordinate}."
        if field.requires:
            return f"cannot satisfy @require conditions on field {coordinate}."
        return f"field {coordinate} is not resolvable because marked @external."

    def move_reasons(self, origin: str, reached: list[str], type_name: str, name: str) -> list[str]:
        """Why `origin` cannot move to each other subgraph that resolves `type_name.name`."""
        if type_name in ROOT_TYPES:
            return []
        reasons = []
        for subgraph in self.context.subgraphs:
            field = subgraph.field(type_name, name)
            if subgraph.name in reached or field is None or field.external:
                continue
            keys = subgraph.types[type_name].keys
            which = (
                f'cannot move to subgraph "{subgraph.name}", which has field "{type_name}.{name}"'
            )
            if not keys:
                reasons.append(
                    f'{which}, because type "{type_name}" has no @key defined in '
                    f'subgraph "{subgraph.name}".'
                )
            elif not any(key.resolvable for key in keys):
                reasons.append(
                    f'{which}, because none of the @key defined on type "{type_name}" in subgraph '
                    f'"{subgraph.name}" are resolvable (they are all declared with their '
                    '"resolvable" argument set to false).'
                )
            else:
                reasons.extend(
                    f'cannot move to subgraph "{subgraph.name}" using @key(fields: "{key.fields}")'
                    f' of "{type_name}", the key field(s) cannot be resolved from subgraph'
                    f' "{origin}".'
                    for key in keys
                    if key.resolvable
                )
        return reasons


def check_satisfiability(context: MergeContext, types: dict[str, MergedType]) -> None:
    """Record a SATISFIABILITY_ERROR for each API path no subgraph plan can resolve."""
    SatisfiabilityWalk(context, types).run()
