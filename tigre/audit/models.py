"""The access trail: one row per access to patient data.

Append-only, enforced by PostgreSQL (migrations 0003 and 0006, docs/privacy.md#the-access-trail-and-its-two-roles):
a trigger refuses every UPDATE and DELETE, except the DELETEs of the purge, a SECURITY DEFINER function
(``audit_accesslog_purge``) that may only remove rows whose ``recorded_at`` (set by the database at insertion,
whatever the client sends) is older than the retention, and older than 180 days in any case. The application's
database role has only SELECT and INSERT on the table."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class AccessLog(models.Model):
    class Action(models.TextChoices):
        VIEW_CASE = "view_case", _("Consultation d'une demande")
        EDIT_CASE = "edit_case", _("Modification d'une demande")
        DOWNLOAD_ATTACHMENT = "download_attachment", _("Téléchargement d'une pièce jointe")
        DOWNLOAD_PDF = "download_pdf", _("Téléchargement d'un PDF")
        EXPORT = "export", _("Export")
        VIEW_PV = "view_pv", _("Consultation pharmacovigilance")
        # A clinician's look-up of an identity in the request form (cases/history.py): one row without a request
        # per look-up, plus one per request of that identity found, seen by the clinician or not.
        DUPLICATE_CHECK = "duplicate_check", _("Recherche d'un patient (doublons)")

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
    # The request and patient concerned, by id: the trail records, it never points (no foreign key: a row outlives
    # what it names, and this shared layer knows no app; docs/architecture.md). The (case_id, -at) index below
    # serves lookups by request.
    case_id = models.BigIntegerField(_("demande"), null=True)
    patient_id = models.BigIntegerField(_("patient"), null=True, db_index=True)
    target = models.CharField(_("objet"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("adresse"), null=True)
    path = models.CharField(max_length=300, blank=True)
    # When the database inserted the row: its default, and on PostgreSQL a trigger that overrides any value a
    # client sends (clock_timestamp()). The purge goes by this column, never by ``at`` (which the client writes).
    recorded_at = models.DateTimeField(_("enregistré le"), db_default=Now(), editable=False)

    class Meta:
        verbose_name = _("accès tracé")
        verbose_name_plural = _("journal des accès")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["case_id", "-at"], name="audit_acces_case_id_c57c54_idx"),
            models.Index(fields=["user", "-at"], name="audit_acces_user_id_1183ab_idx"),
        ]
