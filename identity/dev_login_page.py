"""The development issuer's login page, rendered on the server (no script)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; background: #f4f6f8; color: #1b1f24; }
main { max-width: 26rem; margin: 2rem auto; padding: 1.5rem; background: #fff;
  border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
h1 { font-size: 1.4rem; margin-top: 0; }
fieldset { border: 1px solid #c5ccd3; border-radius: 6px; margin: 0 0 1.2rem; }
button { font: inherit; padding: .5rem 1rem; margin: .25rem .25rem .25rem 0; cursor: pointer;
  border: 1px solid #0b5cad; border-radius: 4px; background: #0b5cad; color: #fff; }
button:focus-visible, input:focus-visible { outline: 3px solid #f0a400; outline-offset: 2px; }
label { display: block; margin-top: .6rem; }
input { font: inherit; width: 100%; box-sizing: border-box; padding: .4rem;
  border: 1px solid #6b7785; border-radius: 4px; }
.error { color: #a4000f; font-weight: 600; }
.hint { color: #4a5560; font-size: .9rem; }
"""


def login_page(params: Mapping[str, str], demo_users: Iterable[str], *, error: str = "") -> str:
    """The HTML login form that posts the authorization request back with the user's choice."""
    hidden = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in params.items()
    )
    buttons = "".join(
        f'<button type="submit" name="demo_user" value="{escape(user)}">{escape(user)}</button>'
        for user in demo_users
    )
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to Renku (development)</title>
<style>{STYLE}</style>
</head>
<body>
<main>
<h1>Sign in to Renku</h1>
<p class="hint">The development issuer of <code>renku-fed up</code>; not for production.</p>
{alert}
<form method="post" id="demo-users">{hidden}
<fieldset><legend>Sign in as a demo user</legend>{buttons}</fieldset>
</form>
<form method="post" id="password-login">{hidden}
<fieldset><legend>Or any username with the demo password</legend>
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</fieldset>
</form>
</main>
</body>
</html>
"""
