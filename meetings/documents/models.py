"""Stored meeting documents (agenda, fiche RCP, minutes) and the fingerprint of the data they were made from."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    AGENDA = "agenda", _("Ordre du jour")
    FICHE = "fiche", _("Fiche RCP")
    MINUTES = "minutes", _("Compte rendu")


class GeneratedDocument(models.Model):
    """One PDF per (kind, meeting, case). Regenerated only when the fingerprint of its data changes.

    The file lives in the default (private) storage; it is only served by views that check access.
    """

    Kind = DocumentKind  # named outside the class so that its constraints can use it

    class Status(models.TextChoices):
        PENDING = "pending", _("En préparation")
        READY = "ready", _("Prêt")
        FAILED = "failed", _("Échec")

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    meeting = models.ForeignKey(
        "meetings.Meeting", verbose_name=_("réunion"), on_delete=models.CASCADE, related_name="documents"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("demande"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # sha256 of the data (and layout) the stored file was made from; empty while none is stored.
    fingerprint = models.CharField(max_length=64, blank=True)
    file = models.FileField(upload_to="documents/%Y/%m/", max_length=300, blank=True)
    size = models.PositiveIntegerField(default=0)
    pages = models.PositiveSmallIntegerField(default=0)
    render_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(_("erreur"), blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("document généré")
        verbose_name_plural = _("documents générés")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "meeting"], condition=models.Q(case__isnull=True), name="document_unique_meeting"
            ),
            models.UniqueConstraint(
                fields=["kind", "meeting", "case"],
                condition=models.Q(case__isnull=False),
                name="document_unique_case",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=DocumentKind.FICHE, case__isnull=False)
                | (~models.Q(kind=DocumentKind.FICHE) & models.Q(case__isnull=True)),
                name="document_case_only_for_fiche",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.meeting_id}/{self.case_id or '-'}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and bool(self.file)
