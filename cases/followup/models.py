"""The follow-up of an avis at its réévaluation date (docs/domain.md#follow-up-at-the-reevaluation-date)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Applied(models.TextChoices):
    YES = "yes", _("Oui")
    PARTLY = "partly", _("Partiellement")
    NO = "no", _("Non")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Résolution")
    IMPROVED = "improved", _("Amélioration")
    STABLE = "stable", _("Stabilité")
    WORSE = "worse", _("Aggravation")
    DEATH = "death", _("Décès")


class FollowUp(models.Model):
    """The requester's answer, at the avis' réévaluation date, to "was the avis applied, and what happened?".

    Created when the question is sent (once per avis: the unique avis), answered later by the requester or a
    co-requester."""

    avis = models.OneToOneField("cases.Avis", on_delete=models.PROTECT, related_name="follow_up")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="follow_ups")
    due_date = models.DateField(_("date de réévaluation"))
    asked_at = models.DateTimeField(_("question envoyée le"), auto_now_add=True)
    applied = models.CharField(_("avis appliqué"), max_length=8, choices=Applied.choices, blank=True)
    outcome = models.CharField(_("évolution"), max_length=10, choices=Outcome.choices, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("suivi d'un avis")
        verbose_name_plural = _("suivis des avis")
        ordering = ["-due_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True) | (~models.Q(applied="") & ~models.Q(outcome="")),
                name="followup_answer_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} — {self.due_date:%d/%m/%Y}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
