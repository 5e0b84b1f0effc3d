"""A Kubernetes API server double for AmaltheaSessions, Secrets and pod logs, over real HTTP.

It answers as the Kubernetes API documents its REST calls ("API Concepts" and the custom
resources guide): `POST` of a namespaced object is 201 with the stored object (metadata given
`uid`, `resourceVersion`, `creationTimestamp`), or 409 with a `Status` of reason
`AlreadyExists`; `GET` of a name is 200 or 404 with a `Status` of reason `NotFound`; `GET` of
the collection is a `<Kind>List` filtered by `labelSelector` (`key=value` terms joined by
commas); `PATCH` with `application/merge-patch+json` merges as RFC 7386 says; `DELETE` is 200
with the deleted object (404 when absent). AmaltheaSessions are validated, on create and after
each patch, against the CRD's `openAPIV3Schema` (read from the reference CRD file) with unknown
fields refused, as the API server's strict field validation does: 422 with reason `Invalid`.

Every change takes the next `resourceVersion` of one counter, as etcd's revision is, and is
kept as a watch event. `GET` of a collection with `watch=1` streams, as JSON lines, the events
`{"type": "ADDED" | "MODIFIED" | "DELETED", "object"}` after its `resourceVersion` (or, without
one, ADDED for each object first) until `timeoutSeconds`; a version older than the events kept
(`compact()` forgets them, as etcd's compaction does) gets a `{"type": "ERROR"}` event whose
object is a `Status` of code 410 (`Expired`), as the API server answers a watch.

`operator=True` plays Amalthea: a new or resumed session's `status.state` turns `Running`
(two ready containers), a hibernated one's `Hibernated`.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
import yaml

CRD_PATH = Path(__file__).with_name("amaltheasessions.crd.yaml")
_ROUTE = re.compile(
    r"^/(?:apis/amalthea\.dev/v1alpha1|api/v1)/namespaces/(?P<ns>[^/]+)/"
    r"(?P<plural>amaltheasessions|secrets|pods)(?:/(?P<name>[^/]+))?(?P<log>/log)?$"
)
_KINDS = {"amaltheasessions": "AmaltheaSession", "secrets": "Secret", "pods": "Pod"}


def _strict(schema: Any) -> Any:
    """The schema with unknown fields refused wherever it lists the fields an object has."""
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    strict = {key: _strict(value) for key, value in schema.items()}
    preserved = schema.get("x-kubernetes-preserve-unknown-fields")
    if "properties" in schema and "additionalProperties" not in schema and not preserved:
        strict["additionalProperties"] = False
    return strict


def crd_validator(path: Path = CRD_PATH) -> jsonschema.Draft4Validator:
    """A validator of AmaltheaSession objects by the CRD's schema (OpenAPI v3 is draft 4's)."""
    crd = yaml.safe_load(path.read_text())
    schema = _strict(crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"])
    schema["properties"]["metadata"] = {"type": "object"}
    return jsonschema.Draft4Validator(schema)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _labels(obj: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = obj["metadata"].get("labels", {})
    return labels


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code,
    }  # fmt: skip


class KubernetesDouble:
    """The objects the double holds, by (plural, namespace, name), and what it was sent."""

    def __init__(self, operator: bool = True) -> None:
        self.operator = operator
        self.objects: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.requests: list[tuple[str, str, str]] = []
        self.pod_logs: dict[str, str] = {}
        self.validator = crd_validator()
        self.lock = threading.Condition()
        self.url = ""
        self.version = 0
        self.events: list[tuple[int, str, str, str, dict[str, Any]]] = []
        self.oldest = 1
        self.closed = False

    def _changed(self, kind: str, key: tuple[str, str, str], obj: dict[str, Any]) -> None:
        """Give `obj` the next resourceVersion and keep the change as a watch event."""
        self.version += 1
        obj["metadata"]["resourceVersion"] = str(self.version)
        self.events.append((self.version, key[0], key[1], kind, copy.deepcopy(obj)))
        self.lock.notify_all()

    def compact(self) -> None:
        """Forget every event so far: a watch from an older version gets 410."""
        with self.lock:
            self.events.clear()
            self.oldest = self.version + 1

    def close(self) -> None:
        """End the watches."""
        with self.lock:
            self.closed = True
            self.lock.notify_all()

    def sessions(self) -> list[dict[str, Any]]:
        """The AmaltheaSessions held."""
        return [obj for (plural, _, _), obj in self.objects.items() if plural == "amaltheasessions"]

    def secret(self, namespace: str, name: str) -> dict[str, Any] | None:
        """A Secret held, or None."""
        return self.objects.get(("secrets", namespace, name))

    def set_status(self, namespace: str, name: str, status: dict[str, Any]) -> None:
        """Set a session's status, as Amalthea does."""
        with self.lock:
            key = ("amaltheasessions", namespace, name)
            self.objects[key]["status"] = status
            self._changed("MODIFIED", key, self.objects[key])

    def handle(self, method: str, path: str, query: str, body: Any) -> tuple[int, Any]:
        """One API call: the status code and the JSON (or text) answer."""
        with self.lock:
            self.requests.append((method, path, query))
            match = _ROUTE.match(path)
            if match is None:
                return 404, _status(404, "NotFound", f"the server could not find {path}")
            plural, ns, name = match["plural"], match["ns"], match["name"]
            if match["log"]:
                return self._log(ns, name)
            if name is None:
                return self._collection(method, plural, ns, query, body)
            return self._named(method, plural, ns, name, body)

    def _log(self, ns: str, pod: str) -> tuple[int, Any]:
        if pod not in self.pod_logs:
            return 404, _status(404, "NotFound", f'pods "{pod}" not found')
        return 200, self.pod_logs[pod]

    def _collection(
        self, method: str, plural: str, ns: str, query: str, body: Any
    ) -> tuple[int, Any]:
        if method == "POST":
            return self._create(plural, ns, body)
        wanted = parse_qs(query).get("labelSelector", [""])[0]
        terms = dict(term.split("=", 1) for term in wanted.split(",") if term)
        items = [
            obj for (p, n, _), obj in self.objects.items()
            if p == plural and n == ns
            and terms.items() <= obj["metadata"].get("labels", {}).items()
        ]  # fmt: skip
        kind = _KINDS[plural] + "List"
        metadata = {"resourceVersion": str(self.version)}
        return 200, {"kind": kind, "apiVersion": "v1", "metadata": metadata, "items": items}

    def watch(self, path: str, query: str) -> Iterable[dict[str, Any]]:
        """The events of a watch of a collection, as they happen, until its timeout."""
        match = _ROUTE.match(path)
        assert match is not None and match["name"] is None
        plural, ns = match["plural"], match["ns"]
        parameters = parse_qs(query)
        wanted = parameters.get("labelSelector", [""])[0]
        terms = dict(term.split("=", 1) for term in wanted.split(",") if term)
        deadline = time.monotonic() + float(parameters.get("timeoutSeconds", ["30"])[0])
        since = parameters.get("resourceVersion", [""])[0]
        with self.lock:
            self.requests.append(("WATCH", path, query))
            if since and int(since) + 1 < self.oldest:
                batch = [{"type": "ERROR", "object": _status(410, "Expired", "too old")}]
                yield from batch
                return
            batch = [
                {"type": "ADDED", "object": copy.deepcopy(obj)}
                for (p, n, _), obj in self.objects.items()
                if not since and (p, n) == (plural, ns) and terms.items() <= _labels(obj).items()
            ]
            seen = int(since or self.version)
        yield from batch
        while not self.closed and time.monotonic() < deadline:
            with self.lock:
                if self.version == seen:
                    self.lock.wait(max(0.0, deadline - time.monotonic()))
                batch = [
                    {"type": kind, "object": obj}
                    for version, p, n, kind, obj in self.events
                    if version > seen
                    and (p, n) == (plural, ns)
                    and terms.items() <= _labels(obj).items()
                ]
                seen = self.version
            yield from batch

    def _create(self, plural: str, ns: str, body: dict[str, Any]) -> tuple[int, Any]:
        name = body["metadata"]["name"]
        if (plural, ns, name) in self.objects:
            return 409, _status(409, "AlreadyExists", f'{plural} "{name}" already exists')
        stored = copy.deepcopy(body)
        if plural == "secrets":
            stored["data"] = stored.pop("stringData", {})
        stored["metadata"].update(
            namespace=ns,
            uid=str(uuid.uuid4()),
            resourceVersion=str(self.version + 1),
            creationTimestamp=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        invalid = self._invalid(plural, stored)
        if invalid:
            return 422, _status(422, "Invalid", invalid)
        if plural == "amaltheasessions" and self.operator:
            stored["status"] = self._operated(stored)
        self.objects[(plural, ns, name)] = stored
        self._changed("ADDED", (plural, ns, name), stored)
        return 201, stored

    def _named(self, method: str, plural: str, ns: str, name: str, body: Any) -> tuple[int, Any]:
        key = (plural, ns, name)
        if key not in self.objects:
            return 404, _status(404, "NotFound", f'{plural} "{name}" not found')
        if method == "GET":
            return 200, self.objects[key]
        if method == "DELETE":
            deleted = self.objects.pop(key)
            self._changed("DELETED", key, deleted)
            return 200, deleted
        if method != "PATCH":
            return 405, _status(405, "MethodNotAllowed", method)
        if plural == "secrets" and "stringData" in body:
            body = {**body, "data": body.pop("stringData")}
        patched = merge_patch(self.objects[key], body)
        invalid = self._invalid(plural, patched)
        if invalid:
            return 422, _status(422, "Invalid", invalid)
        if plural == "amaltheasessions" and self.operator:
            patched["status"] = self._operated(patched)
        self.objects[key] = patched
        self._changed("MODIFIED", key, patched)
        return 200, patched

    def _invalid(self, plural: str, obj: dict[str, Any]) -> str:
        if plural != "amaltheasessions":
            return ""
        errors = sorted(self.validator.iter_errors(obj), key=str)
        return "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)

    @staticmethod
    def _operated(obj: dict[str, Any]) -> dict[str, Any]:
        if obj["spec"].get("hibernated"):
            return {"state": "Hibernated", "containerCounts": {"ready": 0, "total": 0}}
        return {"state": "Running", "containerCounts": {"ready": 2, "total": 2}}


def _handler(double: KubernetesDouble) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            merge = self.headers.get("Content-Type") == "application/merge-patch+json"
            if self.command == "GET" and parse_qs(parts.query).get("watch") in (["1"], ["true"]):
                self._stream(double.watch(parts.path, parts.query))
                return
            if self.command == "PATCH" and not merge:
                code, body = 415, _status(415, "UnsupportedMediaType", "only merge patches")
            else:
                code, body = double.handle(
                    self.command, parts.path, parts.query, json.loads(raw) if raw else None
                )
            text = body if isinstance(body, str) else json.dumps(body)
            kind = "text/plain" if isinstance(body, str) else "application/json"
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(text.encode())))
            self.end_headers()
            self.wfile.write(text.encode())

        def _stream(self, events: Iterable[dict[str, Any]]) -> None:
            """Write each event as one JSON line as it comes; the end of the body ends it."""
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            for event in events:
                self.wfile.write(json.dumps(event).encode() + b"\n")
                self.wfile.flush()

        do_GET = do_POST = do_PATCH = do_DELETE = _answer

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    return Handler


@contextmanager
def kubernetes_double(operator: bool = True) -> Iterator[KubernetesDouble]:
    """The double listening on a free loopback port (`.url`) until the block ends."""
    double = KubernetesDouble(operator)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(double))
    double.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield double
    finally:
        double.close()
        server.shutdown()
        server.server_close()


def resource_of(double: KubernetesDouble, session_id: str) -> dict[str, Any]:
    """The AmaltheaSession of a session."""
    found = [obj for obj in double.sessions() if obj["metadata"]["name"] == f"renku-{session_id}"]
    assert len(found) == 1, [obj["metadata"]["name"] for obj in double.sessions()]
    return found[0]


def assert_schema_valid_resources(double: KubernetesDouble, session_id: str) -> None:
    """The session's resource is valid by the CRD and shows none of its Secret's values."""
    resource = resource_of(double, session_id)
    errors = [error.message for error in double.validator.iter_errors(resource)]
    assert errors == [], errors
    namespace = resource["metadata"]["namespace"]
    secret = double.secret(namespace, f"renku-{session_id}-secrets")
    assert secret is not None
    text = json.dumps(resource)
    for key in ("jupyter-token", "token", "git-credentials"):
        value = secret["data"].get(key, "")
        assert not value or value not in text, key
