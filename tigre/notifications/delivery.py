"""Delivery of one outbox row by e-mail. Idempotent: a row already sent is not sent again."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)


def notification_deliver(*, notification_id: int) -> str:
    with transaction.atomic():
        n = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("recipient", "case", "meeting")
            .filter(pk=notification_id, state=Notification.State.PENDING)
            .first()
        )
        if n is None:
            return "skipped"
        ctx = {"n": n, "recipient": n.recipient, "case": n.case, "meeting": n.meeting, "site_url": settings.SITE_URL}
        ctx.update(n.context)
        subject = n.subject or f"[TIGRE] {n.get_kind_display()}"
        text = render_to_string("emails/notification.txt", ctx)
        html = render_to_string("emails/notification.html", ctx)
        n.attempts += 1
        try:
            msg = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [n.recipient.email])
            msg.attach_alternative(html, "text/html")
            msg.send()
        except Exception as exc:
            n.last_error = str(exc)[:2000]
            n.save(update_fields=["attempts", "last_error"])
            logger.warning("Notification %s delivery failed: %s", n.pk, exc)
            raise
        n.state = Notification.State.SENT
        n.sent_at = timezone.now()
        n.subject = subject
        n.last_error = ""
        n.save(update_fields=["state", "sent_at", "subject", "attempts", "last_error"])
        return "sent"
