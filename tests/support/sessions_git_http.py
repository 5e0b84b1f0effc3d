"""A git smart-HTTP server over `git http-backend` that wants HTTP Basic credentials, as GitLab.

Every request without `Authorization: Basic` (user `oauth2`, any password) gets 401 with a
`WWW-Authenticate` challenge, so git asks its credential helper; `passwords` records each
password used. Pushes are served too (receive-pack is enabled): when `pushers` is set, a push
with a password outside it gets 403, as GitLab answers a user who may not push; the actions in
`before_push` run once each, at the next push, before its refs are advertised (someone else
pushing first).
"""

from __future__ import annotations

import base64
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class GitHttp:
    """The server's base URL and the passwords it was given."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = ""
        self.passwords: list[str] = []
        self.pushers: set[str] | None = None
        self.before_push: list[Callable[[], object]] = []


def _handler(server: GitHttp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
            user, _, password = base64.b64decode(encoded).decode().partition(":")
            if scheme != "Basic" or user != "oauth2" or not password:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="git"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            server.passwords.append(password)
            if "git-receive-pack" in self.path and not self._may_push(password):
                self.send_response(403)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self._backend()

        def _may_push(self, password: str) -> bool:
            if self.command == "GET":
                while server.before_push:
                    server.before_push.pop(0)()
            return server.pushers is None or password in server.pushers

        def _backend(self) -> None:
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            env = {
                "GIT_PROJECT_ROOT": str(server.root), "GIT_HTTP_EXPORT_ALL": "1",
                "PATH_INFO": parts.path, "QUERY_STRING": parts.query,
                "REQUEST_METHOD": self.command, "REMOTE_USER": "oauth2",
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(body)), "PATH": "/usr/bin:/bin",
                "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "http.receivepack",
                "GIT_CONFIG_VALUE_0": "true",
            }  # fmt: skip
            done = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True)
            head, _, payload = done.stdout.partition(b"\r\n\r\n")
            headers = [line.split(": ", 1) for line in head.decode().split("\r\n") if line]
            status = next((int(v.split()[0]) for k, v in headers if k == "Status"), 200)
            self.send_response(status)
            for key, value in headers:
                if key != "Status":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    return Handler


@contextmanager
def git_http(root: Path) -> Iterator[GitHttp]:
    """Serve the bare repositories under `root` on a free loopback port until the block ends."""
    state = GitHttp(root)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
