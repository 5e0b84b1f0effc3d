"""GitLab user ids to Renku user ids (Keycloak subjects) and back.

GitLab signs its users in through Keycloak with its `openid_connect` OmniAuth provider, so each
GitLab account has an identity `{"provider": "openid_connect", "extern_uid": <Keycloak sub>}`.
GitLab shows identities to administrators only (`GET /users/:id`, `GET
/users?extern_uid=&provider=`), so these look-ups, and nothing else, use an administrator's
token; project calls always use the caller's own token. Mappings never change for an
account, so they are cached for the life of the process (bounded).
"""

from __future__ import annotations

from typing import Any

import gitlab
from gitlab.exceptions import GitlabGetError, GitlabListError

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode

OIDC_PROVIDER = "openid_connect"
# A GitLab account without a Keycloak identity (GitLab's own `root`, say) keeps a Renku id of
# this form; the users subgraph knows no such user, so it resolves to null.
UNLINKED_PREFIX = "gitlab-user:"
MAX_CACHED = 65536


class GitLabIdentities:
    """Maps GitLab users to Keycloak subjects through their `openid_connect` identities."""

    def __init__(self, admin: gitlab.Gitlab, provider: str = OIDC_PROVIDER) -> None:
        self._admin = admin
        self._provider = provider
        self._subjects: dict[int, str] = {}
        self._user_ids: dict[str, int] = {}

    def subject_of(self, user_id: int) -> str:
        """The Renku user id of GitLab user `user_id` (`gitlab-user:ID` if it has none)."""
        known = self._subjects.get(user_id)
        if known is not None:
            return known
        try:
            user: Any = self._admin.users.get(user_id)
        except GitlabGetError as exc:
            if exc.response_code == 404:
                return f"{UNLINKED_PREFIX}{user_id}"
            raise _not_admin(exc.response_code) from exc
        if "identities" not in user.attributes:
            raise _not_admin(200)
        identities: list[dict[str, Any]] = user.attributes["identities"] or []
        subject = next(
            (str(i["extern_uid"]) for i in identities if i.get("provider") == self._provider),
            None,
        )
        if subject is None:
            return f"{UNLINKED_PREFIX}{user_id}"
        self._remember(user_id, subject)
        return subject

    def user_id_of(self, subject: str) -> int | None:
        """The GitLab user id of the Renku user `subject`, or None if GitLab has no such user."""
        known = self._user_ids.get(subject)
        if known is not None:
            return known
        if subject.startswith(UNLINKED_PREFIX):
            suffix = subject.removeprefix(UNLINKED_PREFIX)
            return int(suffix) if suffix.isdigit() else None
        try:
            found: list[Any] = self._admin.users.list(
                extern_uid=subject, provider=self._provider, get_all=False
            )
        except GitlabListError as exc:
            raise _not_admin(exc.response_code) from exc
        if not found:
            return None
        user_id = int(found[0].id)
        self._remember(user_id, subject)
        return user_id

    def _remember(self, user_id: int, subject: str) -> None:
        if len(self._subjects) >= MAX_CACHED:
            self._subjects.clear()
            self._user_ids.clear()
        self._subjects[user_id] = subject
        self._user_ids[subject] = user_id


def _not_admin(status: int | None) -> DomainError:
    return DomainError(
        ErrorCode.UNAVAILABLE,
        f"GitLab did not show user identities (status {status}): "
        "RENKU_FED_PROJECTS_GITLAB_ADMIN_TOKEN must belong to a GitLab administrator and have "
        "the `read_api` scope.",
    )
