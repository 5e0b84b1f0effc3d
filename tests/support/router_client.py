"""The type of the `router_client` fixture of `tests/router/conftest.py`."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import httpx

RouterClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
