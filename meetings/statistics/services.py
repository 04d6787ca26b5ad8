"""Writes of the activity figures: ask for a report, make it (worker), tell the coordinators it is ready."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tigre.accounts.models import User
from tigre.accounts.roles import Role
from tigre.celery import publish
from tigre.notifications.services import notify
from tigre.pdf.rendering import PdfRenderingError, render_pdf_pages

from . import rendering
from .figures import SECTIONS
from .models import ActivityReport
from .periods import Period
from .selectors import dashboard

logger = logging.getLogger(__name__)

# A report asked for and neither finished nor failed after this long is taken as lost (worker stopped, broker
# restarted): asking again queues a new one.
STALE_AFTER = dt.timedelta(minutes=10)
GENERATE_TASK = "statistics.generate_activity_report"
NOTIFICATION_KIND = "activity_report_ready"
PDF_TEMPLATE = ("pdf/activity_report.html", "pdf/activity_report.css")

Status = ActivityReport.Status


@transaction.atomic
def report_request(*, period: Period, by: User | None) -> ActivityReport:
    """Queue the report of ``period`` (made after commit by the worker). A report of the same period already on
    its way is returned instead of a second one."""
    recent = timezone.now() - STALE_AFTER
    running = (
        ActivityReport.objects.select_for_update()
        .filter(
            kind=period.kind,
            first_day=period.first,
            last_day=period.last,
            status__in=(Status.PENDING, Status.RUNNING),
            requested_at__gte=recent,
        )
        .first()
    )
    if running is not None:
        return running
    report = ActivityReport.objects.create(
        kind=period.kind,
        first_day=period.first,
        last_day=period.last,
        requested_by=by,
        step=_("En attente du traitement"),
    )
    report_id = report.pk
    # Unpublished (broker down): the report stays pending and may be asked again after STALE_AFTER.
    transaction.on_commit(lambda: publish(GENERATE_TASK, report_id))
    return report


def _progress(report_id: int, progress: int, step: str, **fields: Any) -> None:
    """Record how far the report is (committed at once: the page polls it while the worker goes on)."""
    ActivityReport.objects.filter(pk=report_id).update(progress=progress, step=step[:120], **fields)


def _recipients(report: ActivityReport) -> list[User]:
    """Every active coordinator, and whoever asked for the report."""
    coordinators = list(User.objects.filter(groups__name=Role.COORDINATOR, is_active=True).distinct())
    if report.requested_by is not None and report.requested_by not in coordinators:
        coordinators.append(report.requested_by)
    return coordinators


def report_generate(*, report_id: int) -> ActivityReport | None:
    """Compute the figures, render the PDF, write the CSV, store both, tell the coordinators (idempotent: a
    report already made is left as it is; None when the row is gone). Progress is written as it goes; a failure
    is recorded on the row."""
    report = ActivityReport.objects.filter(pk=report_id).first()
    if report is None or report.status == Status.READY:
        return report
    period = report.period
    _progress(report_id, 5, _("Calcul des indicateurs"), status=Status.RUNNING, started_at=timezone.now(), error="")
    figures = dashboard(period, sections=SECTIONS)
    _progress(report_id, 40, _("Mise en page du PDF"))
    try:
        pdf, pages = render_pdf_pages(
            template_name=PDF_TEMPLATE[0],
            context={"dash": figures, "drawings": rendering.draw(figures), "period": period},
            stylesheet=PDF_TEMPLATE[1],
        )
    except PdfRenderingError as exc:
        _progress(report_id, 40, _("Échec de la mise en page"), status=Status.FAILED, error=str(exc)[:2000])
        logger.warning("Activity report %s failed: %s", report_id, exc)
        report.refresh_from_db()
        return report
    _progress(report_id, 85, _("Écriture du CSV"))
    table = rendering.csv_bytes(figures)
    return _store(report_id=report_id, pdf=pdf, pages=pages, table=table)


@transaction.atomic
def _store(*, report_id: int, pdf: bytes, pages: int, table: bytes) -> ActivityReport:
    report = ActivityReport.objects.select_for_update().get(pk=report_id)
    name = f"rapport-activite-tigre-{report.period.slug}-{report.pk}"
    report.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
    report.csv.save(f"{name}.csv", ContentFile(table), save=False)
    report.pages = pages
    report.status = Status.READY
    report.progress = 100
    report.step = _("Prêt")
    report.finished_at = timezone.now()
    report.save(update_fields=["pdf", "csv", "pages", "status", "progress", "step", "finished_at"])
    label = report.period.label
    notify(
        kind=NOTIFICATION_KIND,
        recipients=_recipients(report),
        key=f"report{report.pk}",
        subject=_("Rapport d'activité prêt : %(period)s") % {"period": label},
        link=reverse("statistics:dashboard") + "#rapports",
        about=report,
        context={"period": label, "pages": pages, "report_id": report.pk},
        template="emails/activity_report_ready",
    )
    return report


@transaction.atomic
def report_fail(*, report_id: int, error: str) -> None:
    """Record a failure the task could not recover from (the page then offers to ask again)."""
    ActivityReport.objects.filter(pk=report_id).exclude(status=Status.READY).update(
        status=Status.FAILED, error=error[:2000], step=_("Échec")
    )
