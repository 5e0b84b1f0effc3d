"""The `join`, `link`, `tag` and `inaccessible` definitions of a supergraph, per join version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LINK_URL = "https://specs.apollo.dev/link/v1.0"
JOIN_URL = "https://specs.apollo.dev/join/v{version}"
SECURITY_LOCATIONS = "FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"

JOIN_FIELD_ARGS = {
    "0.3": "graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, "
    "external: Boolean, override: String, usedOverridden: Boolean",
}
JOIN_FIELD_ARGS["0.4"] = JOIN_FIELD_ARGS["0.3"] + ", overrideLabel: String"
JOIN_FIELD_ARGS["0.5"] = JOIN_FIELD_ARGS["0.4"] + ", contextArguments: [join__ContextArgument!]"

TYPE_LOCATIONS = "OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR"
ELEMENT_LOCATIONS = (
    "FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | "
    "ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
)


def join_version(federation_version: tuple[int, int]) -> str:
    """The join spec version Apollo writes for the newest federation version among the subgraphs."""
    if federation_version >= (2, 8):
        return "0.5"
    if federation_version >= (2, 7):
        return "0.4"
    return "0.3"


def directive_definitions(version: str) -> dict[str, str]:
    """Directive name -> definition, for the join and link machinery."""
    definitions = {
        "join__enumValue": "directive @join__enumValue(graph: join__Graph!) repeatable on "
        "ENUM_VALUE",
        "join__field": f"directive @join__field({JOIN_FIELD_ARGS[version]}) repeatable on "
        "FIELD_DEFINITION | INPUT_FIELD_DEFINITION",
        "join__graph": "directive @join__graph(name: String!, url: String!) on ENUM_VALUE",
        "join__implements": "directive @join__implements(graph: join__Graph!, interface: String!) "
        "repeatable on OBJECT | INTERFACE",
        "join__type": "directive @join__type(graph: join__Graph!, key: join__FieldSet, "
        "extension: Boolean! = false, resolvable: Boolean! = true, "
        f"isInterfaceObject: Boolean! = false) repeatable on {TYPE_LOCATIONS}",
        "join__unionMember": "directive @join__unionMember(graph: join__Graph!, member: String!) "
        "repeatable on UNION",
        "link": "directive @link(url: String, as: String, for: link__Purpose, "
        "import: [link__Import]) repeatable on SCHEMA",
    }
    if version != "0.3":
        definitions["join__directive"] = (
            "directive @join__directive(graphs: [join__Graph!], name: String!, "
            "args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | "
            "FIELD_DEFINITION"
        )
    return definitions


@dataclass(frozen=True)
class Feature:
    """A spec the supergraph links when some element uses its directive."""

    link: str
    directive: str
    types: tuple[str, ...] = ()
    more_directives: tuple[tuple[str, str], ...] = ()
    """(name, definition) of the spec's other directives."""


FEATURES = {
    "authenticated": Feature(
        '@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)',
        f"directive @authenticated on {SECURITY_LOCATIONS}",
    ),
    "requiresScopes": Feature(
        '@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)',
        "directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on " + SECURITY_LOCATIONS,
        ("scalar requiresScopes__Scope",),
    ),
    "policy": Feature(
        '@link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)',
        f"directive @policy(policies: [[policy__Policy!]!]!) on {SECURITY_LOCATIONS}",
        ("scalar policy__Policy",),
    ),
    "tag": Feature(
        '@link(url: "https://specs.apollo.dev/tag/v0.3")',
        f"directive @tag(name: String!) repeatable on {ELEMENT_LOCATIONS} | SCHEMA",
    ),
    "inaccessible": Feature(
        '@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)',
        f"directive @inaccessible on {ELEMENT_LOCATIONS}",
    ),
    "context": Feature(
        '@link(url: "https://specs.apollo.dev/context/v0.1", for: SECURITY)',
        "directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION",
        ("scalar context__ContextFieldValue",),
        (
            (
                "context__fromContext",
                "directive @context__fromContext(field: context__ContextFieldValue) on "
                "ARGUMENT_DEFINITION",
            ),
        ),
    ),
}


COST_URL = "https://specs.apollo.dev/cost/v0.1"
COST_NAMES = {"cost": "cost", "listSize": "cost__listSize"}
"""The supergraph names of the cost spec's directives when no subgraph names them."""


def cost_link(names: Mapping[str, str]) -> str:
    """The cost spec's `@link`, importing the directives that do not have their default name."""
    imports = []
    for original, default in COST_NAMES.items():
        name = names.get(original, default)
        if name == original and name != default:
            imports.append(f'"@{name}"')
        elif name != default:
            imports.append(f'{{name: "@{original}", as: "@{name}"}}')
    listed = f", import: [{', '.join(imports)}]" if imports else ""
    return f'@link(url: "{COST_URL}"{listed})'


def cost_definitions(names: Mapping[str, str]) -> dict[str, str]:
    """Directive name -> definition, for `@cost` and `@listSize` under their supergraph names."""
    cost = names.get("cost", COST_NAMES["cost"])
    list_size = names.get("listSize", COST_NAMES["listSize"])
    return {
        cost: f"directive @{cost}(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION "
        "| INPUT_FIELD_DEFINITION | OBJECT | SCALAR",
        list_size: f"directive @{list_size}(assumedSize: Int, slicingArguments: [String!], "
        "sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION",
    }


def machinery_types(version: str) -> dict[str, str]:
    """Type name -> definition, for the join and link types of a join version."""
    types = {
        "join__FieldSet": "scalar join__FieldSet",
        "link__Import": "scalar link__Import",
        "link__Purpose": (
            "enum link__Purpose {\n"
            '  """\n'
            "  `SECURITY` features provide metadata necessary to securely resolve fields.\n"
            '  """\n'
            "  SECURITY\n\n"
            '  """\n'
            "  `EXECUTION` features provide metadata necessary for operation execution.\n"
            '  """\n'
            "  EXECUTION\n"
            "}"
        ),
    }
    if version != "0.3":
        types["join__DirectiveArguments"] = "scalar join__DirectiveArguments"
    if version == "0.5":
        types["join__FieldValue"] = "scalar join__FieldValue"
        types["join__ContextArgument"] = (
            "input join__ContextArgument {\n  name: String!\n  type: String!\n"
            "  context: String!\n  selection: join__FieldValue!\n}"
        )
    return types
