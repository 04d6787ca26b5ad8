"""Helpers shared by tests. Use `login(client, user)` everywhere: it is the one place that knows how a
test user gets a fully authenticated session (including a verified second factor where one is required)."""

from __future__ import annotations

from typing import Any


def login(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client
