"""The owner's git credentials for a project's http(s) remote (GitLab), in git's store format."""

from __future__ import annotations

from urllib.parse import urlsplit

USERNAME = "oauth2"
# Given to `git -c credential.helper=...` with the token in RENKU_FED_GIT_TOKEN of that git
# process only: the token is never on a command line, where every local user could read it.
ENV_HELPER = '!f() { echo username=oauth2; echo "password=$RENKU_FED_GIT_TOKEN"; }; f'


def is_http(remote: str) -> bool:
    """True for an http(s) remote with a host, which git credentials apply to."""
    parts = urlsplit(remote)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def git_credentials(remote: str, token: str | None) -> str:
    """A git credential store line for an http(s) remote; empty when none applies."""
    if token is None or not is_http(remote):
        return ""
    parts = urlsplit(remote)
    host = f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)
    return f"{parts.scheme}://{USERNAME}:{token}@{host}\n"
