"""The activity dashboard and the activity report's pages (thin: parse, call a selector or a service, render)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tigre.accounts.decorators import AuthenticatedRequest, role_required
from tigre.accounts.roles import Role
from tigre.audit.models import AccessLog
from tigre.audit.services import access_record

from . import rendering, services
from . import selectors as sel
from .figures import PHARMACOVIGILANCE, SECTIONS
from .forms import PeriodForm, period_form, period_query, period_shortcuts
from .periods import Period
from .selectors import Dashboard

VIEW_ROLES = (Role.SECRETARIAT, Role.COORDINATOR, Role.PHARMACOVIGILANCE)
REPORT_ROLES = (Role.SECRETARIAT, Role.COORDINATOR)
POLL_SECONDS = 2
RECENT_REPORTS = 8


def sections_for(user: Any) -> list[str]:
    """Coordinators and the secretariat see every section; the CRPV only the pharmacovigilance one."""
    if user.is_superuser or user.has_role(Role.SECRETARIAT, Role.COORDINATOR):
        return list(SECTIONS)
    if user.has_role(Role.PHARMACOVIGILANCE):
        return [PHARMACOVIGILANCE]
    raise PermissionDenied


def can_report(user: Any) -> bool:
    return bool(user.is_superuser or user.has_role(*REPORT_ROLES))


def _reports_context(request: HttpRequest) -> dict[str, Any]:
    reports = sel.recent_reports(limit=RECENT_REPORTS)
    return {
        "reports": reports,
        "polling": any(r.is_active for r in reports),
        "poll_seconds": POLL_SECONDS,
    }


# The figures' part of the page is kept this long per period, sections and language (the report is always
# computed afresh). It holds aggregates only, no patient data; the cache is the process's memory (the agenda's
# fragments live there too).
CACHE_SECONDS = 300


def _figures_html(period: Period, sections: list[str]) -> tuple[str, Dashboard | None]:
    """The rendered figures of ``period`` (charts, tables, definitions), and the dashboard when computed now."""
    key = f"activity-page:{period.kind}:{period.first}:{period.last}:{'-'.join(sections)}:{get_language()}"
    html = cache.get(key)
    if html is not None:
        return html, None
    dash = sel.dashboard(period, sections=sections)
    context = {"dash": dash, "drawings": rendering.draw(dash), "headline": rendering.headline(dash)}
    html = render_to_string("meetings/statistics/_dashboard.html", context)
    cache.set(key, html, CACHE_SECONDS)
    return html, dash


def _page(request: HttpRequest, form: PeriodForm, *, status: int = 200, report_error: str = "") -> HttpResponse:
    sections = sections_for(request.user)
    context: dict[str, Any] = {"form": form, "can_report": can_report(request.user), "report_error": report_error}
    if form.is_valid():
        body, dash = _figures_html(form.period, sections)
        context.update(
            body=mark_safe(body),  # noqa: S308 (our own template's output, escaped when it was rendered)
            dash=dash,
            period=form.period,
            period_params=period_query(form.period),
            shortcuts=period_shortcuts(),
        )
    else:
        context.update(period=None, shortcuts=period_shortcuts())
    if context["can_report"]:
        context.update(_reports_context(request))
    return render(request, "meetings/statistics/dashboard.html", context, status=status)


@require_GET
@role_required(*VIEW_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    form = period_form(request.GET)
    return _page(request, form, status=200 if form.is_valid() else 400)


@require_POST
@role_required(*REPORT_ROLES)
def report_request(request: HttpRequest) -> HttpResponse:
    form = period_form(request.POST)
    htmx = bool(getattr(request, "htmx", False))
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        if htmx:
            context = {**_reports_context(request), "report_error": message}
            return render(request, "meetings/statistics/_reports.html", context, status=400)
        return _page(request, period_form({}), status=400, report_error=message)
    services.report_request(period=form.period, by=request.user)  # type: ignore[arg-type]
    if htmx:
        return render(request, "meetings/statistics/_reports.html", _reports_context(request))
    return HttpResponseRedirect(
        reverse("statistics:dashboard") + "?" + urlencode(period_query(form.period)) + "#rapports"
    )


@require_GET
@never_cache
@role_required(*REPORT_ROLES)
def report_panel(request: HttpRequest) -> HttpResponse:
    return render(request, "meetings/statistics/_reports.html", _reports_context(request))


@require_GET
@never_cache
def report_download(request: AuthenticatedRequest, pk: int, fmt: str) -> FileResponse:
    if not can_report(request.user):  # role_required is typed for plain responses, not a streamed file
        raise PermissionDenied
    report = sel.get_report(pk)
    if fmt not in ("pdf", "csv") or not report.is_ready:
        raise Http404
    label = _("Rapport d'activité (%(fmt)s), %(period)s") % {"fmt": fmt.upper(), "period": report.period.label}
    access_record(request=request, action=AccessLog.Action.EXPORT, target=label)
    file = report.pdf if fmt == "pdf" else report.csv
    content_type = "application/pdf" if fmt == "pdf" else "text/csv; charset=utf-8"
    response = FileResponse(
        file.open("rb"),
        content_type=content_type,
        filename=f"rapport-activite-tigre-{report.period.slug}.{fmt}",
        as_attachment=fmt == "csv",
    )
    response["Cache-Control"] = "private, no-store"
    return response
