"""Merging object and interface fields: types, sharing, overrides and `@join__field`."""

from __future__ import annotations

from dataclasses import dataclass

from renku_fed.router.composition.errors import describe_by_value, quoted_subgraphs
from renku_fed.router.composition.merge_context import (
    MergeContext,
    TypeSources,
    merge_directives,
    most_common,
)
from renku_fed.router.composition.merge_inputs import InputMerger
from renku_fed.router.composition.subgraph import Field, Kind, Subgraph
from renku_fed.router.composition.supergraph import JoinField, MergedField
from renku_fed.router.composition.typerefs import TypeRef, is_subtype


@dataclass
class Override:
    """How `@override` touches one subgraph's copy of a field."""

    overridden: bool = False
    used: bool = False
    label: str | None = None


class FieldMerger:
    """Merges the fields of one object or interface type across subgraphs."""

    def __init__(self, context: MergeContext) -> None:
        self.context = context
        self.inputs = InputMerger(context)

    def merge_fields(self, name: str, kind: Kind, sources: TypeSources) -> dict[str, MergedField]:
        """The merged fields of a type, in the order subgraphs declare them."""
        names: dict[str, None] = {}
        for _, named in sources:
            names.update(dict.fromkeys(named.fields))
        merged = {}
        for field_name in names:
            field_sources = [
                (subgraph, named.fields[field_name])
                for subgraph, named in sources
                if field_name in named.fields
            ]
            result = self.merge_field(name, kind, field_name, sources, field_sources)
            if result is not None:
                merged[field_name] = result
        return merged

    def overrides(
        self, type_name: str, field_name: str, sources: list[tuple[Subgraph, Field]]
    ) -> dict[str, Override]:
        """Per subgraph name: whether its copy is overridden, still used, and the label."""
        coordinate = f"{type_name}.{field_name}"
        present = {subgraph.name: member for subgraph, member in sources}
        result = {subgraph.name: Override() for subgraph, _ in sources}
        for subgraph, member in sources:
            origin = member.override_from
            if origin is None:
                continue
            if origin == subgraph.name:
                self.context.error(
                    "OVERRIDE_FROM_SELF_ERROR",
                    f'Source and destination subgraphs "{origin}" are the same for overridden '
                    f'field "{coordinate}"',
                )
                continue
            result[subgraph.name].label = member.override_label
            overridden = present.get(origin)
            if overridden is None:
                continue
            if overridden.override_from is not None:
                self.context.error(
                    "OVERRIDE_SOURCE_HAS_OVERRIDE",
                    f'Field "{coordinate}" on subgraph "{subgraph.name}" is also marked with '
                    f'directive @override in subgraph "{origin}". Only one @override directive '
                    "is allowed per field.",
                )
                continue
            usage = self.context.usage[origin]
            used = (type_name, field_name) in usage.key_fields | usage.required
            result[origin] = Override(
                True, used and member.override_label is None, member.override_label
            )
        return result

    def merge_field(
        self,
        type_name: str,
        kind: Kind,
        field_name: str,
        type_sources: TypeSources,
        sources: list[tuple[Subgraph, Field]],
    ) -> MergedField | None:
        """Merge one field, or None when its types cannot be reconciled."""
        coordinate = f"{type_name}.{field_name}"
        overrides = self.overrides(type_name, field_name, sources)
        merged_type = self.output_type(coordinate, sources)
        if merged_type is None:
            return None
        if all(member.external for _, member in sources):
            self.context.error(
                "EXTERNAL_MISSING_ON_BASE",
                f'Field "{coordinate}" is marked @external on all the subgraphs in which it is '
                f"listed ({quoted_subgraphs(s.name for s, _ in sources)}).",
            )
        if kind is Kind.OBJECT:
            self.check_sharing(type_name, coordinate, type_sources, sources, overrides)
        resolving = [(s, m) for s, m in sources if not m.external] or sources
        return MergedField(
            name=field_name,
            type=merged_type,
            description=most_common([member.description for _, member in sources]),
            args=self.inputs.merge_arguments(coordinate, resolving),
            directives=merge_directives([member.applied for _, member in sources]),
            join_fields=self.join_fields(type_sources, sources, overrides),
        )

    def output_type(self, coordinate: str, sources: list[tuple[Subgraph, Field]]) -> TypeRef | None:
        """The most general of the resolving subgraphs' types, if the others are subtypes of it.

        An `@external` copy only says what its subgraph expects to receive, so every resolved
        value must fit it: the merged type must be a subtype of it.
        """
        owned = [(s, m) for s, m in sources if not m.external] or sources
        types = [member.type for _, member in owned]
        merged = next(
            (c for c in types if all(self.is_subtype(t, c) for t in types)),
            None,
        )
        if merged is None:
            self.context.error(
                "FIELD_TYPE_MISMATCH",
                f'Type of field "{coordinate}" is incompatible across subgraphs: '
                + describe_by_value("it has", [(s.name, f'type "{m.type}"') for s, m in owned]),
            )
            return None
        if any(not self.is_subtype(merged, m.type) for _, m in sources if m.external):
            self.context.error(
                "EXTERNAL_TYPE_MISMATCH",
                f'Type of field "{coordinate}" is incompatible across subgraphs (where marked '
                "@external): "
                + describe_by_value("it has", [(s.name, f'type "{m.type}"') for s, m in sources]),
            )
        return merged

    def is_subtype(self, sub: TypeRef, sup: TypeRef) -> bool:
        """Output subtyping in the supergraph: nullability, lists, interfaces and unions."""
        return is_subtype(sub, sup, self.context.is_named_subtype)

    def check_sharing(
        self,
        type_name: str,
        coordinate: str,
        type_sources: TypeSources,
        sources: list[tuple[Subgraph, Field]],
        overrides: dict[str, Override],
    ) -> None:
        """INVALID_FIELD_SHARING when a non-shareable field is resolved by several subgraphs."""
        owners = {subgraph.name: named for subgraph, named in type_sources}
        resolving = []
        non_shareable = []
        for subgraph, member in sources:
            usage = self.context.usage[subgraph.name]
            if overrides[subgraph.name].overridden or (
                member.external and (type_name, member.name) not in usage.provided
            ):
                continue
            resolving.append(subgraph.name)
            shareable = (
                member.external
                or member.shareable
                or owners[subgraph.name].shareable
                or (type_name, member.name) in usage.key_fields
                or overrides[subgraph.name].label is not None
            )
            if not shareable:
                non_shareable.append(subgraph.name)
        if len(resolving) < 2 or not non_shareable:
            return
        where = (
            "all of them"
            if len(non_shareable) == len(resolving)
            else quoted_subgraphs(non_shareable)
        )
        self.context.error(
            "INVALID_FIELD_SHARING",
            f'Non-shareable field "{coordinate}" is resolved from multiple subgraphs: it is '
            f"resolved from {quoted_subgraphs(resolving)} and defined as non-shareable in {where}",
        )

    def join_fields(
        self,
        type_sources: TypeSources,
        sources: list[tuple[Subgraph, Field]],
        overrides: dict[str, Override],
    ) -> list[JoinField]:
        """The `@join__field`s of a field; none when every subgraph of the type has it alike."""
        same_types = len({str(member.type) for _, member in sources}) == 1
        present = {subgraph.name: member for subgraph, member in sources}
        needed = not same_types or any(o.used or o.label for o in overrides.values())
        for subgraph, _ in type_sources:
            member = present.get(subgraph.name)
            if member is None or overrides[subgraph.name].overridden:
                needed = True
                continue
            needed = needed or member.external or bool(member.requires or member.provides)
        if not needed:
            return []
        joins = []
        for subgraph, member in sources:
            override = overrides[subgraph.name]
            if override.overridden and not override.used and override.label is None:
                continue
            joins.append(
                JoinField(
                    graph=self.context.graphs[subgraph.name],
                    requires=member.requires,
                    provides=member.provides,
                    type=None if same_types else str(member.type),
                    external=member.external,
                    override=member.override_from,
                    used_overridden=override.used,
                    override_label=override.label,
                )
            )
        return joins
