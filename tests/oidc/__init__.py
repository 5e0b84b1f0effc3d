"""The test OpenID provider (a Keycloak realm look-alike) and its tests.

A package, so that its modules import as `oidc.provider` and `oidc.fixtures` from any test
folder: pytest puts `tests/` on `sys.path` (the folder above this package, which has no
`__init__.py`).
"""
