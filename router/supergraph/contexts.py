"""Reading `@context` and `@join__field(contextArguments:)` from a supergraph (join v0.5)."""

from __future__ import annotations

from graphql import ListValueNode, ObjectValueNode, StringValueNode, TypeDefinitionNode, ValueNode

from renku_fed.router.supergraph.errors import SupergraphError
from renku_fed.router.supergraph.links import Links
from renku_fed.router.supergraph.model import ContextArgumentInfo


def context_arguments(node: ValueNode | None) -> tuple[ContextArgumentInfo, ...]:
    """The `join__ContextArgument`s of one `@join__field`, in order."""
    if node is None:
        return ()
    items = node.values if isinstance(node, ListValueNode) else (node,)
    found = []
    for item in items:
        if not isinstance(item, ObjectValueNode):
            raise SupergraphError("contextArguments must be a list of join__ContextArgument")
        values = {f.name.value: f.value for f in item.fields}
        texts = {k: v.value for k, v in values.items() if isinstance(v, StringValueNode)}
        missing = {"name", "type", "context", "selection"} - texts.keys()
        if missing:
            raise SupergraphError(f"a join__ContextArgument lacks {', '.join(sorted(missing))}")
        found.append(
            ContextArgumentInfo(texts["name"], texts["type"], texts["context"], texts["selection"])
        )
    return tuple(found)


def type_contexts(definition: TypeDefinitionNode, links: Links) -> frozenset[str]:
    """The context names a type sets with `@context(name:)`."""
    name = links.local_name("context")
    found = set()
    for directive in definition.directives or ():
        if directive.name.value != name:
            continue
        for argument in directive.arguments or ():
            if argument.name.value == "name" and isinstance(argument.value, StringValueNode):
                found.add(argument.value.value)
    return frozenset(found)
