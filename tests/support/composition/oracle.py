"""The composition oracle: runs `@apollo/composition` on subgraph sets and compares supergraphs."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from graphql import (
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    FieldDefinitionNode,
    InputObjectTypeDefinitionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    NamedTypeNode,
    Node,
    ObjectTypeDefinitionNode,
    SchemaDefinitionNode,
    TypeDefinitionNode,
    UnionTypeDefinitionNode,
    build_ast_schema,
    lexicographic_sort_schema,
    parse,
    print_ast,
    print_schema,
    visit,
)
from graphql.language.visitor import REMOVE, Visitor

from renku_fed.router.composition import SubgraphSource

HERE = Path(__file__).parent
PLATFORM_SNAPSHOTS = HERE.parents[2] / "schema"
PLATFORM_SUBGRAPHS = ("kg", "projects", "sessions", "users")
NODE_PACKAGES = HERE
SCRIPT = HERE / "apollo_compose.js"
INSTALL_HINT = (
    "run `npm ci --prefix tests/support/composition` to install @apollo/composition for these tests"
)


@dataclass(frozen=True)
class OracleResult:
    """What `@apollo/composition` answered for one subgraph set."""

    supergraph: str | None
    codes: tuple[str, ...]
    messages: tuple[str, ...]
    hints: tuple[str, ...] = ()
    """The codes of the composition hints, in Apollo's order."""


def platform_sets() -> dict[str, list[SubgraphSource]]:
    """The `platform_snapshots` set: the four subgraphs' SDL snapshots the repository keeps."""
    return {
        "platform_snapshots": [
            SubgraphSource(
                name,
                f"http://{name}:8000/graphql",
                (PLATFORM_SNAPSHOTS / f"{name}.graphql").read_text(),
            )
            for name in PLATFORM_SUBGRAPHS
        ]
    }


def run_apollo(sets: dict[str, list[SubgraphSource]]) -> dict[str, OracleResult]:
    """Compose every set with `@apollo/composition` in one Node process."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "`node` is not on PATH: the composition oracle needs Node.js 18+; " + INSTALL_HINT
        )
    if not (NODE_PACKAGES / "node_modules" / "@apollo" / "composition").is_dir():
        pytest.fail(f"{NODE_PACKAGES / 'node_modules'} has no @apollo/composition: {INSTALL_HINT}")
    payload = {
        name: [{"name": s.name, "url": s.url, "sdl": s.sdl} for s in sources]
        for name, sources in sets.items()
    }
    process = subprocess.run(
        [node, str(SCRIPT)], input=json.dumps(payload), capture_output=True, text=True, timeout=120
    )
    if process.returncode != 0:
        pytest.fail(f"the composition oracle failed ({INSTALL_HINT}?):\n{process.stderr}")
    results = {}
    for name, answer in json.loads(process.stdout).items():
        errors = answer.get("errors") or []
        results[name] = OracleResult(
            answer.get("supergraph"),
            tuple(error["code"] for error in errors),
            tuple(error["message"] for error in errors),
            tuple(hint["code"] for hint in answer.get("hints") or ()),
        )
    return results


def _is_machinery(name: str) -> bool:
    return name.startswith(("join__", "link__")) or name in ("link", "inaccessible", "tag")


def _inaccessible(node: Node) -> bool:
    return any(d.name.value == "inaccessible" for d in getattr(node, "directives", None) or ())


def _named(node: Node) -> str:
    inner = node
    while not isinstance(inner, NamedTypeNode):
        inner = inner.type  # type: ignore[attr-defined]
    return inner.name.value


def api_schema(supergraph: str) -> str:
    """The API schema clients see, printed sorted: no join/link machinery, no @inaccessible."""
    document = parse(supergraph, no_location=True)
    marked = {
        d.name.value
        for d in document.definitions
        if isinstance(d, TypeDefinitionNode) and _inaccessible(d)
    }
    hidden = {
        d.name.value
        for d in document.definitions
        if isinstance(d, TypeDefinitionNode) and (_inaccessible(d) or _is_machinery(d.name.value))
    }
    definitions = []
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode):
            definitions.append(definition)
        elif isinstance(definition, TypeDefinitionNode) and definition.name.value not in hidden:
            definitions.append(_accessible(definition, hidden | marked))
    stripped = visit(DocumentNode(definitions=tuple(definitions)), _ApplicationStripper())
    schema = build_ast_schema(stripped)
    return print_schema(lexicographic_sort_schema(schema))


class _ApplicationStripper(Visitor):
    """Removes every applied directive but the ones graphql-core prints."""

    def enter_directive(self, node: DirectiveNode, *_: object) -> object:
        return None if node.name.value in ("deprecated", "specifiedBy") else REMOVE


def _accessible(node: TypeDefinitionNode, hidden: set[str]) -> TypeDefinitionNode:
    kept = {}
    if isinstance(node, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
        kept["fields"] = tuple(
            _field(f) for f in node.fields or () if not _inaccessible(f) and _named(f) not in hidden
        )
    if isinstance(node, InputObjectTypeDefinitionNode):
        kept["fields"] = tuple(f for f in node.fields or () if not _inaccessible(f))
    if isinstance(node, EnumTypeDefinitionNode):
        kept["values"] = tuple(v for v in node.values or () if not _inaccessible(v))
    if isinstance(node, UnionTypeDefinitionNode):
        kept["types"] = tuple(t for t in node.types or () if t.name.value not in hidden)
    return node.__class__(**{**{k: getattr(node, k) for k in node.keys}, **kept})


def _field(node: FieldDefinitionNode) -> FieldDefinitionNode:
    arguments = tuple(a for a in node.arguments or () if not _inaccessible(a))
    return node.__class__(**{**{k: getattr(node, k) for k in node.keys}, "arguments": arguments})


def _coordinates(document: DocumentNode) -> Iterator[tuple[str, DirectiveNode]]:
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode):
            yield from (("schema", d) for d in definition.directives or ())
        if not isinstance(definition, TypeDefinitionNode):
            continue
        name = definition.name.value
        if _is_machinery(name):
            continue
        yield from ((name, d) for d in definition.directives or ())
        for child in (
            getattr(definition, "fields", None) or getattr(definition, "values", None) or ()
        ):
            coordinate = f"{name}.{child.name.value}"
            yield from ((coordinate, d) for d in child.directives or ())
            for arg in getattr(child, "arguments", None) or ():
                assert isinstance(arg, InputValueDefinitionNode)
                yield from ((f"{coordinate}({arg.name.value}:)", d) for d in arg.directives or ())


def applied_directives(supergraph: str) -> set[tuple[str, str, frozenset[tuple[str, str]]]]:
    """(element, directive, args) of every directive applied in the supergraph, join__* too."""
    document = parse(supergraph, no_location=True)
    return {
        (
            coordinate,
            directive.name.value,
            frozenset((a.name.value, print_ast(a.value)) for a in directive.arguments or ()),
        )
        for coordinate, directive in _coordinates(document)
    }


def graph_enum(supergraph: str) -> set[str]:
    """The `join__Graph` values with their `@join__graph(name:, url:)`."""
    document = parse(supergraph, no_location=True)
    return {
        f"{value.name.value} {print_ast(directive)}"
        for definition in document.definitions
        if isinstance(definition, EnumTypeDefinitionNode) and definition.name.value == "join__Graph"
        for value in definition.values or ()
        for directive in value.directives or ()
    }
