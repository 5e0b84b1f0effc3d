"""The rules of `@cost` and `@listSize` in one subgraph, with Apollo's codes and messages."""

from __future__ import annotations

from collections.abc import Callable

from renku_fed.router.composition.subgraph import Field, Kind, NamedType, Subgraph
from renku_fed.router.composition.typerefs import TypeRef

Report = Callable[[str, str], None]
COMPOSITE = (Kind.OBJECT, Kind.INTERFACE, Kind.UNION)


def check_cost_directives(subgraph: Subgraph, report: Report) -> None:
    """COST_APPLIED_TO_INTERFACE_FIELD and the LIST_SIZE_* errors of a subgraph."""
    for named in subgraph.types.values():
        for member in named.fields.values():
            coordinate = f"{named.name}.{member.name}"
            if named.kind is Kind.INTERFACE and member.applied.cost is not None:
                report(
                    "COST_APPLIED_TO_INTERFACE_FIELD",
                    f'@cost cannot be applied to interface "{coordinate}"',
                )
            if member.applied.list_size is not None:
                _check_list_size(subgraph, member, coordinate, report)


def _check_list_size(subgraph: Subgraph, member: Field, coordinate: str, report: Report) -> None:
    list_size = member.applied.list_size
    assert list_size is not None
    sized_fields = list_size.sized_fields or ()
    if not sized_fields and not _is_list(member.type):
        report("LIST_SIZE_APPLIED_TO_NON_LIST", f'"{coordinate}" is not a list')
    if list_size.assumed_size is not None and list_size.assumed_size < 0:
        report(
            "LIST_SIZE_INVALID_ASSUMED_SIZE",
            f'Assumed size of "{coordinate}" cannot be negative',
        )
    for name in list_size.slicing_arguments or ():
        argument = member.args.get(name)
        if argument is None:
            report(
                "LIST_SIZE_INVALID_SLICING_ARGUMENT",
                f'Slicing argument "{name}" is not an argument of "{coordinate}"',
            )
        elif argument.type.nullable != TypeRef(name="Int"):
            report(
                "LIST_SIZE_INVALID_SLICING_ARGUMENT",
                f'Slicing argument "{coordinate}({name}:)" must be Int or Int!',
            )
    if sized_fields:
        _check_sized_fields(subgraph.types.get(member.type.base), member, sized_fields, report)


def _check_sized_fields(
    base: NamedType | None, member: Field, sized_fields: tuple[str, ...], report: Report
) -> None:
    if base is None or base.kind not in COMPOSITE:
        report(
            "LIST_SIZE_INVALID_SIZED_FIELD",
            f'Sized fields cannot be used because "{member.type}" is not a composite type',
        )
        return
    for name in sized_fields:
        sized = base.fields.get(name)
        if sized is None:
            report(
                "LIST_SIZE_INVALID_SIZED_FIELD",
                f'Sized field "{name}" is not a field on type "{base.name}"',
            )
        elif not _is_list(sized.type):
            report(
                "LIST_SIZE_APPLIED_TO_NON_LIST",
                f'Sized field "{base.name}.{name}" is not a list',
            )


def _is_list(type_: TypeRef) -> bool:
    return type_.nullable.of is not None
