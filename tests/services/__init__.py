"""Servers the tests start on their own loopback ports (Redis), as pytest plugins.

A package, so that its modules import as `services.redis` from any test folder: pytest puts
`tests/` on `sys.path`. `install.sh` installs the servers; tox runs it before the tests.
"""
