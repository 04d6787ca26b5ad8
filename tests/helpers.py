"""Helpers shared by tests. Use `login(client, user)` everywhere: it is the one place that knows how a
test user gets a fully authenticated session (including a verified second factor where one is required)."""

from __future__ import annotations

from typing import Any

from django_otp import DEVICE_ID_SESSION_KEY

TEST_TOTP_DEVICE_NAME = "test"


def totp_device(user: Any) -> Any:
    """The user's confirmed TOTP device, created on first use (a random key; tests never type codes)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TEST_TOTP_DEVICE_NAME, confirmed=True)
    return device


def login(client: Any, user: Any, *, verified: bool = True) -> Any:
    """Log ``user`` in on the Django test client, with the second factor verified (the same session state as
    `django_otp.login(request, device)` after a good code). ``verified=False`` stops after the password."""
    client.force_login(user)
    if verified:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        session.save()
    return client
