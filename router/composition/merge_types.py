"""Merging named types: kinds, `@join__type`, implementations, union members, enums by usage."""

from __future__ import annotations

from renku_fed.router.composition.errors import describe_by_value, quoted_subgraphs
from renku_fed.router.composition.merge_context import (
    MergeContext,
    TypeSources,
    merge_directives,
    most_common,
)
from renku_fed.router.composition.merge_fields import FieldMerger
from renku_fed.router.composition.subgraph import Key, Kind, NamedType, Subgraph
from renku_fed.router.composition.supergraph import (
    JoinField,
    JoinType,
    MergedEnumValue,
    MergedField,
    MergedType,
)


def effective_kind(named: NamedType) -> Kind:
    """An `@interfaceObject` type stands for an interface of the supergraph."""
    return Kind.INTERFACE if named.interface_object else named.kind


class TypeMerger:
    """Merges every named type of the subgraphs into the supergraph's types."""

    def __init__(self, context: MergeContext) -> None:
        self.context = context
        self.fields = FieldMerger(context)

    def sources(self) -> dict[str, list[tuple[Subgraph, NamedType]]]:
        """Per type name, the subgraphs defining it, in subgraph order."""
        grouped: dict[str, list[tuple[Subgraph, NamedType]]] = {}
        for subgraph in self.context.subgraphs:
            for name, named in subgraph.types.items():
                grouped.setdefault(name, []).append((subgraph, named))
        return grouped

    def merge(self) -> dict[str, MergedType]:
        """All merged types; errors are collected in the context."""
        grouped = self.sources()
        merged: dict[str, MergedType] = {}
        for name, sources in grouped.items():
            kind = self.merge_kind(name, sources)
            if kind is not None:
                merged[name] = self.merge_shell(name, kind, sources)
        for merged_type in merged.values():
            for interface in merged_type.interfaces:
                self.context.supertypes.setdefault(merged_type.name, set()).add(interface)
            for member in merged_type.members:
                self.context.supertypes.setdefault(member, set()).add(merged_type.name)
        usages = enum_usages(self.context.subgraphs)
        for name, merged_type in merged.items():
            sources = grouped[name]
            if merged_type.kind in (Kind.OBJECT, Kind.INTERFACE):
                merged_type.fields = self.fields.merge_fields(name, merged_type.kind, sources)
            elif merged_type.kind is Kind.INPUT_OBJECT:
                reported = len(self.context.errors)
                merged_type.input_fields = self.fields.inputs.merge_input_fields(name, sources)
                if not merged_type.input_fields and len(self.context.errors) == reported:
                    self.context.error(
                        "EMPTY_MERGED_INPUT_TYPE",
                        f'None of the fields of input object type "{name}" are consistently '
                        "defined in all the subgraphs defining that type. As only fields common "
                        "to all subgraphs are merged, this would result in an empty type.",
                    )
            elif merged_type.kind is Kind.ENUM:
                merged_type.values = self.merge_enum(name, sources, usages.get(name, {}))
        add_interface_object_fields(merged)
        return merged

    def merge_kind(self, name: str, sources: TypeSources) -> Kind | None:
        """The one kind every subgraph gives the type, or None after TYPE_KIND_MISMATCH."""
        kinds = [(subgraph.name, effective_kind(named).value) for subgraph, named in sources]
        if len({kind for _, kind in kinds}) > 1:
            self.context.error(
                "TYPE_KIND_MISMATCH",
                f'Type "{name}" has mismatched kind: '
                + describe_by_value("it is defined as", kinds),
            )
            return None
        return effective_kind(sources[0][1])

    def merge_shell(self, name: str, kind: Kind, sources: TypeSources) -> MergedType:
        """A merged type with its join metadata; fields, values and input fields come later."""
        merged = MergedType(
            name=name,
            kind=kind,
            description=most_common([named.description for _, named in sources]),
            directives=merge_directives([named.applied for _, named in sources]),
        )
        for subgraph, named in sources:
            graph = self.context.graphs[subgraph.name]
            keys: list[Key | None] = [*named.keys] or [None]
            for key in keys:
                merged.join_types.append(
                    JoinType(
                        graph=graph,
                        key=key.fields if key else None,
                        extension=named.extends,
                        resolvable=key.resolvable if key else True,
                        interface_object=named.interface_object,
                    )
                )
            for interface in named.interfaces:
                merged.implements.append((graph, interface))
                if interface not in merged.interfaces:
                    merged.interfaces.append(interface)
            for member in named.members:
                if member not in merged.members:
                    merged.members.append(member)
        merged.union_members = [
            (self.context.graphs[subgraph.name], member)
            for member in merged.members
            for subgraph, named in sources
            if member in named.members
        ]
        return merged

    def merge_enum(
        self, name: str, sources: TypeSources, usage: dict[str, str]
    ) -> dict[str, MergedEnumValue]:
        """Union for output-only enums, intersection for input-only, equality when used as both."""
        names: dict[str, None] = {}
        for _, named in sources:
            names.update(dict.fromkeys(named.values))
        merged: dict[str, MergedEnumValue] = {}
        for value in names:
            having = [(s, t.values[value]) for s, t in sources if value in t.values]
            missing = [s.name for s, t in sources if value not in t.values]
            if missing and "input" in usage and "output" in usage:
                self.context.error(
                    "ENUM_VALUE_MISMATCH",
                    f'Enum type "{name}" is used as both input type (for example, as type of '
                    f'"{usage["input"]}") and output type (for example, as type of '
                    f'"{usage["output"]}"), but value "{value}" is not defined in all the '
                    f'subgraphs defining "{name}": "{value}" is defined in '
                    f"{quoted_subgraphs(s.name for s, _ in having)} but not in "
                    f"{quoted_subgraphs(missing)}",
                )
                continue
            if missing and "input" in usage:
                continue
            merged[value] = MergedEnumValue(
                name=value,
                description=most_common([v.description for _, v in having]),
                directives=merge_directives([v.applied for _, v in having]),
                graphs=[self.context.graphs[s.name] for s, _ in having],
            )
        if not merged and "output" not in usage:
            self.context.error(
                "EMPTY_MERGED_ENUM_TYPE",
                f'None of the values of enum type "{name}" are defined consistently in all the '
                "subgraphs defining that type. As only values common to all subgraphs are "
                "merged, this would result in an empty type.",
            )
        return merged


def enum_usages(subgraphs: list[Subgraph]) -> dict[str, dict[str, str]]:
    """Per enum: an example input position and an example output position, where it is used."""
    enums = {
        name
        for subgraph in subgraphs
        for name, named in subgraph.types.items()
        if named.kind is Kind.ENUM
    }
    usages: dict[str, dict[str, str]] = {}
    for subgraph in subgraphs:
        for named in subgraph.types.values():
            for member in named.fields.values():
                if member.type.base in enums:
                    usages.setdefault(member.type.base, {}).setdefault(
                        "output", f"{named.name}.{member.name}"
                    )
                for arg in member.args.values():
                    if arg.type.base in enums:
                        usages.setdefault(arg.type.base, {}).setdefault(
                            "input", f"{named.name}.{member.name}({arg.name}:)"
                        )
            for value in named.input_fields.values():
                if value.type.base in enums:
                    usages.setdefault(value.type.base, {}).setdefault(
                        "input", f"{named.name}.{value.name}"
                    )
    return usages


def add_interface_object_fields(merged: dict[str, MergedType]) -> None:
    """Implementations get the fields an `@interfaceObject` adds, resolved through the interface."""
    for interface in merged.values():
        if not any(join.interface_object for join in interface.join_types):
            continue
        for implementation in merged.values():
            if interface.name not in implementation.interfaces:
                continue
            for name, member in interface.fields.items():
                if name not in implementation.fields:
                    implementation.fields[name] = MergedField(
                        name=name,
                        type=member.type,
                        description=member.description,
                        args=member.args,
                        directives=member.directives,
                        join_fields=[JoinField()],
                    )
