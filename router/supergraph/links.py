"""Reading the `@link` (v1.0) and legacy `@core` declarations of a supergraph schema."""

from __future__ import annotations

import re
from dataclasses import dataclass

from graphql import (
    ConstDirectiveNode,
    DocumentNode,
    ListValueNode,
    ObjectValueNode,
    SchemaDefinitionNode,
    StringValueNode,
    ValueNode,
)

from renku_fed.router.supergraph.errors import SupergraphError

_URL = re.compile(r"^https?://[^/]+(?:/[^/]+)*/(?P<name>[A-Za-z_][\w-]*)/v(?P<version>\d+\.\d+)/?$")

# Features this router understands; any other feature declared `for: EXECUTION` is refused.
KNOWN_FEATURES = frozenset(
    {
        "link",
        "core",
        "join",
        "tag",
        "inaccessible",
        "authenticated",
        "requiresScopes",
        "policy",
        "cost",
        "context",
    }
)
SUPPORTED_JOIN_VERSIONS = ("0.1", "0.2", "0.3", "0.4", "0.5")


@dataclass(frozen=True, slots=True)
class Feature:
    """One declared spec: its canonical name, version, local prefix and purpose."""

    name: str
    version: str
    prefix: str
    purpose: str | None
    imports: tuple[tuple[str, str], ...]

    def directive(self, element: str | None = None) -> str:
        """The local name of the feature's own directive or of its `element` directive."""
        if element is None:
            return self._imported(self.name, self.prefix)
        return self._imported(element, f"{self.prefix}__{element}")

    def _imported(self, element: str, default: str) -> str:
        for original, local in self.imports:
            if original == element:
                return local
        return default


@dataclass(frozen=True, slots=True)
class Links:
    """Every feature declared on the schema, by canonical name."""

    features: dict[str, Feature]

    def local_name(self, feature: str, element: str | None = None) -> str:
        """The local directive name of `feature` (or of one of its elements)."""
        found = self.features.get(feature)
        if found is not None:
            return found.directive(element)
        return feature if element is None else f"{feature}__{element}"

    @property
    def join_version(self) -> str:
        """The declared join spec version, such as "0.3"."""
        return self.features["join"].version

    @property
    def prefixes(self) -> frozenset[str]:
        """Local prefixes of every declared feature (types `<prefix>__*` belong to specs)."""
        return frozenset(f.prefix for f in self.features.values())


def read_links(document: DocumentNode) -> Links:
    """Read the schema's `@link`/`@core` declarations and refuse unsupported ones."""
    schema_defs = [d for d in document.definitions if isinstance(d, SchemaDefinitionNode)]
    if not schema_defs:
        raise SupergraphError("not a supergraph: the SDL has no schema definition with @link")
    features: dict[str, Feature] = {}
    for directive in schema_defs[0].directives or ():
        if directive.name.value not in ("link", "core"):
            continue
        feature = _read_declaration(directive)
        if feature.name not in KNOWN_FEATURES and feature.purpose == "EXECUTION":
            raise SupergraphError(
                f"unsupported feature {feature.name} v{feature.version} declared "
                f"for: EXECUTION; this router cannot execute operations that need it"
            )
        features[feature.name] = feature
    if "join" not in features:
        raise SupergraphError("not a supergraph: no join spec is declared with @link or @core")
    if features["join"].version not in SUPPORTED_JOIN_VERSIONS:
        raise SupergraphError(f"unsupported join spec version v{features['join'].version}")
    return Links(features)


def _read_declaration(directive: ConstDirectiveNode) -> Feature:
    args = {a.name.value: a.value for a in directive.arguments or ()}
    url_node = args.get("url") or args.get("feature")
    if not isinstance(url_node, StringValueNode):
        raise SupergraphError(f"@{directive.name.value} without a url")
    match = _URL.match(url_node.value)
    if match is None:
        raise SupergraphError(f"cannot read the feature url {url_node.value!r}")
    name = match["name"]
    prefix = _string(args.get("as")) or name
    purpose_node = args.get("for")
    purpose = getattr(purpose_node, "value", None)
    return Feature(name, match["version"], prefix, purpose, _imports(args.get("import")))


def _imports(node: ValueNode | None) -> tuple[tuple[str, str], ...]:
    if not isinstance(node, ListValueNode):
        return ()
    result: list[tuple[str, str]] = []
    for item in node.values:
        if isinstance(item, StringValueNode):
            bare = item.value.lstrip("@")
            result.append((bare, bare))
        elif isinstance(item, ObjectValueNode):
            fields = {f.name.value: f.value for f in item.fields}
            original = (_string(fields.get("name")) or "").lstrip("@")
            local = (_string(fields.get("as")) or original).lstrip("@")
            result.append((original, local))
    return tuple(result)


def _string(node: ValueNode | None) -> str | None:
    return node.value if isinstance(node, StringValueNode) else None
