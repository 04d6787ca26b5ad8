"""The activation e-mail of an account created without a password (a referent from the directory's CSV import or
added by the secretariat): a set-password link that expires (Django's password-reset token, valid
PASSWORD_RESET_TIMEOUT seconds, and void once a password is set or the account logs in).

The token is made by the worker when it sends the mail, never stored (not even in the outbox, which the admin
shows). Django's "forgotten password" form ignores accounts without a usable password, so without this mail such an
account could never log in (docs/privacy.md#activation-of-imported-accounts)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tigre.celery import app

from .models import User

logger = logging.getLogger(__name__)

ACTIVATION_TASK = "tigre.accounts.tasks.send_activation"


def activation_enqueue(user_ids: Iterable[int]) -> None:
    """Have the worker send the activation mails, after the transaction that created the accounts commits."""
    ids = sorted(set(user_ids))
    if ids:
        transaction.on_commit(lambda: app.send_task(ACTIVATION_TASK, args=(ids,)))


def activation_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return settings.SITE_URL.rstrip("/") + path


def activation_send(*, user_ids: Iterable[int]) -> int:
    """Send the mail to each active account of ``user_ids`` that still has no usable password. Returns how many
    were sent. Idempotent enough: an account that set its password meanwhile gets nothing."""
    sent = 0
    days = max(1, round(settings.PASSWORD_RESET_TIMEOUT / 86400))
    for user in User.objects.filter(pk__in=list(user_ids), is_active=True).order_by("pk"):
        if user.has_usable_password():
            continue
        context = {"user": user, "link": activation_link(user), "days": days, "site_url": settings.SITE_URL}
        subject = render_to_string("registration/activation_subject.txt", context).strip()
        body = render_to_string("registration/activation_email.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        sent += 1
    logger.info("Activation mails sent: %d", sent)
    return sent
