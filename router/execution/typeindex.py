"""Type relations of the API schema, precomputed: which `__typename` matches which condition."""

from __future__ import annotations

from graphql import GraphQLSchema, is_abstract_type, is_interface_type


class TypeIndex:
    """Answers "does an object of type A satisfy the condition B?" with one set lookup."""

    def __init__(self, schema: GraphQLSchema) -> None:
        subtypes: dict[str, frozenset[str]] = {}
        for name, named in schema.type_map.items():
            if not is_abstract_type(named):
                continue
            names = {t.name for t in schema.get_possible_types(named)}
            if is_interface_type(named):
                names.update(i.name for i in schema.get_implementations(named).interfaces)
            subtypes[name] = frozenset(names)
        self._subtypes = subtypes
        self.abstract_types: frozenset[str] = frozenset(subtypes)

    def satisfies(self, type_name: str, condition: str) -> bool:
        """True when `type_name` is `condition` or one of its implementations or members."""
        return type_name == condition or type_name in self._subtypes.get(condition, ())

    def satisfies_any(self, type_name: str, conditions: tuple[str, ...]) -> bool:
        """True when `type_name` satisfies at least one of `conditions`."""
        return any(self.satisfies(type_name, c) for c in conditions)

    def related(self, a: str, b: str) -> bool:
        """True when either type satisfies the other (subtype in either direction)."""
        return self.satisfies(a, b) or self.satisfies(b, a)
