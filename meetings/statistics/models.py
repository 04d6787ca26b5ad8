"""The annual (or any period's) activity report: one row per generation, its progress, its stored files."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .periods import KIND_CHOICES, Period


class ActivityReport(models.Model):
    """A PDF and a CSV of the same figures for a period, made by the worker; progress is kept on the row so the
    page can show it. The files live in the default (private) storage and are only served by a view that checks
    access."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        READY = "ready", _("Prêt")
        FAILED = "failed", _("Échec")

    kind = models.CharField(_("période"), max_length=8, choices=KIND_CHOICES)
    first_day = models.DateField(_("du"))
    last_day = models.DateField(_("au"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("état"), max_length=8, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    step = models.CharField(_("étape"), max_length=120, blank=True)
    pdf = models.FileField(upload_to="reports/%Y/", max_length=300, blank=True)
    csv = models.FileField(upload_to="reports/%Y/", max_length=300, blank=True)
    pages = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(_("erreur"), blank=True)
    requested_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "meetings"
        verbose_name = _("rapport d'activité")
        verbose_name_plural = _("rapports d'activité")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["-requested_at"], name="activity_report_recent")]
        constraints = [
            models.CheckConstraint(condition=models.Q(last_day__gte=models.F("first_day")), name="report_days_order"),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_progress_0_100"),
        ]

    def __str__(self) -> str:
        return str(_("Rapport d'activité, %(period)s") % {"period": self.period.label})

    @property
    def period(self) -> Period:
        return Period(self.kind, self.first_day, self.last_day)

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and bool(self.pdf) and bool(self.csv)

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)
