"""Run the test OpenID provider (`server.mjs` beside this file), a Keycloak realm look-alike.

`OidcProvider` starts `node server.mjs` on a free 127.0.0.1 port, waits for its ready line and
stops it on exit; the server also stops by itself when this process goes away (its standard
input closes), so no provider outlives a test run::

    with OidcProvider(realm="renku") as idp:
        tokens = idp.token_for("alice")          # python-keycloak, password grant
        idp.issuer                                # http://127.0.0.1:PORT/realms/renku

The realm has the confidential clients `renku` (tokens with `aud` ["renku", "account"]) and
`other-service` (`aud` ["other-service", "account"]), and the users alice, bob and admin (realm
role `renku-admin`); `users` has their passwords and ids. The npm packages must be installed
once with `npm ci --prefix tests/support/oidc`.
"""

from __future__ import annotations

import json
import selectors
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx
from keycloak import KeycloakOpenID

OIDC_DIR = Path(__file__).resolve().parent
SERVER_SCRIPT = OIDC_DIR / "server.mjs"
RENKU_CLIENT = "renku"
OTHER_CLIENT = "other-service"


class OidcProviderError(RuntimeError):
    """The test OpenID provider could not be started or refused a test control."""


@dataclass(frozen=True, slots=True)
class TestUser:
    """A fixed account of the test realm."""

    __test__ = False  # not a pytest test class

    username: str
    password: str
    sub: str
    email: str
    roles: tuple[str, ...]


class OidcProvider:
    """A running test realm: its issuer, clients and users, tokens and test controls."""

    def __init__(
        self,
        realm: str = "renku",
        *,
        redirect_uris: tuple[str, ...] = (),
        startup_timeout: float = 15.0,
    ) -> None:
        self.realm = realm
        self._redirect_uris = redirect_uris
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen[str] | None = None
        self._stderr: IO[str] | None = None
        self._ready: dict[str, Any] = {}

    def __enter__(self) -> OidcProvider:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Start the server and wait until it listens; OidcProviderError says why it did not."""
        if self._process is not None:
            raise OidcProviderError("The test OpenID provider is already running.")
        node = shutil.which("node")
        if node is None:
            raise OidcProviderError("The test OpenID provider needs Node.js (`node`) on PATH.")
        if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
            raise OidcProviderError(
                "The npm packages of the test OpenID provider are missing; "
                "run `npm ci --prefix tests/support/oidc` from the repository root."
            )
        command = [node, str(SERVER_SCRIPT), "--port", "0", "--realm", self.realm]
        command += ["--exit-with-stdin"]
        for uri in self._redirect_uris:
            command += ["--redirect-uri", uri]
        # Closed by stop(): it lives as long as the server does.
        self._stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        self._process = subprocess.Popen(
            command,
            cwd=OIDC_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        try:
            self._ready = json.loads(self._read_ready_line())
        except BaseException:
            self.stop()
            raise

    def _read_ready_line(self) -> str:
        process = self._process
        assert process is not None and process.stdout is not None
        deadline = time.monotonic() + self._startup_timeout
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if selector.select(timeout=deadline - time.monotonic()):
                    line = process.stdout.readline()
                    if line:
                        return line
                    break
        raise OidcProviderError(
            f"The test OpenID provider did not start within {self._startup_timeout} s "
            f"(exit code {process.poll()}):\n{self.stderr_output()}"
        )

    def stop(self) -> None:
        """Stop the server (politely, then forcibly) and release its pipes; idempotent."""
        process, self._process = self._process, None
        if process is not None:
            if process.stdin is not None:
                process.stdin.close()
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def stderr_output(self) -> str:
        """What the server wrote to its standard error so far (its errors)."""
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read()

    @property
    def issuer(self) -> str:
        """The realm's issuer URL, `http://127.0.0.1:PORT/realms/REALM`."""
        return str(self._ready["issuer"])

    @property
    def server_url(self) -> str:
        """Keycloak's base URL (what python-keycloak calls `server_url`)."""
        return f"http://127.0.0.1:{self._ready['port']}/"

    @property
    def client_id(self) -> str:
        """The confidential client whose tokens are meant for the Renku API (`aud` renku)."""
        return RENKU_CLIENT

    @property
    def client_secret(self) -> str:
        """The secret of `client_id`."""
        return self.clients[RENKU_CLIENT]

    @property
    def clients(self) -> dict[str, str]:
        """Every client id of the realm and its secret."""
        return dict(self._ready["clients"])

    @property
    def users(self) -> dict[str, TestUser]:
        """The realm's test accounts by username."""
        return {
            name: TestUser(name, user["password"], user["sub"], user["email"], tuple(user["roles"]))
            for name, user in self._ready["users"].items()
        }

    def keycloak_openid(self, client_id: str = RENKU_CLIENT) -> KeycloakOpenID:
        """A python-keycloak OpenID client of this realm, authenticated as `client_id`."""
        return KeycloakOpenID(
            server_url=self.server_url,
            realm_name=self.realm,
            client_id=client_id,
            client_secret_key=self.clients[client_id],
        )

    def token_for(
        self,
        username: str,
        password: str | None = None,
        scope: str = "openid",
        client_id: str = RENKU_CLIENT,
    ) -> dict[str, Any]:
        """Keycloak's token response for a test user (password grant through python-keycloak).

        The password defaults to the user's own; the response has `access_token` (a JWT),
        `refresh_token`, `id_token` (with scope openid), `expires_in` and `scope`.
        """
        if password is None:
            password = self.users[username].password
        response: dict[str, Any] = self.keycloak_openid(client_id).token(
            username=username, password=password, scope=scope
        )
        return response

    def rotate_keys(self, keep_previous: bool = True) -> str:
        """Sign with a new key from now on and return its `kid`.

        The previous keys stay published in the JWKS unless `keep_previous` is false, in which
        case tokens signed before no longer verify.
        """
        return str(self._control("/_test/keys/rotate", {"keep_previous": keep_previous})["kid"])

    @contextmanager
    def clock_skew(self, seconds: float) -> Iterator[None]:
        """Within the block the provider's clock runs `seconds` ahead (negative: behind)."""
        previous = self._control("/_test/clock", {"skew_seconds": seconds})["previous"]
        try:
            yield
        finally:
            self._control("/_test/clock", {"skew_seconds": previous})

    @contextmanager
    def access_token_ttl(self, seconds: int) -> Iterator[None]:
        """Within the block access tokens are issued with this lifetime (default 300 s)."""
        previous = self._control("/_test/ttl", {"access_token_seconds": seconds})["previous"]
        try:
            yield
        finally:
            self._control("/_test/ttl", {"access_token_seconds": previous})

    def _control(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if self._process is None:
            raise OidcProviderError("The test OpenID provider is not running.")
        response = httpx.post(self.server_url.rstrip("/") + path, json=body, timeout=10)
        if response.status_code != 200:
            raise OidcProviderError(f"Test control {path} failed: {response.text}")
        result: dict[str, Any] = response.json()
        return result
