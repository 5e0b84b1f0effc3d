"""Checks on the merged schema: a query root, implemented interfaces, sound @inaccessible."""

from __future__ import annotations

from renku_fed.router.composition.errors import quoted_subgraphs
from renku_fed.router.composition.merge_context import MergeContext
from renku_fed.router.composition.subgraph import Field, Kind, NamedType, Subgraph
from renku_fed.router.composition.supergraph import MergedInput, MergedType


def validate_supergraph(context: MergeContext, types: dict[str, MergedType]) -> None:
    """Record the errors of the merged schema."""
    query = types.get("Query")
    if query is None or not query.fields:
        context.error(
            "NO_QUERIES",
            "No queries found in any subgraph: a supergraph must have a query root type.",
        )
    check_implementations(context, types)
    check_inaccessible(context, types)
    check_interface_object_sharing(context, types)


def check_interface_object_sharing(context: MergeContext, types: dict[str, MergedType]) -> None:
    """INVALID_FIELD_SHARING for an implementation's field that an `@interfaceObject` also
    resolves, when either side is not shareable.
    """
    for subgraph in context.subgraphs:
        for interface in subgraph.types.values():
            if not interface.interface_object:
                continue
            for member in interface.fields.values():
                if member.external:
                    continue
                for implementation in sorted(types):
                    if interface.name in types[implementation].interfaces:
                        check_shared_through(context, subgraph, interface, member, implementation)


def check_shared_through(
    context: MergeContext, subgraph: Subgraph, interface: NamedType, member: Field, type_name: str
) -> None:
    """One implementation's field against the `@interfaceObject` field that also resolves it."""
    through_shareable = (
        member.shareable
        or interface.shareable
        or (interface.name, member.name) in context.usage[subgraph.name].key_fields
    )
    sharing = [
        (
            other.name,
            field.shareable
            or other.types[type_name].shareable
            or (type_name, member.name) in context.usage[other.name].key_fields,
        )
        for other in context.subgraphs
        if (field := other.field(type_name, member.name)) is not None and not field.external
    ]
    if not sharing or (through_shareable and all(shared for _, shared in sharing)):
        return
    through = f'"{subgraph.name}" (through @interfaceObject field "{interface.name}.{member.name}")'
    resolving = sorted([*(f'"{name}"' for name, _ in sharing), through])
    non_shareable = [name for name, shared in sharing if not shared]
    if not through_shareable:
        non_shareable.append(subgraph.name)
    where = (
        "all of them"
        if len(non_shareable) == len(resolving)
        else quoted_subgraphs(sorted(non_shareable))
    )
    context.error(
        "INVALID_FIELD_SHARING",
        f'Non-shareable field "{type_name}.{member.name}" is resolved from multiple subgraphs: '
        f"it is resolved from subgraphs {', '.join(resolving[:-1])} and {resolving[-1]} and "
        f"defined as non-shareable in {where}",
    )


def check_implementations(context: MergeContext, types: dict[str, MergedType]) -> None:
    """INTERFACE_FIELD_NO_IMPLEM: a type implementing an interface lacks one of its fields."""
    for implementation in types.values():
        for interface_name in implementation.interfaces:
            interface = types.get(interface_name)
            if interface is None:
                continue
            for name in interface.fields:
                if name in implementation.fields:
                    continue
                declaring = [s.name for s in context.subgraphs if s.field(interface_name, name)]
                implementing = [
                    s.name
                    for s in context.subgraphs
                    if interface_name in getattr(s.types.get(implementation.name), "interfaces", ())
                ]
                context.error(
                    "INTERFACE_FIELD_NO_IMPLEM",
                    f'Interface field "{interface_name}.{name}" is declared in '
                    f'{quoted_subgraphs(declaring)} but type "{implementation.name}", which '
                    f'implements "{interface_name}" only in {quoted_subgraphs(implementing)} does '
                    f'not have field "{name}".',
                )


def check_inaccessible(context: MergeContext, types: dict[str, MergedType]) -> None:
    """What the API schema keeps must not reference what @inaccessible hides."""

    def hidden(name: str) -> bool:
        target = types.get(name)
        return target is not None and target.directives.inaccessible

    def check_input(coordinate: str, value: MergedInput, what: str, parent: str) -> None:
        if value.directives.inaccessible:
            if value.type.non_null and value.default is None:
                context.error(
                    "REQUIRED_INACCESSIBLE",
                    f'{what} "{coordinate}" is @inaccessible but is a required {what.lower()} '
                    f"of its {parent}.",
                )
        elif hidden(value.type.base):
            referenced(value.type.base, coordinate)

    def referenced(name: str, coordinate: str) -> None:
        context.error(
            "REFERENCED_INACCESSIBLE",
            f'Type "{name}" is @inaccessible but is referenced by "{coordinate}", which is in the '
            "API schema.",
        )

    for merged in types.values():
        if merged.directives.inaccessible:
            continue
        for member in merged.fields.values():
            if member.directives.inaccessible:
                continue
            if hidden(member.type.base):
                referenced(member.type.base, f"{merged.name}.{member.name}")
            for arg in member.args.values():
                check_input(f"{merged.name}.{member.name}({arg.name}:)", arg, "Argument", "field")
        for value in merged.input_fields.values():
            check_input(f"{merged.name}.{value.name}", value, "Input field", "type")
        children = [f.directives.inaccessible for f in merged.fields.values()]
        children += [f.directives.inaccessible for f in merged.input_fields.values()]
        children += [v.directives.inaccessible for v in merged.values.values()]
        if children and all(children):
            what = "values" if merged.kind is Kind.ENUM else "fields"
            context.error(
                "ONLY_INACCESSIBLE_CHILDREN",
                f'Type "{merged.name}" is in the API schema but all of its {what} are '
                "@inaccessible.",
            )
