"""Prints a `Supergraph` as the SDL `@apollo/composition` writes."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from graphql import print_ast
from graphql.language.block_string import print_block_string
from graphql.language.print_string import print_string

from renku_fed.router.composition.specs import (
    FEATURES,
    JOIN_URL,
    LINK_URL,
    cost_definitions,
    cost_link,
    directive_definitions,
    machinery_types,
)
from renku_fed.router.composition.subgraph import Alternatives, Kind, ListSize
from renku_fed.router.composition.supergraph import (
    ContextArgument,
    Directives,
    JoinField,
    JoinType,
    MergedField,
    MergedInput,
    MergedType,
    Supergraph,
)

KEYWORDS = {
    Kind.OBJECT: "type",
    Kind.INTERFACE: "interface",
    Kind.UNION: "union",
    Kind.ENUM: "enum",
    Kind.INPUT_OBJECT: "input",
    Kind.SCALAR: "scalar",
}


def print_supergraph(supergraph: Supergraph) -> str:
    """The supergraph SDL: schema, directive definitions, then every type by name."""
    used = _features(supergraph)
    definitions = directive_definitions(supergraph.join_version)
    types = machinery_types(supergraph.join_version)
    names = supergraph.cost_names
    for name in used:
        if name == "cost":
            definitions.update(cost_definitions(names))
            continue
        definitions[name] = FEATURES[name].directive
        definitions.update(FEATURES[name].more_directives)
        types.update((text.split()[1], text) for text in FEATURES[name].types)
    for name, composed in supergraph.composed.items():
        definitions[name] = print_ast(composed.definition)
    types["join__Graph"] = _graph_enum(supergraph)
    for merged in supergraph.types.values():
        types[merged.name] = _type(merged, names)
    blocks = [_schema(supergraph, used)]
    blocks += [definitions[name] for name in sorted(definitions)]
    blocks += [types[name] for name in sorted(types, key=lambda name: (name.lower(), name))]
    return "\n\n".join(blocks)


def _features(supergraph: Supergraph) -> list[str]:
    everything: list[Directives] = []
    for merged in supergraph.types.values():
        everything.append(merged.directives)
        for member in merged.fields.values():
            everything.append(member.directives)
            everything += [arg.directives for arg in member.args.values()]
        everything += [value.directives for value in merged.input_fields.values()]
        everything += [value.directives for value in merged.values.values()]
    tests: dict[str, Callable[[Directives], bool]] = {
        "authenticated": lambda d: d.authenticated,
        "requiresScopes": lambda d: d.scopes is not None,
        "policy": lambda d: d.policies is not None,
        "tag": lambda d: bool(d.tags),
        "inaccessible": lambda d: d.inaccessible,
        "cost": lambda d: d.cost is not None or d.list_size is not None,
        "context": lambda d: bool(d.contexts),
    }
    # Apollo links each spec when merging first meets one of its directives; keep that order.
    used: dict[str, None] = {}
    for directives in everything:
        used.update((name, None) for name, test in tests.items() if test(directives))
    return list(used)


def _schema(supergraph: Supergraph, used: list[str]) -> str:
    links = [
        f'@link(url: "{LINK_URL}")',
        f'@link(url: "{JOIN_URL.format(version=supergraph.join_version)}", for: EXECUTION)',
    ]
    links += [
        cost_link(supergraph.cost_names) if name == "cost" else FEATURES[name].link for name in used
    ]
    for composed in supergraph.composed.values():
        if composed.link is not None and print_ast(composed.link) not in links:
            links.append(print_ast(composed.link))
    roots = "".join(f"  {kind}: {name}\n" for kind, name in supergraph.roots)
    return "schema\n" + "".join(f"  {link}\n" for link in links) + "{\n" + roots + "}"


def _graph_enum(supergraph: Supergraph) -> str:
    values = "".join(
        f"  {graph.enum_value} @join__graph(name: {print_string(graph.name)}, "
        f"url: {print_string(graph.url)})\n"
        for graph in supergraph.graphs
    )
    return "enum join__Graph {\n" + values + "}"


def _description(text: str | None, indent: str) -> str:
    if not text:
        return ""
    block = print_block_string(text)
    return "\n".join(indent + line if line else line for line in block.split("\n")) + "\n"


def _alternatives(groups: Alternatives) -> str:
    return "[" + ", ".join("[" + ", ".join(map(print_string, g)) + "]" for g in groups) + "]"


def _applied(directives: Directives, names: Mapping[str, str]) -> list[str]:
    texts = [f"@tag(name: {print_string(tag)})" for tag in directives.tags]
    if directives.authenticated:
        texts.append("@authenticated")
    if directives.scopes is not None:
        texts.append(f"@requiresScopes(scopes: {_alternatives(directives.scopes)})")
    if directives.policies is not None:
        texts.append(f"@policy(policies: {_alternatives(directives.policies)})")
    if directives.cost is not None:
        texts.append(f"@{names['cost']}(weight: {directives.cost})")
    if directives.list_size is not None:
        texts.append(f"@{names['listSize']}{_list_size_arguments(directives.list_size)}")
    return texts + [print_ast(directive) for directive in directives.kept]


def _list_size_arguments(list_size: ListSize) -> str:
    arguments = []
    if list_size.assumed_size is not None:
        arguments.append(f"assumedSize: {list_size.assumed_size}")
    for name, values in (
        ("slicingArguments", list_size.slicing_arguments),
        ("sizedFields", list_size.sized_fields),
    ):
        if values is not None:
            arguments.append(f"{name}: [{', '.join(map(print_string, values))}]")
    if list_size.require_one_slicing_argument is not None:
        required = str(list_size.require_one_slicing_argument).lower()
        arguments.append(f"requireOneSlicingArgument: {required}")
    return f"({', '.join(arguments)})" if arguments else ""


def _join_type(join: JoinType) -> str:
    args = [f"graph: {join.graph}"]
    if join.key is not None:
        args.append(f"key: {print_string(join.key)}")
    if join.extension:
        args.append("extension: true")
    if not join.resolvable:
        args.append("resolvable: false")
    if join.interface_object:
        args.append("isInterfaceObject: true")
    return f"@join__type({', '.join(args)})"


def _join_field(join: JoinField) -> str:
    args = []
    if join.graph is not None:
        args.append(f"graph: {join.graph}")
    for name, value in (
        ("requires", join.requires),
        ("provides", join.provides),
        ("type", join.type),
    ):
        if value is not None:
            args.append(f"{name}: {print_string(value)}")
    if join.external:
        args.append("external: true")
    if join.override is not None:
        args.append(f"override: {print_string(join.override)}")
    if join.used_overridden:
        args.append("usedOverridden: true")
    if join.override_label is not None:
        args.append(f"overrideLabel: {print_string(join.override_label)}")
    if join.context_arguments:
        args.append(f"contextArguments: {_context_arguments(join.context_arguments)}")
    return f"@join__field({', '.join(args)})" if args else "@join__field"


def _context_arguments(arguments: tuple[ContextArgument, ...]) -> str:
    items = (
        f"{{context: {print_string(a.context)}, name: {print_string(a.name)}, "
        f"type: {print_string(a.type)}, selection: {print_string(a.selection)}}}"
        for a in arguments
    )
    return f"[{', '.join(items)}]"


def _type(merged: MergedType, names: Mapping[str, str]) -> str:
    header = f"{KEYWORDS[merged.kind]} {merged.name}"
    if merged.interfaces:
        header += " implements " + " & ".join(merged.interfaces)
    directives = [f'@join__implements(graph: {g}, interface: "{i}")' for g, i in merged.implements]
    directives += [_join_type(join) for join in merged.join_types]
    directives += [
        f'@join__unionMember(graph: {g}, member: "{m}")' for g, m in merged.union_members
    ]
    directives += [f"@context(name: {print_string(n)})" for n in merged.directives.contexts]
    if merged.directives.inaccessible:
        directives.append("@inaccessible")
    directives += _applied(merged.directives, names)
    text = _description(merged.description, "") + header + "".join(f"\n  {d}" for d in directives)
    if merged.kind is Kind.SCALAR:
        return text
    if merged.kind is Kind.UNION:
        return text + "\n = " + " | ".join(merged.members)
    return text + "\n{\n" + _body(merged, names) + "}"


def _body(merged: MergedType, names: Mapping[str, str]) -> str:
    lines: list[str] = []
    if merged.kind is Kind.ENUM:
        for value in merged.values.values():
            directives = ["@inaccessible"] if value.directives.inaccessible else []
            directives += [f"@join__enumValue(graph: {graph})" for graph in value.graphs]
            directives += _applied(value.directives, names)
            lines.append(
                _description(value.description, "  ") + f"  {value.name} " + " ".join(directives)
            )
    elif merged.kind is Kind.INPUT_OBJECT:
        lines = [_input(value, "  ", names) for value in merged.input_fields.values()]
    else:
        lines = [_field(member, names) for member in merged.fields.values()]
    text = ""
    for index, line in enumerate(lines):
        if index and line.lstrip().startswith('"'):
            text += "\n"
        text += line + "\n"
    return text


def _suffix(directives: Directives, joins: list[JoinField], names: Mapping[str, str]) -> str:
    parts = ["@inaccessible"] if directives.inaccessible else []
    parts += [_join_field(join) for join in joins]
    parts += _applied(directives, names)
    return "".join(f" {part}" for part in parts)


def _input(value: MergedInput, indent: str, names: Mapping[str, str]) -> str:
    text = _description(value.description, indent) + f"{indent}{value.name}: {value.type}"
    if value.default is not None:
        text += f" = {print_ast(value.default)}"
    return text + _suffix(value.directives, value.join_fields, names)


def _field(member: MergedField, names: Mapping[str, str]) -> str:
    text = _description(member.description, "  ") + f"  {member.name}"
    if member.args:
        if any(arg.description for arg in member.args.values()):
            arguments = (_input(a, "    ", names) for a in member.args.values())
            text += "(\n" + "\n".join(arguments) + "\n  )"
        else:
            text += "(" + ", ".join(_input(a, "", names) for a in member.args.values()) + ")"
    return text + f": {member.type}" + _suffix(member.directives, member.join_fields, names)
