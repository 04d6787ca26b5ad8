"""The second factor (TOTP, django-otp): who must use it, enrolment, verification, and the demo devices.

Staff roles (secretariat, coordinators, CRPV, administrators; superusers too) must verify a TOTP code
after their password before any page; other users may enrol, and once they have, they are asked too.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import quote

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .demo import DEMO_ACCOUNTS
from .models import User
from .roles import STAFF_ROLES

# Session flag set at login when a user for whom TOTP is optional has nonetheless enrolled a device.
SESSION_OTP_ENROLLED = "tigre_otp_enrolled"
DEVICE_NAME = "Application d'authentification"


def second_factor_required(user: Any, session: Any = None) -> bool:
    """True when ``user`` may not use the application before verifying a TOTP code."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.roles & STAFF_ROLES:
        return True
    return bool(session is not None and session.get(SESSION_OTP_ENROLLED))


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def b32_secret(device: TOTPDevice) -> str:
    """The device key as authenticator apps want it (base32, no padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def otpauth_uri(device: TOTPDevice, *, account: str) -> str:
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{account}")
    return (
        f"otpauth://totp/{label}?secret={b32_secret(device)}&issuer={quote(issuer)}"
        f"&algorithm=SHA1&digits={device.digits}&period={device.step}"
    )


def qr_svg(data: str) -> str:
    """An SVG QR code (markup only: no script, no external resource)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg: str = image.to_string(encoding="unicode")
    # Drop the XML declaration: the markup is embedded in an HTML page.
    return svg.split("?>", 1)[1].strip() if svg.startswith("<?xml") else svg


@transaction.atomic
def device_start_enrolment(*, user: Any) -> TOTPDevice:
    """The user's pending (unconfirmed) device, created with a fresh random key if there is none."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def device_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> bool:
    """Confirm a pending device with a first valid code; the session is then verified."""
    locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if locked.user_id != request.user.pk or not locked.verify_token(token):
        return False
    locked.confirmed = True
    locked.save(update_fields=["confirmed"])
    # One authenticator per person: older devices (an earlier phone) stop working.
    TOTPDevice.objects.filter(user_id=locked.user_id).exclude(pk=locked.pk).delete()
    _elevate(request, locked)
    return True


@transaction.atomic
def device_verify(*, request: HttpRequest, token: str) -> bool:
    """Check a code against the user's confirmed device. A code is accepted once only (django-otp keeps
    the last accepted time step) and failures slow further tries down (throttling)."""
    device = TOTPDevice.objects.select_for_update().filter(user=request.user, confirmed=True).order_by("pk").first()
    if device is None or not device.verify_token(token):
        return False
    _elevate(request, device)
    return True


def _elevate(request: HttpRequest, device: TOTPDevice) -> None:
    """The session gains the second factor: a new session key, as at login (a key seen before is worth less)."""
    request.session.cycle_key()
    otp_login(request, device)


# --- Demo ---------------------------------------------------------------------------------------------

DEMO_SECRET_SEED = "tigre-demo-totp"  # noqa: S105  # nosec B105  # demo settings only: public by design


def _demo_key(email: str) -> str:
    """A fixed 20-byte key per demo account, so that a newcomer's authenticator keeps working."""
    return hashlib.sha256(f"{DEMO_SECRET_SEED}:{email}".encode()).hexdigest()[:40]


def _demo_accounts_with_otp() -> list[str]:
    return [email for email, *_rest, roles in DEMO_ACCOUNTS if set(roles) & STAFF_ROLES]


def load_demo_devices(*, password: str, stdout: Any = None) -> list[TOTPDevice]:
    """Give each demo account that needs a second factor a TOTP device with its fixed demo key."""
    if not settings.TIGRE.get("DEMO"):
        raise ImproperlyConfigured("Demo TOTP devices are refused outside demo settings.")
    users = {u.email: u for u in User.objects.filter(email__in=_demo_accounts_with_otp())}
    devices = []
    for email, user in users.items():
        device, _created = TOTPDevice.objects.update_or_create(
            user=user, name="Démo", defaults={"key": _demo_key(email), "confirmed": True}
        )
        devices.append(device)
    return devices


def demo_totp_lines() -> list[str]:
    """Lines printed by `manage.py demo_summary`: how to produce the demo accounts' codes."""
    if not settings.TIGRE.get("DEMO"):
        return []
    lines = ["", "Double authentification (TOTP) exigée pour ces comptes — secret base32 et URI otpauth :"]
    for email in _demo_accounts_with_otp():
        device = TOTPDevice(key=_demo_key(email))
        lines.append(f"  {email:28} {b32_secret(device)}")
        lines.append(f"    {otpauth_uri(device, account=email)}")
    lines.append("  Ajoutez l'URI dans une application d'authentification, ou calculez un code :")
    lines.append("    oathtool --totp -b <SECRET>")
    lines.append(
        '    .venv/bin/python -c "import sys,base64;from django_otp.oath import totp;'
        "k=sys.argv[1];print('%06d' % totp(base64.b32decode(k+'='*(-len(k)%8))))\" <SECRET>"
    )
    return lines
