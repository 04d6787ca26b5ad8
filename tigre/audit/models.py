"""The access trail: one row per access to patient data.

Append-only, enforced by PostgreSQL (migration 0003): a trigger refuses every UPDATE and DELETE, except the
DELETEs of the purge (``services.access_log_purge``), which announces its cut-off in a transaction-local setting
and may only remove rows older than it, and older than 180 days in any case."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLog(models.Model):
    class Action(models.TextChoices):
        VIEW_CASE = "view_case", _("Consultation d'une demande")
        EDIT_CASE = "edit_case", _("Modification d'une demande")
        DOWNLOAD_ATTACHMENT = "download_attachment", _("Téléchargement d'une pièce jointe")
        DOWNLOAD_PDF = "download_pdf", _("Téléchargement d'un PDF")
        EXPORT = "export", _("Export")
        VIEW_PV = "view_pv", _("Consultation pharmacovigilance")

    at = models.DateTimeField(_("date (UTC)"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,  # the (user, -at) index below serves lookups by user
    )
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.DO_NOTHING,
        null=True,
        db_constraint=False,
        related_name="+",
        db_index=False,  # the (case, -at) index below serves lookups by case
    )
    patient = models.ForeignKey(
        "cases.Patient", on_delete=models.DO_NOTHING, null=True, db_constraint=False, related_name="+"
    )
    target = models.CharField(_("objet"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("adresse"), null=True)
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("accès tracé")
        verbose_name_plural = _("journal des accès")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["case", "-at"]), models.Index(fields=["user", "-at"])]
