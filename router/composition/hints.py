"""Composition hints: inconsistencies that compose but deserve a look, coded as Apollo codes them.

Hints never fail composition. `HINT_CODES` lists the codes found here: Apollo's, for the same
situations (tests/router/composition/test_hints.py compares them on the whole corpus).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from graphql import print_ast

from renku_fed.router.composition.compose import parse_all
from renku_fed.router.composition.errors import quoted_subgraphs
from renku_fed.router.composition.merge_types import enum_usages
from renku_fed.router.composition.sources import SubgraphSource
from renku_fed.router.composition.subgraph import Field, InputValue, Kind, NamedType, Subgraph

ROOTS = frozenset({"Query", "Mutation", "Subscription"})
HINT_CODES = frozenset(
    {
        "INCONSISTENT_DESCRIPTION",
        "INCONSISTENT_ENTITY",
        "INCONSISTENT_OBJECT_VALUE_TYPE_FIELD",
        "INCONSISTENT_INTERFACE_VALUE_TYPE_FIELD",
        "INCONSISTENT_ARGUMENT_PRESENCE",
        "INCONSISTENT_DEFAULT_VALUE_PRESENCE",
        "INCONSISTENT_UNION_MEMBER",
        "INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM",
        "INCONSISTENT_ENUM_VALUE_FOR_OUTPUT_ENUM",
        "INCONSISTENT_INPUT_OBJECT_FIELD",
    }
)
"""The hint codes this composer reports, each where Apollo's composition does."""


@dataclass(frozen=True)
class CompositionHint:
    """One hint: Apollo's code and a message naming the element and the subgraphs."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def composition_hints(sources: Sequence[SubgraphSource]) -> list[CompositionHint]:
    """The hints for subgraphs that compose (parse errors raise CompositionFailed)."""
    subgraphs = parse_all(sources)
    usages = enum_usages(subgraphs)
    hints: list[CompositionHint] = []
    for name in sorted({n for s in subgraphs for n in s.types}):
        having = [(s, s.types[name]) for s in subgraphs if name in s.types]
        hints.extend(_type_hints(name, having))
        hints.extend(_missing_members(name, having, usages.get(name, {})))
    return hints


def _missing_members(
    name: str, having: list[tuple[Subgraph, NamedType]], usage: dict[str, str]
) -> Iterator[CompositionHint]:
    """Union members, enum values and optional input fields some defining subgraphs lack."""
    kind = having[0][1].kind
    members: dict[str, list[str]] = {}
    for subgraph, named in having:
        present: list[str] = []
        if kind is Kind.UNION:
            present = named.members
        elif kind is Kind.ENUM and len(usage) == 1:
            present = list(named.values)
        elif kind is Kind.INPUT_OBJECT:
            # a required field missing somewhere is a composition error, not a hint
            present = list(named.input_fields)
        for member in present:
            members.setdefault(member, []).append(subgraph.name)
    for member, defining in members.items():
        absent = [s.name for s, _ in having if s.name not in defining]
        if not absent:
            continue
        if kind is Kind.INPUT_OBJECT and any(
            t.input_fields[member].type.non_null and t.input_fields[member].default is None
            for _, t in having
            if member in t.input_fields
        ):
            continue
        where = f"{quoted_subgraphs(defining)} but not in {quoted_subgraphs(absent)}"
        if kind is Kind.UNION:
            yield CompositionHint(
                "INCONSISTENT_UNION_MEMBER",
                f'Union type "{name}" includes member type "{member}" in some but not all '
                f'defining subgraphs: "{member}" is defined in {where}.',
            )
        elif kind is Kind.ENUM:
            direction = "INPUT" if "input" in usage else "OUTPUT"
            yield CompositionHint(
                f"INCONSISTENT_ENUM_VALUE_FOR_{direction}_ENUM",
                f'Value "{member}" of enum type "{name}" is not defined in all the subgraphs '
                f'defining "{name}": "{member}" is defined in {where}.',
            )
        else:
            yield CompositionHint(
                "INCONSISTENT_INPUT_OBJECT_FIELD",
                f'Input object field "{member}" will not be added to "{name}" in the supergraph '
                f"as it does not appear in all subgraphs: it is defined in {where}.",
            )


def _type_hints(name: str, having: list[tuple[Subgraph, NamedType]]) -> Iterator[CompositionHint]:
    yield from _descriptions(f'Element "{name}"', [(s.name, t.description) for s, t in having])
    kind = having[0][1].kind
    entity = any(t.keys for _, t in having)
    if kind is Kind.OBJECT and name not in ROOTS:
        keyed = [s.name for s, t in having if t.keys]
        if keyed and len(keyed) < len(having):
            plain = [s.name for s, t in having if not t.keys]
            yield CompositionHint(
                "INCONSISTENT_ENTITY",
                f'Type "{name}" is declared as an entity (has a @key applied) in some but not '
                f"all defining subgraphs: it has no @key in {quoted_subgraphs(plain)} but has "
                f"some @key in {quoted_subgraphs(keyed)}.",
            )
    fields: dict[str, list[tuple[Subgraph, NamedType, Field]]] = {}
    for subgraph, named in having:
        for member in named.fields.values():
            fields.setdefault(member.name, []).append((subgraph, named, member))
    for field_name, sources in fields.items():
        coordinate = f"{name}.{field_name}"
        if kind in (Kind.OBJECT, Kind.INTERFACE) and not entity and name not in ROOTS:
            yield from _value_type_field(name, kind, coordinate, having, sources)
        yield from _descriptions(
            f'Element "{coordinate}"', [(s.name, m.description) for s, _, m in sources]
        )
        yield from _arguments(coordinate, [(s.name, m) for s, _, m in sources])
    for value_name in dict.fromkeys(v for _, t in having for v in t.values):
        yield from _descriptions(
            f'Element "{name}.{value_name}"',
            [
                (s.name, t.values[value_name].description)
                for s, t in having
                if value_name in t.values
            ],
        )
    for input_name in dict.fromkeys(f for _, t in having for f in t.input_fields):
        inputs = [
            (s.name, t.input_fields[input_name]) for s, t in having if input_name in t.input_fields
        ]
        yield from _descriptions(
            f'Element "{name}.{input_name}"', [(n, v.description) for n, v in inputs]
        )
        yield from _defaults("Input field", f"{name}.{input_name}", inputs)


def _value_type_field(
    name: str,
    kind: Kind,
    coordinate: str,
    having: list[tuple[Subgraph, NamedType]],
    sources: list[tuple[Subgraph, NamedType, Field]],
) -> Iterator[CompositionHint]:
    defining = {s.name for s, _, _ in sources}
    missing = [
        s.name
        for s, t in having
        if s.name not in defining
        and not t.interface_object
        and not (t.fields and all(m.external for m in t.fields.values()))
    ]
    if missing:
        description = "non-entity object" if kind is Kind.OBJECT else "interface"
        code = (
            "INCONSISTENT_OBJECT_VALUE_TYPE_FIELD"
            if kind is Kind.OBJECT
            else "INCONSISTENT_INTERFACE_VALUE_TYPE_FIELD"
        )
        yield CompositionHint(
            code,
            f'Field "{coordinate}" of {description} type "{name}" is defined in some but not all '
            f'subgraphs that define "{name}": "{coordinate}" is defined in '
            f"{quoted_subgraphs(sorted(defining))} but not in {quoted_subgraphs(missing)}.",
        )


def _arguments(coordinate: str, sources: list[tuple[str, Field]]) -> Iterator[CompositionHint]:
    for arg_name in dict.fromkeys(a for _, m in sources for a in m.args):
        having = [(n, m.args[arg_name]) for n, m in sources if arg_name in m.args]
        arg_coordinate = f"{coordinate}({arg_name}:)"
        if any(value.from_context is not None for _, value in having):
            continue
        if len(having) < len(sources):
            if all(not v.type.non_null or v.default is not None for _, v in having):
                absent = [n for n, m in sources if arg_name not in m.args]
                yield CompositionHint(
                    "INCONSISTENT_ARGUMENT_PRESENCE",
                    f'Optional argument "{arg_coordinate}" will not be included in the supergraph '
                    "as it does not appear in all subgraphs: it is defined in "
                    f"{quoted_subgraphs(n for n, _ in having)} but not in "
                    f"{quoted_subgraphs(absent)}.",
                )
            continue
        yield from _descriptions(
            f'Element "{arg_coordinate}"', [(n, v.description) for n, v in having]
        )
        yield from _defaults("Argument", arg_coordinate, having)


def _defaults(
    kind: str, coordinate: str, sources: list[tuple[str, InputValue]]
) -> Iterator[CompositionHint]:
    printed = {n: print_ast(v.default) if v.default is not None else None for n, v in sources}
    given = {p for p in printed.values() if p is not None}
    if len(given) == 1 and None in printed.values():
        without = [n for n, p in printed.items() if p is None]
        yield CompositionHint(
            "INCONSISTENT_DEFAULT_VALUE_PRESENCE",
            f'{kind} "{coordinate}" has a default value in only some subgraphs: will not use a '
            f"default in the supergraph (there is no default in {quoted_subgraphs(without)}) but "
            f'"{coordinate}" has default value {next(iter(given))} in '
            f"{quoted_subgraphs(n for n, p in printed.items() if p is not None)}.",
        )


def _descriptions(
    element: str, sources: Sequence[tuple[str, str | None]]
) -> Iterator[CompositionHint]:
    described = [(n, d) for n, d in sources if d is not None]
    distinct = list(dict.fromkeys(d for _, d in described))
    if len(distinct) > 1 and len([d for d in distinct if d]) != 1:
        yield CompositionHint(
            "INCONSISTENT_DESCRIPTION",
            f"{element} has inconsistent descriptions across subgraphs: it is described "
            + "; ".join(
                f"{d!r} in {quoted_subgraphs(n for n, x in described if x == d)}" for d in distinct
            )
            + ".",
        )
