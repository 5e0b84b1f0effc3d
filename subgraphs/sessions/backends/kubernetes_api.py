"""The Kubernetes API calls of the sessions backend, through the `kubernetes` client.

The client blocks, so every call runs in a worker thread. A missing object is None (404), an
existing one on create is `AlreadyExists` (409); any other failure is UNAVAILABLE.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, TypeVar, cast

from kubernetes import client, config, watch
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from renku_fed.subgraphs.common.errors import DomainError, ErrorCode
from renku_fed.subgraphs.sessions.backends.kubernetes_resources import GROUP, PLURAL, VERSION

log = logging.getLogger(__name__)
T = TypeVar("T")
SESSION_CONTAINER = "amalthea-session"
MERGE_PATCH = "application/merge-patch+json"


class AlreadyExists(Exception):
    """The object to create exists already (409)."""


class Gone(Exception):
    """A watch's resourceVersion is older than the API server keeps (410): list again."""


def api_client(api_url: str | None) -> client.ApiClient:
    """A client of `api_url`, else of the pod's service account, else of the kubeconfig."""
    if api_url is not None:
        configuration = client.Configuration()
        configuration.host = api_url
        return client.ApiClient(configuration)
    try:
        config.load_incluster_config()  # type: ignore[no-untyped-call]
    except ConfigException:
        config.load_kube_config()  # type: ignore[no-untyped-call]
    return client.ApiClient()


class KubernetesApi:
    """AmaltheaSessions, Secrets and pod logs in one namespace."""

    def __init__(self, api: client.ApiClient, namespace: str) -> None:
        self._api = api
        self._custom = client.CustomObjectsApi(api)
        self._core = client.CoreV1Api(api)
        self.namespace = namespace

    def close(self) -> None:
        """Close the connection pool."""
        self._api.close()  # type: ignore[no-untyped-call]

    async def _call(self, call: Callable[[], T], action: str) -> T | None:
        try:
            return await asyncio.to_thread(call)
        except ApiException as error:
            if error.status == 404:
                return None
            if error.status == 409:
                raise AlreadyExists(action) from error
            log.warning("kubernetes call failed", extra={"action": action, "status": error.status})
            raise DomainError(
                ErrorCode.UNAVAILABLE, "The session cluster refused a request; try again later."
            ) from error
        except OSError as error:
            log.warning("kubernetes unreachable", extra={"action": action})
            raise DomainError(
                ErrorCode.UNAVAILABLE, "The session cluster could not be reached; try again later."
            ) from error

    def _object(self, name: str | None = None) -> dict[str, Any]:
        base: dict[str, Any] = {
            "group": GROUP, "version": VERSION, "namespace": self.namespace, "plural": PLURAL
        }  # fmt: skip
        return base if name is None else {**base, "name": name}

    async def create_session(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """Create an AmaltheaSession."""
        call = self._custom.create_namespaced_custom_object
        return _json(await self._call(lambda: call(body=body, **self._object()), "create"))

    async def session(self, name: str) -> dict[str, Any] | None:
        """The AmaltheaSession, or None."""
        call = self._custom.get_namespaced_custom_object
        return _json(await self._call(lambda: call(**self._object(name)), "get session"))

    async def sessions(self, selector: Mapping[str, str]) -> list[dict[str, Any]]:
        """The AmaltheaSessions with these labels."""
        return (await self.list_sessions(selector))[0]

    async def list_sessions(self, selector: Mapping[str, str]) -> tuple[list[dict[str, Any]], str]:
        """The AmaltheaSessions with these labels and the list's resourceVersion."""
        text = ",".join(f"{key}={value}" for key, value in selector.items())
        call = self._custom.list_namespaced_custom_object
        found = _json(await self._call(lambda: call(label_selector=text, **self._object()), "list"))
        items = list((found or {}).get("items", []))
        return items, str(((found or {}).get("metadata") or {}).get("resourceVersion", ""))

    async def watch_sessions(
        self, selector: Mapping[str, str], version: str, timeout: int
    ) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        """The (type, object) events of the AmaltheaSessions with these labels after `version`,
        until `timeout` seconds have passed; `Gone` when `version` is too old."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, dict[str, Any]] | BaseException | None] = asyncio.Queue()
        watcher = watch.Watch()  # type: ignore[no-untyped-call]
        text = ",".join(f"{key}={value}" for key, value in selector.items())

        def put(item: tuple[str, dict[str, Any]] | BaseException | None) -> None:
            # The service may have stopped (its loop closed) while the watch still ran.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(queue.put_nowait, item)

        def follow() -> None:
            stream = watcher.stream(  # type: ignore[no-untyped-call]
                self._custom.list_namespaced_custom_object, **self._object(),
                label_selector=text, resource_version=version, timeout_seconds=timeout,
            )  # fmt: skip
            try:
                for event in stream:
                    item = (str(event["type"]), cast("dict[str, Any]", event["raw_object"]))
                    put(item)
            except BaseException as error:  # handed to the reader below
                put(error)
            put(None)

        # A daemon thread: a watch ended early must not hold up the service's shutdown.
        threading.Thread(target=follow, daemon=True, name="sessions-watch").start()
        try:
            while (item := await queue.get()) is not None:
                if isinstance(item, ApiException) and item.status == 410:
                    raise Gone(version) from item
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            watcher.stop()  # type: ignore[no-untyped-call]

    async def patch_session(self, name: str, patch: dict[str, Any]) -> dict[str, Any] | None:
        """Merge-patch an AmaltheaSession; None when it is gone."""
        call = self._custom.patch_namespaced_custom_object
        return _json(await self._call(lambda: call(body=patch, **self._object(name)), "patch"))

    async def delete_session(self, name: str) -> None:
        """Delete an AmaltheaSession; nothing when it is gone."""
        call = self._custom.delete_namespaced_custom_object
        await self._call(lambda: call(**self._object(name)), "delete session")

    async def put_secret(self, body: dict[str, Any]) -> None:
        """Create the Secret, or replace its data when it exists."""
        name = body["metadata"]["name"]
        # The client sends a plain dict as it is; its type names only its own model class.
        secret = cast(Any, body)
        try:
            await self._call(
                lambda: self._core.create_namespaced_secret(self.namespace, secret), "create secret"
            )
        except AlreadyExists:
            await self.patch_secret(name, {"stringData": body["stringData"]})

    async def patch_secret(self, name: str, patch: dict[str, Any]) -> None:
        """Merge-patch a Secret; nothing when it is gone."""
        call = self._core.patch_namespaced_secret
        await self._call(
            lambda: call(name, self.namespace, patch, _content_type=MERGE_PATCH), "patch secret"
        )

    async def delete_secret(self, name: str) -> None:
        """Delete a Secret; nothing when it is gone."""
        call = self._core.delete_namespaced_secret
        await self._call(lambda: call(name, self.namespace), "delete secret")

    async def logs(self, pod: str, max_lines: int) -> str:
        """The last lines of the session container's output; empty without a pod."""
        call = self._core.read_namespaced_pod_log
        text = await self._call(
            lambda: call(pod, self.namespace, container=SESSION_CONTAINER, tail_lines=max_lines),
            "pod logs",
        )
        return str(text or "")


def _json(found: object) -> dict[str, Any] | None:
    return cast("dict[str, Any] | None", found)
