"""What a session mounts and which secret files it gets, as the storage service tells at launch.

The storage service's internal route (`POST /internal/session-launch`, see ARCHITECTURE.md)
answers a project's data connectors the user may read, with the user's decrypted credentials,
and the user's values of the project's secret slots. Both are secrets: nothing here is logged.
The request carries the launching user's own token, so storage asks their group roles afresh.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.sessions.models import Session

log = logging.getLogger(__name__)
TOKEN_HEADER = "X-Renku-Internal-Token"
DEFAULT_SECRETS_DIRECTORY = "/secrets"
UNREACHABLE = (
    "The storage service could not be reached: the session started without its data "
    "connectors and secrets; resume it later to get them."
)
REFUSED = (
    "The storage service refused to say what the session mounts (HTTP {status}): the session "
    "started without its data connectors and secrets; sign in again and resume it."
)


@dataclass(frozen=True, slots=True)
class DataConnectorMount:
    """One data connector to mount: rclone's type and options, where from, where to."""

    id: str
    slug: str
    storage_type: str
    configuration: Mapping[str, str]
    source_path: str
    target_path: str
    read_only: bool
    missing_credentials: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SecretSlot:
    """One secret file of the session: its file name and the user's value, if any."""

    name: str
    filename: str
    value: str | None


@dataclass(frozen=True, slots=True)
class LaunchStorage:
    """Connectors and secret files of a session, and what the session's message must say."""

    connectors: tuple[DataConnectorMount, ...] = ()
    secrets_directory: str = DEFAULT_SECRETS_DIRECTORY
    slots: tuple[SecretSlot, ...] = ()
    problems: tuple[str, ...] = field(default=())

    def usable(self) -> tuple[DataConnectorMount, ...]:
        """The connectors that have every credential they need."""
        return tuple(item for item in self.connectors if not item.missing_credentials)

    def filled(self) -> tuple[SecretSlot, ...]:
        """The secret slots the user has filled."""
        return tuple(item for item in self.slots if item.value is not None)

    def message(self, extra: tuple[str, ...] = ()) -> str | None:
        """The session's message naming what it lacks; None when nothing is missing."""
        lines = [*self.problems]
        lines += [f"data connector {c.slug} needs credentials" for c in self.connectors
                  if c.missing_credentials]  # fmt: skip
        lines += [f"secret {s.name} has no value" for s in self.slots if s.value is None]
        lines += extra
        return "; ".join(line.rstrip(".") for line in lines) + "." if lines else None


def parse(answer: Mapping[str, Any]) -> LaunchStorage:
    """The route's JSON answer as a `LaunchStorage`."""
    connectors = tuple(
        DataConnectorMount(
            id=str(item["id"]),
            slug=str(item["slug"]),
            storage_type=str(item["storageType"]),
            configuration={
                str(k): _option(v) for k, v in (item.get("configuration") or {}).items()
            },
            source_path=str(item.get("sourcePath") or ""),
            target_path=str(item.get("targetPath") or item["slug"]),
            read_only=bool(item.get("readOnly", True)),
            missing_credentials=tuple(item.get("missingCredentials") or ()),
        )
        for item in answer.get("dataConnectors") or ()
    )
    slots = tuple(
        SecretSlot(str(item["name"]), str(item["filename"]), item.get("value"))
        for item in answer.get("secretSlots") or ()
    )
    directory = str(answer.get("secretsMountDirectory") or DEFAULT_SECRETS_DIRECTORY)
    problems = tuple(str(item) for item in answer.get("problems") or ())
    return LaunchStorage(connectors, directory, slots, problems)


def _option(value: object) -> str:
    """An rclone option's value as its configuration writes it (`true`, not `True`)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


class LaunchStorageClient:
    """Asks the storage service what a session gets; nothing when it is not configured."""

    def __init__(self, url: str | None, secret: str | None, timeout: float = 10.0) -> None:
        self._url = url
        self._secret = secret or ""
        self._client = httpx.AsyncClient(timeout=timeout)

    @property
    def configured(self) -> bool:
        """Whether a storage service is there to ask."""
        return self._url is not None

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def launch_storage(
        self, project_id: str, user_id: str, token: str | None
    ) -> LaunchStorage:
        """The project's connectors and secret files for the user; a problem when unreachable.

        `token` is the launching user's own access token: storage asks the user's namespace
        roles with it. Without it (someone else resumes the session), storage withholds the
        connectors only namespace members may read, and says so.
        """
        if self._url is None:
            return LaunchStorage()
        headers = {TOKEN_HEADER: self._secret}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception_type(httpx.TransportError),
                stop=stop_after_attempt(3),
                wait=wait_exponential(multiplier=0.2, max=2),
                reraise=True,
            ):
                with attempt:
                    response = await self._client.post(
                        self._url,
                        json={"projectId": project_id, "userId": user_id},
                        headers=headers,
                    )
                    response.raise_for_status()
        except httpx.TransportError as error:
            log.warning("storage service unavailable", extra={"error": type(error).__name__})
            return LaunchStorage(problems=(UNREACHABLE,))
        except httpx.HTTPStatusError as error:
            status = error.response.status_code
            log.warning("storage service refused a launch", extra={"status": status})
            return LaunchStorage(problems=(REFUSED.format(status=status),))
        return parse(response.json())


def own_token(session: Session, caller: Identity) -> str | None:
    """The caller's token when they own the session; None when someone else (an admin) acts."""
    return caller.token if caller.subject == session.owner_id else None
