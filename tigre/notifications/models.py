"""The outbox: every message the app sends is first a row here, written with the business change.

The outbox knows no domain (docs/architecture.md): the app that sends a message gives its kind (a short code of
its own), the recipients, the subject, the in-app link, the template and the context, and what the message is
about (any row, through a generic relation). Delivery only renders and sends what is stored.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("En attente")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec")

    # A code chosen by the sending app (e.g. "urgent_alert"); also names the default e-mail template.
    kind = models.CharField(_("type"), max_length=32)
    # The user the message is for (it shows in their in-app list). None only for a message to an outside address
    # (``to_address``), e.g. a physician who has no account.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destinataire"),
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    # Where the e-mail goes instead of the recipient's account address (e.g. a secure-messaging address).
    to_address = models.EmailField(_("adresse d'envoi"), blank=True)
    # The SMTP relay, by name in settings.EMAIL_RELAYS; empty: the ordinary one (EMAIL_URL).
    relay = models.CharField(_("relais d'envoi"), max_length=32, blank=True)
    # Files attached to the e-mail: [{"path": <name in the default storage>, "filename": ..., "content_type": ...}].
    # The sending app stores them; delivery attaches them and deletes them once the message is sent.
    attachments = models.JSONField(_("pièces jointes"), default=list, blank=True)
    # What the message is about (a request, a meeting...), if anything: the sending app's own rows.
    about_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    # Idempotency: one row per (event, recipient); sending twice sends once. Also sent as a header, so that a
    # receiver can drop a duplicate (delivery is at least once).
    key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(_("objet"), max_length=300)
    template = models.CharField(max_length=100)  # "emails/<name>": the .txt and .html pair
    link = models.CharField(max_length=300, blank=True)  # the in-app page the message points to (relative URL)
    context = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    state = models.CharField(_("état"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Backoff after a temporary failure: the sweep leaves the row alone until then.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The recipient did what the message tells (a receipt): e-mailed, never listed nor counted in the app, where a
    # user reads only what others did (docs/architecture.md#the-outbox).
    own_action = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "created_at"], name="notificatio_state_f7624b_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notificatio_recipie_a972ce_idx"),
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"),
            models.Index(fields=["about_type", "about_id", "kind"], name="notification_about"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(to_address=""),
                name="notification_has_an_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id or self.to_address}"

    @property
    def address(self) -> str:
        """The e-mail address the message goes to."""
        return self.to_address or (self.recipient.email if self.recipient is not None else "")

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
