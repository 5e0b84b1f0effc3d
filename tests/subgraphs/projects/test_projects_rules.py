"""The projects domain rules: slugs, validation, access and etags."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from renku_fed.identity.tokens import ANONYMOUS, Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.common.rules import check_slug, slug_from_name
from renku_fed.subgraphs.projects.core import validate_new_project
from renku_fed.subgraphs.projects.models import Member, Project, Role, Visibility

OWNER = Identity(subject="o", username="owner")
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def project(visibility: Visibility = Visibility.PRIVATE) -> Project:
    return Project(
        id="p",
        name="P",
        slug="p",
        namespace="owner",
        visibility=visibility,
        description=None,
        keywords=(),
        created_by="o",
        creation_date=NOW,
        updated_at=NOW,
        members=(Member("o", Role.OWNER), Member("e", Role.EDITOR), Member("v", Role.VIEWER)),
    )


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("My Renku Project :)", "my-renku-project"),
        ("Flights", "flights"),
        ("a--b..c", "a-b.c"),
        ("data.git", "data"),
        ("x.git.atom", "x"),
        ("Ünïcödé 2024", "unicode-2024"),
        ("__init__", "init"),
        ("!!!", ""),
        ("a" * 150, "a" * 99),
    ],
)
def test_slug_from_name_follows_gitlab_rules(name: str, slug: str) -> None:
    assert slug_from_name(name) == slug
    if slug:
        assert check_slug(slug) == slug


@pytest.mark.parametrize(
    "slug", ["", "-a", "A", "a__b", "a.git", "a.atom", "a b", "a/b", "a" * 100]
)
def test_check_slug_refuses_invalid_slugs(slug: str) -> None:
    with pytest.raises(DomainError) as caught:
        check_slug(slug)
    assert caught.value.code is ErrorCode.BAD_USER_INPUT
    assert caught.value.field == "slug"


def test_validation_defaults_namespace_and_visibility_fields() -> None:
    new = validate_new_project(
        OWNER,
        name="  Data  ",
        namespace=None,
        slug=None,
        visibility=Visibility.PUBLIC,
        description="",
        keywords=[" x ", "x"],
    )
    assert (new.name, new.namespace, new.slug) == ("Data", "owner", "data")
    assert new.description is None
    assert new.keywords == ("x",)


def test_a_username_unfit_for_a_path_cannot_own_projects() -> None:
    caller = Identity(subject="s", username="../etc")
    with pytest.raises(DomainError) as caught:
        validate_new_project(
            caller,
            name="x",
            namespace=None,
            slug=None,
            visibility=Visibility.PRIVATE,
            description=None,
            keywords=None,
        )
    assert caught.value.field == "namespace"


@pytest.mark.parametrize(
    ("caller", "visible", "write", "delete"),
    [
        (ANONYMOUS, False, False, False),
        (Identity(subject="v"), True, False, False),
        (Identity(subject="e"), True, True, False),
        (Identity(subject="o"), True, True, True),
        (Identity(subject="x"), False, False, False),
        (Identity(subject="x", roles=frozenset({"renku-admin"})), True, True, True),
    ],
)
def test_roles_grant_visibility_and_permissions(
    caller: Identity, visible: bool, write: bool, delete: bool
) -> None:
    private = project()
    assert private.is_visible_to(caller) is visible
    rights = private.permissions_of(caller)
    assert (rights.write, rights.delete, rights.change_membership) == (write, delete, delete)
    assert project(Visibility.PUBLIC).is_visible_to(caller)


def test_etag_changes_with_contents_and_update_time() -> None:
    original = project()
    assert original.etag == project().etag
    assert replace(original, updated_at=NOW + timedelta(seconds=1)).etag != original.etag
    assert replace(original, description="new").etag != original.etag
    assert replace(original, members=original.members[:1]).etag != original.etag
