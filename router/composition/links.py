"""The `@link`s of a subgraph: federation version, how directives are imported, composed ones."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from graphql import (
    BooleanValueNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    IntValueNode,
    ListValueNode,
    ObjectValueNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    ValueNode,
)

from renku_fed.router.composition.subgraph import Alternatives, ComposedDirective, ListSize

FEDERATION_URL = re.compile(r"^https://specs\.apollo\.dev/federation/v(\d+)\.(\d+)$")
FEDERATION_DIRECTIVES = frozenset(
    {
        "key",
        "external",
        "requires",
        "provides",
        "shareable",
        "override",
        "inaccessible",
        "tag",
        "interfaceObject",
        "extends",
        "composeDirective",
        "authenticated",
        "requiresScopes",
        "policy",
        "cost",
        "listSize",
        "context",
        "fromContext",
    }
)
FED1_DIRECTIVES = frozenset({"key", "external", "requires", "provides", "extends", "tag"})


@dataclass
class LinkContext:
    """How this subgraph names the federation directives, and what it composes."""

    fed2: bool = False
    version: tuple[int, int] = (1, 0)
    names: dict[str, str] = field(default_factory=dict)
    links: dict[str, DirectiveNode] = field(default_factory=dict)
    compose: list[str] = field(default_factory=list)
    imported_as: dict[str, str] = field(default_factory=dict)
    internal_prefixes: tuple[str, ...] = ("link__",)


def argument(directive: DirectiveNode, name: str) -> ValueNode | None:
    """The value node of a directive argument, if given."""
    for arg in directive.arguments or ():
        if arg.name.value == name:
            return arg.value
    return None


def alternatives(value: ValueNode | None) -> Alternatives:
    """A `[[String!]!]!` argument of `@requiresScopes` or `@policy`."""
    groups = value.values if isinstance(value, ListValueNode) else ()
    return tuple(
        tuple(item.value for item in group.values if isinstance(item, StringValueNode))
        for group in groups
        if isinstance(group, ListValueNode)
    )


def list_size(directive: DirectiveNode) -> ListSize:
    """The arguments of a `@listSize`, None for each one not given."""
    assumed = argument(directive, "assumedSize")
    require = argument(directive, "requireOneSlicingArgument")
    return ListSize(
        int(assumed.value) if isinstance(assumed, IntValueNode) else None,
        _strings(argument(directive, "slicingArguments")),
        _strings(argument(directive, "sizedFields")),
        require.value if isinstance(require, BooleanValueNode) else None,
    )


def _strings(value: ValueNode | None) -> tuple[str, ...] | None:
    if not isinstance(value, ListValueNode):
        return None
    return tuple(item.value for item in value.values if isinstance(item, StringValueNode))


def string_argument(directive: DirectiveNode, name: str) -> str | None:
    """A string argument of a directive, if given as a string."""
    value = argument(directive, name)
    return value.value if isinstance(value, StringValueNode) else None


def read_links(schema_nodes: Sequence[SchemaDefinitionNode | SchemaExtensionNode]) -> LinkContext:
    """Resolve `@link` imports: local directive name -> federation directive name."""
    context = LinkContext()
    for node in schema_nodes:
        for directive in node.directives or ():
            if directive.name.value != "link":
                continue
            url = string_argument(directive, "url") or ""
            match = FEDERATION_URL.match(url)
            if match is None:
                context.links[url] = directive
                continue
            context.fed2 = True
            context.version = (int(match.group(1)), int(match.group(2)))
            prefix = string_argument(directive, "as") or "federation"
            context.internal_prefixes = ("link__", f"{prefix}__")
            known = FEDERATION_DIRECTIVES
            context.names = {f"{prefix}__{name}": name for name in known}
            for local, original in imports(directive):
                if original in known:
                    context.names[local] = original
                    context.imported_as[original] = local
    if not context.fed2:
        context.names = {name: name for name in FED1_DIRECTIVES}
    context.compose = [
        (string_argument(directive, "name") or "").lstrip("@")
        for node in schema_nodes
        for directive in node.directives or ()
        if context.names.get(directive.name.value) == "composeDirective"
    ]
    return context


def imports(link: DirectiveNode) -> list[tuple[str, str]]:
    """(local name, original name) of every directive a `@link` imports."""
    value = argument(link, "import")
    items = value.values if isinstance(value, ListValueNode) else ()
    result = []
    for item in items:
        if isinstance(item, StringValueNode):
            result.append((item.value.lstrip("@"), item.value.lstrip("@")))
        elif isinstance(item, ObjectValueNode):
            fields = {f.name.value: f.value for f in item.fields}
            name, alias = fields.get("name"), fields.get("as")
            if isinstance(name, StringValueNode):
                local = alias.value if isinstance(alias, StringValueNode) else name.value
                result.append((local.lstrip("@"), name.value.lstrip("@")))
    return [(local, original) for local, original in result if original[:1].islower()]


def composed_directives(
    document: DocumentNode, context: LinkContext
) -> dict[str, ComposedDirective]:
    """The custom directives named by `@composeDirective`, with their definition and `@link`."""
    definitions = {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, DirectiveDefinitionNode)
    }
    composed = {}
    for name in context.compose:
        definition = definitions.get(name)
        if definition is None:
            continue
        link = next(
            (
                directive
                for directive in context.links.values()
                if any(local == name for local, _ in imports(directive))
            ),
            None,
        )
        composed[name] = ComposedDirective(definition, link)
    return composed
