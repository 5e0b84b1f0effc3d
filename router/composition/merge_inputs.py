"""Merging arguments and input object fields: intersection, most restrictive type, defaults."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import print_ast

from renku_fed.router.composition.errors import describe_by_value, quoted_subgraphs
from renku_fed.router.composition.merge_context import (
    MergeContext,
    TypeSources,
    merge_directives,
    most_common,
)
from renku_fed.router.composition.subgraph import Field, InputValue, Subgraph
from renku_fed.router.composition.supergraph import JoinField, MergedInput
from renku_fed.router.composition.typerefs import is_subtype


def is_required(value: InputValue) -> bool:
    """A non-null argument or input field without a default."""
    return value.type.non_null and value.default is None


@dataclass(frozen=True)
class InputPosition:
    """How Apollo's codes and messages name an argument or an input object field."""

    label: str
    missing_label: str
    noun: str
    type_code: str
    default_code: str
    missing_code: str


ARGUMENT = InputPosition(
    label="Argument",
    missing_label="Argument",
    noun="argument",
    type_code="FIELD_ARGUMENT_TYPE_MISMATCH",
    default_code="FIELD_ARGUMENT_DEFAULT_MISMATCH",
    missing_code="REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
)
INPUT_FIELD = InputPosition(
    label="Input field",
    missing_label="Input object field",
    noun="field",
    type_code="FIELD_TYPE_MISMATCH",
    default_code="INPUT_FIELD_DEFAULT_MISMATCH",
    missing_code="REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
)


class InputMerger:
    """Merges the arguments of a field and the fields of an input object type."""

    def __init__(self, context: MergeContext) -> None:
        self.context = context

    def merge_arguments(
        self, coordinate: str, sources: list[tuple[Subgraph, Field]]
    ) -> dict[str, MergedInput]:
        """Arguments defined in every subgraph with the field; a required one must be in all."""
        names: dict[str, None] = {}
        for _, member in sources:
            names.update(dict.fromkeys(member.args))
        merged = {}
        for name in names:
            arg_sources = [(s, m.args[name]) for s, m in sources if name in m.args]
            arg_coordinate = f"{coordinate}({name}:)"
            if len(arg_sources) < len(sources):
                everywhere = [s for s, _ in sources]
                self.missing_input(arg_coordinate, arg_sources, everywhere, ARGUMENT)
                continue
            value = self.merge_input(arg_coordinate, arg_sources, ARGUMENT)
            if value is not None:
                merged[name] = value
        return merged

    def merge_input_fields(self, type_name: str, sources: TypeSources) -> dict[str, MergedInput]:
        """Input fields defined in every subgraph with the input type."""
        names: dict[str, None] = {}
        for _, named in sources:
            names.update(dict.fromkeys(named.input_fields))
        merged = {}
        for name in names:
            field_sources = [
                (s, t.input_fields[name]) for s, t in sources if name in t.input_fields
            ]
            coordinate = f"{type_name}.{name}"
            if len(field_sources) < len(sources):
                everywhere = [s for s, _ in sources]
                self.missing_input(coordinate, field_sources, everywhere, INPUT_FIELD)
                continue
            value = self.merge_input(coordinate, field_sources, INPUT_FIELD)
            if value is None:
                continue
            if len({str(v.type) for _, v in field_sources}) > 1:
                value.join_fields = [
                    JoinField(graph=self.context.graphs[s.name], type=str(v.type))
                    for s, v in field_sources
                ]
            merged[name] = value
        return merged

    def missing_input(
        self,
        coordinate: str,
        present: list[tuple[Subgraph, InputValue]],
        all_sources: list[Subgraph],
        position: InputPosition,
    ) -> None:
        """REQUIRED_*_MISSING_IN_SOME_SUBGRAPH when a required input is not everywhere."""
        required = [s.name for s, v in present if is_required(v)]
        if not required:
            return
        names = {s.name for s, _ in present}
        missing = [s.name for s in all_sources if s.name not in names]
        self.context.error(
            position.missing_code,
            f'{position.missing_label} "{coordinate}" is required in some subgraphs but does not '
            "appear in all subgraphs: "
            f"it is required in {quoted_subgraphs(required)} but does not appear in "
            f"{quoted_subgraphs(missing)}",
        )

    def merge_input(
        self, coordinate: str, sources: list[tuple[Subgraph, InputValue]], position: InputPosition
    ) -> MergedInput | None:
        """The most restrictive type and the one default value of an argument or input field."""
        types = [value.type for _, value in sources]
        merged_type = next(
            (c for c in types if all(is_subtype(c, t, lambda _a, _b: False) for t in types)), None
        )
        if merged_type is None:
            self.context.error(
                position.type_code,
                f'Type of {position.noun} "{coordinate}" is incompatible across subgraphs: '
                + describe_by_value("it has", [(s.name, f'type "{v.type}"') for s, v in sources]),
            )
            return None
        defaults = [(s.name, print_ast(v.default)) for s, v in sources if v.default is not None]
        if len({text for _, text in defaults}) > 1:
            self.context.error(
                position.default_code,
                f'{position.label} "{coordinate}" has incompatible default values across '
                "subgraphs: "
                + describe_by_value("it has", [(n, f"default value {t}") for n, t in defaults]),
            )
        return MergedInput(
            name=sources[0][1].name,
            type=merged_type,
            # as Apollo: a default that only some subgraphs give is dropped (with a hint)
            default=(
                sources[0][1].default if all(v.default is not None for _, v in sources) else None
            ),
            description=most_common([value.description for _, value in sources]),
            directives=merge_directives([value.applied for _, value in sources]),
        )
