"""Pharmacovigilance follow-up of each discussed toxicity (DOMAIN.md section 10)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PvStatus(models.TextChoices):
    TO_ASSESS = "to_assess", _("À évaluer")
    TO_DECLARE = "to_declare", _("À déclarer")
    DECLARED = "declared", _("Déclarée")
    NOT_TO_DECLARE = "not_to_declare", _("Non déclarable")


class PvFollowUp(models.Model):
    toxicity = models.OneToOneField("cases.Toxicity", on_delete=models.CASCADE, related_name="pv")
    status = models.CharField(_("statut"), max_length=16, choices=PvStatus.choices, default=PvStatus.TO_ASSESS)
    status_changed_at = models.DateTimeField(_("statut depuis"), auto_now_add=True)
    declared_on = models.DateField(_("déclarée le"), null=True, blank=True)
    crpv_reference = models.CharField(_("référence CRPV"), max_length=50, blank=True)
    declarer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déclarant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    not_declare_reason = models.CharField(_("motif de non-déclaration"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("suivi de pharmacovigilance")
        verbose_name_plural = _("suivis de pharmacovigilance")
        indexes = [models.Index(fields=["status", "status_changed_at"])]
