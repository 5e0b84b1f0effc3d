"""`@context` and `@fromContext` (federation v2.8): their checks and their supergraph metadata.

A type sets a named context; an argument of an entity's field takes its value from the nearest
ancestor that sets that context, by a selection on it (`@fromContext(field: "$ctx { prop }")`).
The supergraph names each context `<subgraph>__<name>`, drops such arguments from the API and
lists them in the field's `@join__field(contextArguments:)`, as Apollo's composition does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from graphql import FieldNode, GraphQLSyntaxError, InlineFragmentNode, SelectionSetNode, parse

from renku_fed.router.composition.merge_context import MergeContext
from renku_fed.router.composition.subgraph import Field, InputValue, Kind, NamedType, Subgraph
from renku_fed.router.composition.supergraph import ContextArgument, JoinField, MergedType
from renku_fed.router.composition.typerefs import TypeRef

# Apollo's `parseContext`: `$`, the context's name, then the selection (ignored characters
# before each).
_CONTEXT_REFERENCE = re.compile(
    r"^(?:[\n\r\t ,]|#[^\n\r]*)*\$(?:[\n\r\t ,]|#[^\n\r]*)*([A-Za-z_]\w*)(?!\w)([\s\S]*)$"
)
_CONTEXT_NAME = re.compile(r"^[A-Za-z]\w*$")


def parse_reference(value: str) -> tuple[str, str] | None:
    """(context, selection) of a `@fromContext(field:)` value, or None when it names none."""
    match = _CONTEXT_REFERENCE.match(value)
    if match is None or not match.group(2):
        return None
    return match.group(1), match.group(2)


def contextual_arguments(
    subgraph: Subgraph,
) -> Iterator[tuple[NamedType, Field, InputValue, str]]:
    """Every argument of the subgraph that carries `@fromContext`, with its field's type."""
    for named in subgraph.types.values():
        for member in named.fields.values():
            for arg in member.args.values():
                if arg.from_context is not None:
                    yield named, member, arg, arg.from_context


def validate_contexts(context: MergeContext, subgraph: Subgraph) -> None:
    """Report misused `@context` and `@fromContext` with Apollo's codes and messages."""

    def error(code: str, message: str) -> None:
        context.error(code, f"[{subgraph.name}] {message}")

    locations: dict[str, list[NamedType]] = {}
    for named in subgraph.types.values():
        for name in named.contexts:
            if "_" in name:
                error(
                    "CONTEXT_NAME_INVALID", f'Context name "{name}" may not contain an underscore.'
                )
            elif not _CONTEXT_NAME.match(name):
                error(
                    "CONTEXT_NAME_INVALID",
                    f'Context name "{name}" is invalid. It should have only alphanumeric '
                    "characters.",
                )
            locations.setdefault(name, []).append(named)
    for named, member, arg, value in contextual_arguments(subgraph):
        coordinate = f"{named.name}.{member.name}({arg.name}:)"
        if named.kind is not Kind.OBJECT:
            error(
                "CONTEXT_NOT_SET",
                "@fromContext argument cannot be used on a field that exists on an abstract "
                f'type "{coordinate}".',
            )
            continue
        for interface in named.interfaces:
            if subgraph.field(interface, member.name) is not None:
                error(
                    "CONTEXT_NOT_SET",
                    "@fromContext argument cannot be used on a field implementing an interface "
                    f'field "{interface}.{member.name}".',
                )
        if arg.default is not None:
            error(
                "CONTEXT_NOT_SET",
                f'@fromContext arguments may not have a default value: "{coordinate}".',
            )
        reference = parse_reference(value)
        if reference is None:
            error(
                "NO_CONTEXT_IN_SELECTION",
                f'@fromContext argument does not reference a context "{value}".',
            )
            continue
        name, selection = reference
        if name not in locations:
            error(
                "CONTEXT_NOT_SET",
                f'Context "{name}" is used at location "{coordinate}" but is never set.',
            )
        else:
            problem = _selection_problem(subgraph, locations[name], selection, arg.type)
            if problem is not None:
                error(
                    "CONTEXT_INVALID_SELECTION",
                    f'Context "{name}" is used in "{coordinate}" but the selection is invalid: '
                    f"{problem}",
                )
        if not any(key.resolvable for key in named.keys):
            error(
                "CONTEXT_NO_RESOLVABLE_KEY",
                f'Object "{named.name}" has no resolvable key but has a field with a contextual '
                "argument.",
            )


def _selection_problem(
    subgraph: Subgraph, locations: list[NamedType], selection: str, expected: TypeRef
) -> str | None:
    """Why a context selection does not give one value of the argument's type, if it does not."""
    try:
        document = parse(f"query {selection}")
    except GraphQLSyntaxError as exc:
        return exc.message
    selections = document.definitions[0].selection_set.selections  # type: ignore[attr-defined]
    if not selections:
        return "no selection is made"
    if all(isinstance(s, InlineFragmentNode) for s in selections):
        for location in locations:
            matching = [
                s
                for s in selections
                if s.type_condition is not None
                and _applies(subgraph, s.type_condition.name.value, location)
            ]
            if not matching:
                return f'no type condition matches the location "{location.name}"'
            for fragment in matching:
                condition = fragment.type_condition
                assert condition is not None
                found = _field_type(subgraph, condition.name.value, fragment.selection_set)
                if found is None or not _fits(found, expected):
                    return _mismatch(found, expected)
        return None
    if len(selections) > 1:
        return "multiple selections are made"
    for location in locations:
        found = _field_type(subgraph, location.name, SelectionSetNode(selections=selections))
        if isinstance(found, str):
            return found
        if found is None or not _fits(found, expected):
            return _mismatch(found, expected)
    return None


def _applies(subgraph: Subgraph, condition: str, location: NamedType) -> bool:
    if condition == location.name:
        return True
    named = subgraph.types.get(condition)
    return named is not None and location.name in (*named.interfaces, *named.members)


def _field_type(
    subgraph: Subgraph, type_name: str, selection_set: SelectionSetNode
) -> TypeRef | str | None:
    """The type of the one field a selection reaches, a problem's text, or None."""
    selections = selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        return "multiple fields could be selected" if len(selections) > 1 else None
    node = selections[0]
    if node.alias is not None:
        return "aliases are not allowed in the selection"
    if node.directives:
        return "directives are not allowed in the selection"
    member = subgraph.field(type_name, node.name.value)
    if member is None:
        return f'Cannot query field "{node.name.value}" on type "{type_name}".'
    if node.selection_set is None:
        return member.type
    return _field_type(subgraph, member.type.base, node.selection_set)


def _fits(found: TypeRef | str, expected: TypeRef) -> bool:
    """Apollo's `isValidImplementationFieldType`: the same type, or a non-null of it."""
    if isinstance(found, str):
        return False
    if found.non_null:
        return _fits(found.nullable, expected.nullable)
    if expected.non_null:
        return False
    if found.of is not None and expected.of is not None:
        return _fits(found.of, expected.of)
    return found.of is None and expected.of is None and found.name == expected.name


def _mismatch(found: TypeRef | str | None, expected: TypeRef) -> str:
    if isinstance(found, str):
        return found
    return f'the type of the selection "{found}" does not match the expected type "{expected}"'


def apply_contexts(context: MergeContext, types: dict[str, MergedType]) -> None:
    """Name each context after its subgraph on its merged type and move each contextual
    argument from the API field into that subgraph's `@join__field(contextArguments:)`.
    """
    for subgraph in context.subgraphs:
        graph = context.graphs[subgraph.name]
        for named in subgraph.types.values():
            if named.name in types:
                types[named.name].directives.contexts.extend(
                    f"{subgraph.name}__{name}" for name in named.contexts
                )
        for named, member, arg, value in contextual_arguments(subgraph):
            merged = types.get(named.name)
            reference = parse_reference(value)
            if merged is None or member.name not in merged.fields or reference is None:
                continue
            merged_field = merged.fields[member.name]
            merged_field.args.pop(arg.name, None)
            argument = ContextArgument(
                arg.name, str(arg.type), f"{subgraph.name}__{reference[0]}", reference[1]
            )
            joins = merged_field.join_fields or [
                JoinField(graph=context.graphs[s.name])
                for s in context.subgraphs
                if s.field(named.name, member.name) is not None
            ]
            merged_field.join_fields = [
                replace(join, context_arguments=(*join.context_arguments, argument))
                if join.graph == graph
                else join
                for join in joins
            ]
