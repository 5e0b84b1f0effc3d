"""Sessions as AmaltheaSession resources in a Kubernetes namespace (Amalthea runs their pods).

Hibernating sets `spec.hibernated` (Amalthea scales the pod to zero and keeps the volume);
the session's state follows the resource's `status`. The owner's access token and git
credentials live in the session's Secret: written at launch and resume, renewed while the owner
uses the session, emptied when it hibernates, deleted with it. The data connectors' and secret
slots' Secrets (the user's credentials and secret values) are deleted when it hibernates and
written afresh at resume, from what storage answers then.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from renku_fed.identity.tokens import Identity
from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.sessions.backends import ProjectDirectory, ProjectLoader
from renku_fed.subgraphs.sessions.backends.git_credentials import git_credentials
from renku_fed.subgraphs.sessions.backends.kubernetes_api import Gone, KubernetesApi
from renku_fed.subgraphs.sessions.backends.kubernetes_resources import (
    LABEL_PREFIX,
    MANAGED,
    Placement,
    amalthea_session,
    data_source_secret,
    data_sources,
    observed_state,
    remote_of,
    resource_name,
    secret_name,
    session_secret,
    slots_secret,
    slots_secret_name,
)
from renku_fed.subgraphs.sessions.backends.launch_storage import (
    LaunchStorage,
    LaunchStorageClient,
    own_token,
)
from renku_fed.subgraphs.sessions.backends.project_directory import project_loader
from renku_fed.subgraphs.sessions.backends.rclone_config import config_file
from renku_fed.subgraphs.sessions.backends.sqlite_store import SqliteStore
from renku_fed.subgraphs.sessions.models import (
    Environment,
    EnvVar,
    ProjectInfo,
    Session,
    SessionState,
    SessionTarget,
)
from renku_fed.subgraphs.sessions.settings import SessionsSettings

log = logging.getLogger(__name__)
_FOLLOWED = (
    SessionState.STARTING, SessionState.RUNNING, SessionState.STOPPING, SessionState.HIBERNATED
)  # fmt: skip
_LIVE = (SessionState.STARTING, SessionState.RUNNING, SessionState.STOPPING)
_CREDENTIALS = "git-credentials"
_SESSION_ID = f"{LABEL_PREFIX}session-id"
WATCH_SECONDS = 60


class KubernetesSessionBackend:
    """A `SessionBackend` creating one AmaltheaSession (and one Secret) per session."""

    def __init__(
        self,
        settings: SessionsSettings,
        store: SqliteStore,
        projects: ProjectDirectory,
        api: KubernetesApi,
    ) -> None:
        self.store = store
        self.public_url = settings.public_url
        self.launch_lock = asyncio.Lock()
        self.max_live_sessions = settings.max_live_sessions
        self.max_live_sessions_per_user = settings.max_live_sessions_per_user
        self._settings = settings
        self._projects = projects
        self._api = api
        self._placement = Placement(
            namespace=api.namespace,
            public_url=settings.public_url,
            git_image=settings.kubernetes_git_image,
            storage_volume=settings.kubernetes_storage_volume,
            storage_class=settings.kubernetes_storage_class,
            service_account=settings.kubernetes_service_account,
        )
        self._tokens: dict[str, str | None] = {}
        secret = settings.storage_secret.get_secret_value() if settings.storage_secret else None
        self._storage = LaunchStorageClient(settings.storage_url, secret)
        self._remotes: dict[str, str] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._reconciler: asyncio.Task[None] | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._resources: dict[str, dict[str, Any]] = {}
        self._version = ""

    def project_loader(self, caller: Identity) -> ProjectLoader:
        """A new loader of projects as the caller sees them, for one GraphQL request."""
        return project_loader(self._projects, caller)

    async def start(self) -> None:
        """Re-adopt sessions whose resource exists; mark live ones whose resource vanished."""
        await self._follow(
            "The session's resource was gone when the sessions service restarted; delete the "
            "session and launch a new one."
        )
        self._reconciler = asyncio.create_task(self._reconcile_forever())
        self._watcher = asyncio.create_task(self._watch_forever())

    async def close(self) -> None:
        """Stop following; the sessions keep running in the cluster."""
        loops = [task for task in (self._reconciler, self._watcher) if task is not None]
        tasks = [*self._background, *loops]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.to_thread(self._api.close)
        await self._storage.close()

    async def _reconcile_forever(self) -> None:
        """Hibernate idle and delete old sessions, by the resources the watch keeps."""
        while True:
            await asyncio.sleep(self._settings.reconcile_interval_seconds)
            try:
                now = datetime.now(UTC)
                for session in await asyncio.to_thread(self.store.sessions_in, *_FOLLOWED):
                    resource = self._resources.get(session.id)
                    if resource is not None:
                        await self._follow_one(session, resource, now)
            except Exception:
                log.exception("reconciling sessions failed")

    async def _watch_forever(self) -> None:
        """Follow the resources' changes; list them all again when the watch falls behind."""
        while True:
            try:
                async for kind, resource in self._api.watch_sessions(
                    MANAGED, self._version, WATCH_SECONDS
                ):
                    await self._changed(kind, resource)
            except Gone:
                log.info("session watch expired; listing again")
                await self._relist()
            except Exception:
                log.exception("watching sessions failed")
                await asyncio.sleep(self._settings.reconcile_interval_seconds)
                await self._relist()

    async def _relist(self) -> None:
        try:
            await self.reconcile()
        except Exception:
            log.exception("listing sessions failed")

    async def _changed(self, kind: str, resource: dict[str, Any]) -> None:
        self._version = str(resource["metadata"].get("resourceVersion") or self._version)
        session_id = resource["metadata"].get("labels", {}).get(_SESSION_ID, "")
        found = await asyncio.to_thread(self.store.session, session_id)
        if kind == "DELETED":
            self._resources.pop(session_id, None)
            if found is not None and found.state in _FOLLOWED:
                await self._vanished(found, "The session's resource disappeared from the cluster.")
        elif self._remember(resource) and found is not None and found.state in _FOLLOWED:
            await self._follow_one(found, resource, datetime.now(UTC))

    def _remember(self, resource: dict[str, Any] | None) -> bool:
        """Keep the resource unless a newer version of it is kept; True when kept."""
        if resource is None:
            return False
        session_id = resource["metadata"].get("labels", {}).get(_SESSION_ID, "")
        kept = self._resources.get(session_id)
        if kept is not None and _version(kept) > _version(resource):
            return False
        self._resources[session_id] = resource
        return True

    async def reconcile(self) -> None:
        """List every resource and follow its status; mark sessions whose resource is gone."""
        await self._follow("The session's resource disappeared from the cluster.")

    async def _follow(self, vanished: str) -> None:
        items, self._version = await self._api.list_sessions(MANAGED)
        resources = {item["metadata"]["labels"].get(_SESSION_ID, ""): item for item in items}
        self._resources = resources
        now = datetime.now(UTC)
        for session in await asyncio.to_thread(self.store.sessions_in, *_FOLLOWED):
            resource = resources.get(session.id)
            if resource is None:
                await self._vanished(session, vanished)
            else:
                await self._follow_one(session, resource, now)

    async def _vanished(self, session: Session, message: str) -> None:
        if session.state is SessionState.HIBERNATED:
            # Amalthea deletes sessions hibernated past `culling.maxHibernatedDuration`.
            await asyncio.to_thread(self.store.delete_session, session.id)
            return
        await self._save(replace(session.with_state(SessionState.FAILED, message), secret=None))
        log.warning("session resource vanished", extra={"session": session.id})

    async def _follow_one(self, session: Session, resource: dict[str, Any], now: datetime) -> None:
        state, message = observed_state(resource)
        if message is None and state in (SessionState.STARTING, SessionState.RUNNING):
            message = session.message  # what the launch said it lacks
        if session.state is SessionState.HIBERNATED and state is not SessionState.HIBERNATED:
            state, message = session.state, session.message
        if state is SessionState.HIBERNATED and session.state is not SessionState.HIBERNATED:
            session = replace(session, hibernated_at=now)
            message = session.message or "Hibernated by the cluster after a time without use."
        if (state, message) != (session.state, session.message):
            session = session.with_state(state, message)
            await self._save(session)
        if session.will_hibernate_at is not None and session.will_hibernate_at <= now:
            idle = session.idle_threshold_seconds
            await self._hibernate(session, f"Hibernated after {idle} seconds without use.")
        elif session.will_delete_at is not None and session.will_delete_at <= now:
            await self.delete(session)

    async def launch(
        self,
        session: Session,
        project: ProjectInfo,
        environment: Environment,
        env: Sequence[EnvVar],
        owner: Identity,
    ) -> Session:
        """Create the session's Secret and AmaltheaSession."""
        jupyter_secret = secrets.token_urlsafe(32)
        self._remotes[session.id] = project.repositories[0] if project.repositories else ""
        await self._write_secret(session, jupyter_secret, owner.token)
        storage = await self._write_storage(session, owner)
        body = amalthea_session(session, project, environment, env, self._placement, storage)
        try:
            self._remember(await self._api.create_session(body))
        except BaseException:
            await self._delete_secrets(session, body)
            raise
        message = storage.message() if storage else None
        started = replace(session.with_state(session.state, message), secret=jupyter_secret)
        await self._save(started)
        log.info("session resource created", extra={"session": session.id})
        return started

    async def _write_secret(self, session: Session, jupyter_secret: str, token: str | None) -> None:
        remote = self._remotes.get(session.id)
        if remote is None:
            resource = await self._api.session(resource_name(session.id))
            remote = self._remotes[session.id] = remote_of(resource or {})
        credentials = git_credentials(remote, token)
        await self._api.put_secret(session_secret(session, jupyter_secret, token, credentials))
        self._tokens[session.id] = token

    async def _write_storage(self, session: Session, owner: Identity) -> LaunchStorage | None:
        """Ask what the session mounts and write its connectors' and slots' Secrets."""
        if not self._storage.configured:
            return None
        storage = await self._storage.launch_storage(
            session.project_id, session.owner_id, own_token(session, owner)
        )
        for index, connector in enumerate(storage.usable()):
            config = await asyncio.to_thread(config_file, f"dc{index}", connector)
            await self._api.put_secret(data_source_secret(session, index, connector, config))
        await self._api.put_secret(slots_secret(session, storage))
        return storage

    async def _delete_secrets(self, session: Session, resource: dict[str, Any] | None) -> None:
        await self._delete_storage_secrets(session, resource)
        await self._api.delete_secret(secret_name(session.id))

    async def _delete_storage_secrets(
        self, session: Session, resource: dict[str, Any] | None
    ) -> None:
        """Delete the connectors' and slots' Secrets: a launch or resume writes them afresh."""
        spec = (resource or {}).get("spec") or {}
        for source in spec.get("dataSources") or ():
            await self._api.delete_secret(source["secretRef"]["name"])
        await self._api.delete_secret(slots_secret_name(session.id))

    async def hibernate(self, session: Session) -> Session:
        """Set `spec.hibernated`; the volume stays."""
        return await self._hibernate(session, None)

    async def _hibernate(self, session: Session, message: str | None) -> Session:
        patch = {"spec": {"hibernated": True}}
        resource = await self._api.patch_session(resource_name(session.id), patch)
        self._remember(resource)
        await self._api.patch_secret(
            secret_name(session.id), {"stringData": {"token": "", _CREDENTIALS: ""}}
        )
        await self._delete_storage_secrets(session, resource)
        self._tokens.pop(session.id, None)
        hibernated = replace(
            session.with_state(SessionState.HIBERNATED, message),
            secret=None,
            url=None,
            hibernated_at=datetime.now(UTC),
        )
        await self._save(hibernated)
        log.info("session hibernated", extra={"session": session.id})
        return hibernated

    async def resume(self, session: Session, owner: Identity) -> Session:
        """Give the Secret the owner's token again and clear `spec.hibernated`."""
        name = resource_name(session.id)
        resource = await self._api.session(name)
        if resource is None:
            raise DomainError(
                ErrorCode.CONFLICT,
                "The session's files are gone; delete it and launch a new one.",
                "id",
            )
        self._remotes[session.id] = remote_of(resource)
        jupyter_secret = secrets.token_urlsafe(32)
        await self._write_secret(session, jupyter_secret, owner.token)
        storage = await self._write_storage(session, owner)
        now = datetime.now(UTC)
        culling = {"lastInteraction": now.strftime("%Y-%m-%dT%H:%M:%SZ")}
        patch: dict[str, Any] = {"spec": {"hibernated": False, "culling": culling}}
        if storage is not None:
            patch["spec"]["dataSources"] = data_sources(session, storage)
        self._remember(await self._api.patch_session(name, patch))
        resumed = replace(
            session.with_state(SessionState.STARTING, storage.message() if storage else None),
            secret=jupyter_secret,
            hibernated_at=None,
            last_interaction=now,
        )
        await self._save(resumed)
        return resumed

    async def delete(self, session: Session) -> None:
        """Delete the AmaltheaSession, its Secret and the record."""
        resource = await self._api.session(resource_name(session.id))
        await self._api.delete_session(resource_name(session.id))
        await self._delete_secrets(session, resource)
        await asyncio.to_thread(self.store.delete_session, session.id)
        self._tokens.pop(session.id, None)
        self._remotes.pop(session.id, None)
        log.info("session deleted", extra={"session": session.id})

    async def logs(self, session: Session, max_lines: int) -> str:
        """The last lines of the session container of its pod."""
        return await self._api.logs(f"{resource_name(session.id)}-0", max_lines)

    def target(self, session: Session) -> SessionTarget | None:
        """The session's Service in the cluster while it runs."""
        if session.state is not SessionState.RUNNING or not session.secret:
            return None
        upstream = f"http://{resource_name(session.id)}.{self._api.namespace}.svc.cluster.local"
        return SessionTarget(session_id=session.id, upstream=upstream, secret=session.secret)

    def renew_token(self, session: Session, owner: Identity) -> None:
        """Write the owner's newer token into the Secret, in the background."""
        if session.state is not SessionState.RUNNING or not session.secret:
            return
        if self._tokens.get(session.id) == owner.token:
            return
        self._tokens[session.id] = owner.token
        task = asyncio.get_running_loop().create_task(
            self._write_secret(session, session.secret, owner.token)
        )
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _save(self, session: Session) -> None:
        await asyncio.to_thread(self.store.save_session, session)


def _version(resource: dict[str, Any]) -> int:
    """The resource's resourceVersion as a number (the API server's are etcd revisions)."""
    text = str(resource["metadata"].get("resourceVersion") or "0")
    return int(text) if text.isdigit() else 0
