"""Servers the tests start on their own loopback ports (Redis), as pytest plugins.

`install.sh` installs the servers; tox runs it before the tests.
"""
