"""Reading the authorization directives from supergraphs, and deciding per kind of caller."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse

from renku_fed.identity.tokens import ANONYMOUS, Identity
from renku_fed.router.authorization import (
    AuthorizationRules,
    AuthorizationSettings,
    Authorizer,
    Grant,
    Requirement,
)
from renku_fed.router.composition import SubgraphSource, compose
from renku_fed.router.supergraph import Supergraph
from tests.support.composition.oracle import run_apollo
from tests.support.fake_subgraphs import SUPERGRAPH_PATH

FIXTURES = Path(__file__).with_name("fixtures")


def _sources() -> list[SubgraphSource]:
    return [
        SubgraphSource(path.stem, f"http://{path.stem}/graphql", path.read_text())
        for path in sorted((FIXTURES / "authz").glob("*.graphql"))
    ]


def _rules(sdl: str) -> AuthorizationRules:
    rules = AuthorizationRules.of(Supergraph.parse(sdl))
    assert rules is not None
    return rules


def _any_of(*groups: set[str]) -> frozenset[frozenset[str]]:
    return frozenset(frozenset(group) for group in groups)


def test_our_composition_and_apollos_give_the_same_rules() -> None:
    apollo = run_apollo({"authz": _sources()})["authz"]
    assert apollo.supergraph is not None, apollo.messages

    ours = _rules(compose(_sources()))
    theirs = _rules(apollo.supergraph)

    assert ours.types == theirs.types
    assert ours.fields == theirs.fields


def test_requirements_of_fields_types_and_interfaces() -> None:
    rules = _rules(compose(_sources()))
    signed_in = Requirement(authenticated=True)

    assert rules.field("Query", "me") == signed_in
    assert rules.field("Query", "secret") == Requirement(
        scopes=frozenset({_any_of({"read:secret"}, {"admin", "audit"})})
    )
    assert rules.field("Query", "flagged") == Requirement(
        policies=frozenset({_any_of({"reviewer"}, {"moderator", "on-duty"})})
    )
    assert rules.field("Query", "ssn") == signed_in
    assert rules.type("PrivateBlog") == rules.type("Post") == signed_in
    assert rules.field("Query", "posts") == signed_in
    assert rules.field("Query", "feed") == Requirement()
    assert rules.field("Media", "views") == rules.field("Book", "views")
    assert rules.field("Film", "views") == Requirement()
    assert rules.field("Query", "answer") == Requirement()


def test_renamed_directives_are_read_by_their_link_imports() -> None:
    rules = _rules((FIXTURES / "authz-renamed.graphql").read_text())

    assert rules.field("Query", "inbox") == Requirement(authenticated=True)
    assert rules.field("Query", "audit") == Requirement(scopes=frozenset({_any_of({"audit"})}))
    assert rules.field("Query", "payroll") == Requirement(policies=frozenset({_any_of({"hr"})}))
    assert rules.field("Query", "weather") == Requirement()


@pytest.mark.parametrize(
    ("authenticated", "scopes", "policies", "allowed"),
    [
        (False, set(), set(), False),
        (True, set(), set(), False),
        (True, {"a"}, set(), False),
        (True, {"a", "b"}, set(), False),
        (True, {"a", "b"}, {"p"}, True),
        (True, {"c"}, {"p"}, True),
        (False, {"c"}, {"p"}, False),
    ],
)
def test_a_grant_meets_every_part_of_a_requirement(
    authenticated: bool, scopes: set[str], policies: set[str], allowed: bool
) -> None:
    requirement = (
        Requirement(authenticated=True)
        & Requirement(scopes=frozenset({_any_of({"a", "b"}, {"c"})}))
        & Requirement(policies=frozenset({_any_of({"p"})}))
    )

    grant = Grant(authenticated, frozenset(scopes), frozenset(policies))

    assert grant.allows(requirement) is allowed


def test_no_directives_or_disabled_means_no_authorizer() -> None:
    plain = Supergraph.parse(SUPERGRAPH_PATH.read_text())
    guarded = Supergraph.parse(compose(_sources()))

    assert AuthorizationRules.of(plain) is None
    assert Authorizer.of(plain, AuthorizationSettings()) is None
    assert Authorizer.of(guarded, AuthorizationSettings(enabled=False)) is None


def _prepare(authorizer: Authorizer, query: str) -> object:
    document = parse(query)
    definition = document.definitions[0]
    assert isinstance(definition, OperationDefinitionNode)
    return authorizer.operation(document, definition)


async def test_operations_without_requirements_skip_the_walk() -> None:
    authorizer = Authorizer.of(Supergraph.parse(compose(_sources())), AuthorizationSettings())
    assert authorizer is not None

    assert _prepare(authorizer, "{ answer feed { ... on Ad { text } } }") is None
    assert _prepare(authorizer, "{ answer secret }") is not None


async def test_decisions_are_shared_by_callers_who_differ_only_in_unused_scopes() -> None:
    authorizer = Authorizer.of(Supergraph.parse(compose(_sources())), AuthorizationSettings())
    assert authorizer is not None
    document = parse("{ answer secret }")
    definition = document.definitions[0]
    assert isinstance(definition, OperationDefinitionNode)
    operation = authorizer.operation(document, definition)
    assert operation is not None

    anonymous = await authorizer.decide(operation, ANONYMOUS)
    signed_in = await authorizer.decide(operation, Identity(subject="u1", scopes=frozenset({"x"})))
    auditor = await authorizer.decide(
        operation, Identity(subject="u2", scopes=frozenset({"admin", "audit", "y"}))
    )

    assert anonymous is signed_in
    assert anonymous.paths == (("secret",),)
    assert anonymous.document is not None
    assert "secret" not in (anonymous.document.loc.source.body if anonymous.document.loc else "")
    assert auditor.removed == frozenset()
    assert auditor.document is document
