"""Type references (`[Project!]!`) as plain values, with the subtype rules composition uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from graphql import ListTypeNode, NamedTypeNode, NonNullTypeNode, TypeNode


@dataclass(frozen=True)
class TypeRef:
    """A named, list or non-null type reference."""

    name: str = ""
    of: TypeRef | None = None
    non_null: bool = False

    @property
    def base(self) -> str:
        """The named type at the core of this reference."""
        return self.of.base if self.of is not None else self.name

    @property
    def nullable(self) -> TypeRef:
        """This reference without its outer non-null wrapper."""
        if self.non_null:
            assert self.of is not None
            return self.of
        return self

    def renamed(self, rename: Callable[[str], str]) -> TypeRef:
        """The same shape with the named type passed through `rename`."""
        if self.of is None:
            return TypeRef(name=rename(self.name))
        return TypeRef(of=self.of.renamed(rename), non_null=self.non_null)

    def __str__(self) -> str:
        if self.non_null:
            return f"{self.of}!"
        if self.of is not None:
            return f"[{self.of}]"
        return self.name


def type_ref(node: TypeNode) -> TypeRef:
    """Convert a graphql-core type node."""
    if isinstance(node, NonNullTypeNode):
        return TypeRef(of=type_ref(node.type), non_null=True)
    if isinstance(node, ListTypeNode):
        return TypeRef(of=type_ref(node.type))
    assert isinstance(node, NamedTypeNode)
    return TypeRef(name=node.name.value)


def is_subtype(sub: TypeRef, sup: TypeRef, is_named_subtype: Callable[[str, str], bool]) -> bool:
    """Whether `sub` may stand where `sup` is declared (nullability, lists, abstract types)."""
    if sup.non_null:
        return sub.non_null and is_subtype(sub.nullable, sup.nullable, is_named_subtype)
    sub = sub.nullable
    if sup.of is not None:
        return (
            sub.of is not None and not sub.non_null and is_subtype(sub.of, sup.of, is_named_subtype)
        )
    if sub.of is not None:
        return False
    return sub.name == sup.name or is_named_subtype(sub.name, sup.name)
