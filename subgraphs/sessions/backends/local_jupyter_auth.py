"""The identity provider a local session's Jupyter server runs with: the platform's secret only.

The router's proxy adds `Authorization: token <secret>` to every request it forwards (see
`router/http/session_proxy.py`). Jupyter's own provider would also copy that token into each
JupyterLab page, where the browser could read it; this one admits the same header but keeps
the token out of the page, so the secret never leaves the platform. The server imports this
file from its configuration folder (`install`), because the platform's own package is not
visible inside a session's sandbox.
"""

from __future__ import annotations

import hmac
import os
import shutil
from pathlib import Path

from jupyter_server.auth.identity import IdentityProvider, User
from tornado import web
from traitlets import default

SECRET_ENV = "JUPYTER_TOKEN"
_MODULE = "renku_session_auth"
_CONFIG = f"""\
import pathlib, sys
sys.path.insert(0, str(pathlib.Path(__file__).parent))
from {_MODULE} import SessionSecretIdentityProvider
c.ServerApp.identity_provider_class = SessionSecretIdentityProvider
"""


class SessionSecretIdentityProvider(IdentityProvider):
    """Admits a request that carries the session's secret as `Authorization: token ...`."""

    @default("token")
    def _token_default(self) -> str:
        return ""

    def get_user(self, handler: web.RequestHandler) -> User | None:
        """The session's one user for a request with the secret; None for any other."""
        secret = os.environ.get(SECRET_ENV, "")
        scheme, _, given = handler.request.headers.get("Authorization", "").partition(" ")
        if not secret or scheme.lower() != "token":
            return None
        if not hmac.compare_digest(given.strip().encode(), secret.encode()):
            return None
        handler._token_authenticated = True  # type: ignore[attr-defined]
        return User(username="renku", name="Renku")

    @property
    def login_available(self) -> bool:
        """No login page: only the platform's proxy reaches the server."""
        return False


def install(config_dir: Path) -> None:
    """Put this provider and the configuration that enables it into a Jupyter config folder."""
    config_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(__file__, config_dir / f"{_MODULE}.py")
    (config_dir / "jupyter_server_config.py").write_text(_CONFIG)
