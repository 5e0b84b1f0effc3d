"""The `@cost` and `@listSize` directives of a supergraph, read from its SDL as composed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from graphql import (
    BooleanValueNode,
    ConstDirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    IntValueNode,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ObjectValueNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    ValueNode,
)

COST_SPEC = "https://specs.apollo.dev/cost/v"

K = TypeVar("K")

_WEIGHTED_TYPES = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
)
_FIELDED_TYPES = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
)
_INPUT_TYPES = (InputObjectTypeDefinitionNode, InputObjectTypeExtensionNode)


@dataclass(frozen=True, slots=True)
class ListSize:
    """One `@listSize`: how many items a list field returns, or which child lists it sizes."""

    assumed_size: int | None = None
    slicing_arguments: tuple[str, ...] = ()
    sized_fields: tuple[str, ...] = ()
    require_one_slicing_argument: bool = True


@dataclass(frozen=True, slots=True)
class CostDirectives:
    """Every `@cost` weight and `@listSize` of a supergraph, by schema coordinate."""

    type_weights: Mapping[str, int] = field(default_factory=dict)
    field_weights: Mapping[tuple[str, str], int] = field(default_factory=dict)
    argument_weights: Mapping[tuple[str, str, str], int] = field(default_factory=dict)
    input_field_weights: Mapping[tuple[str, str], int] = field(default_factory=dict)
    list_sizes: Mapping[tuple[str, str], ListSize] = field(default_factory=dict)


def read_cost_directives(document: DocumentNode) -> CostDirectives:
    """The cost directives of a supergraph document, under the names its cost `@link` gives."""
    names = _directive_names(document)
    if names is None:
        return CostDirectives()
    cost, list_size = names
    types: dict[str, int] = {}
    fields: dict[tuple[str, str], int] = {}
    arguments: dict[tuple[str, str, str], int] = {}
    input_fields: dict[tuple[str, str], int] = {}
    sizes: dict[tuple[str, str], ListSize] = {}
    for definition in document.definitions:
        if isinstance(definition, _WEIGHTED_TYPES):
            _put(types, definition.name.value, _weight(definition.directives, cost))
        if isinstance(definition, _INPUT_TYPES):
            for value in definition.fields or ():
                coordinate = (definition.name.value, value.name.value)
                _put(input_fields, coordinate, _weight(value.directives, cost))
        if not isinstance(definition, _FIELDED_TYPES):
            continue
        for member in definition.fields or ():
            coordinate = (definition.name.value, member.name.value)
            _put(fields, coordinate, _weight(member.directives, cost))
            for argument in member.arguments or ():
                key = (*coordinate, argument.name.value)
                _put(arguments, key, _weight(argument.directives, cost))
            sized = _list_size(member.directives, list_size)
            if sized is not None:
                sizes[coordinate] = sized
    return CostDirectives(types, fields, arguments, input_fields, sizes)


def _directive_names(document: DocumentNode) -> tuple[str, str] | None:
    """The local names of `@cost` and `@listSize`, or None when the cost spec is not linked."""
    for definition in document.definitions:
        if not isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            url = _argument(directive, "url")
            if directive.name.value != "link" or not isinstance(url, StringValueNode):
                continue
            if not url.value.startswith(COST_SPEC):
                continue
            prefix = _argument(directive, "as")
            spec = prefix.value if isinstance(prefix, StringValueNode) else "cost"
            names = {"cost": spec, "listSize": f"{spec}__listSize"}
            names.update(_imports(_argument(directive, "import")))
            return names["cost"], names["listSize"]
    return None


def _imports(value: ValueNode | None) -> Iterable[tuple[str, str]]:
    for item in value.values if isinstance(value, ListValueNode) else ():
        if isinstance(item, StringValueNode):
            name = item.value.lstrip("@")
            yield name, name
        elif isinstance(item, ObjectValueNode):
            parts = {f.name.value: f.value for f in item.fields}
            original, alias = parts.get("name"), parts.get("as")
            if isinstance(original, StringValueNode):
                local = alias.value if isinstance(alias, StringValueNode) else original.value
                yield original.value.lstrip("@"), local.lstrip("@")


def _argument(directive: ConstDirectiveNode, name: str) -> ValueNode | None:
    return next((a.value for a in directive.arguments or () if a.name.value == name), None)


def _put(target: dict[K, int], key: K, weight: int | None) -> None:
    if weight is not None:
        target[key] = weight


def _weight(directives: Iterable[ConstDirectiveNode] | None, cost: str) -> int | None:
    for directive in directives or ():
        value = _argument(directive, "weight")
        if directive.name.value == cost and isinstance(value, IntValueNode):
            return int(value.value)
    return None


def _list_size(directives: Iterable[ConstDirectiveNode] | None, name: str) -> ListSize | None:
    for directive in directives or ():
        if directive.name.value != name:
            continue
        assumed = _argument(directive, "assumedSize")
        require = _argument(directive, "requireOneSlicingArgument")
        return ListSize(
            int(assumed.value) if isinstance(assumed, IntValueNode) else None,
            _strings(_argument(directive, "slicingArguments")),
            _strings(_argument(directive, "sizedFields")),
            require.value if isinstance(require, BooleanValueNode) else True,
        )
    return None


def _strings(value: ValueNode | None) -> tuple[str, ...]:
    items = value.values if isinstance(value, ListValueNode) else ()
    return tuple(item.value for item in items if isinstance(item, StringValueNode))
