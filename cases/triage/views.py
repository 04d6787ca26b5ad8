"""The secretariat's triage queue and its actions (accept, ask for information, decline, put on a meeting)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases.history import other_requests_count
from cases.models import Case
from cases.selectors import get_case_for_user
from tigre.accounts.decorators import AuthenticatedRequest, role_required
from tigre.accounts.roles import Role
from tigre.audit.models import AccessLog
from tigre.audit.services import access_record, access_record_listed

from . import services
from .filters import TriageFilter
from .forms import DeclineForm, RequestInfoForm
from .selectors import ACCEPT_FROM, DECLINE_FROM, REQUEST_INFO_FROM, triage_cases, triage_counts, triage_queue

TRIAGERS = (Role.SECRETARIAT, Role.COORDINATOR)
PAGE_SIZE = 25


def is_htmx(request: HttpRequest) -> bool:
    """django-htmx sets ``request.htmx`` (falsy outside htmx requests)."""
    return bool(getattr(request, "htmx", False))


def _back(request: HttpRequest, case: Case | None = None) -> str:
    """Where to go after an action: the page the user came from if it is ours, else the queue."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return reverse("cases:triage")


def _done(request: HttpRequest, url: str) -> HttpResponse:
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@require_http_methods(["GET"])
@role_required(*TRIAGERS)
def triage_queue_view(request: HttpRequest) -> HttpResponse:
    # A value that is not valid is left out (its French message shows above the list); the others apply.
    filters = TriageFilter(request.GET or None, queryset=triage_cases())
    queue = triage_queue(filters.qs)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    now = timezone.now()
    cases = list(page.object_list)
    others = other_requests_count(cases)
    for case in cases:
        case.age_label = age_label(now - (case.submitted_at or case.created_at))  # type: ignore[attr-defined]
        case.other_requests = others.get(case.pk, 0)  # type: ignore[attr-defined]
    access_record_listed(request=request, cases=cases, target="tri des demandes")
    context = {
        "form": filters.form,
        "page": page,
        "cases": cases,
        "counts": triage_counts(),
        "query": query.urlencode(),
        "full_path": request.get_full_path(),
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
    }
    if is_htmx(request) and request.headers.get("HX-Target") == "triage-results":
        return render(request, "cases/triage/_results.html", context)
    return render(request, "cases/triage/queue.html", context)


def age_label(delta: dt.timedelta) -> str:
    """A short waiting time for the queue: "45 min", "3 h 05", "6 j 3 h"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)d j %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)02d") % {"h": hours, "m": mins}
    return _("%(m)d min") % {"m": mins}


def _case(request: AuthenticatedRequest, pk: int) -> Case:
    return get_case_for_user(request.user, pk)


def _refuse_if_not(request: AuthenticatedRequest, case: Case, statuses: tuple[str, ...]) -> HttpResponse | None:
    if case.status in statuses:
        return None
    messages.error(
        request,
        _("Action impossible : la demande %(ref)s est « %(status)s ».")
        % {"ref": case.reference, "status": case.get_status_display()},
    )
    return _done(request, _back(request))


@require_POST
@role_required(*TRIAGERS)
def triage_accept_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    refused = _refuse_if_not(request, case, ACCEPT_FROM)
    if refused:
        return refused
    try:
        services.triage_accept(case=case, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(ref)s acceptée : elle sera inscrite à la prochaine réunion.") % {"ref": case.reference}
        )
    return _done(request, _back(request))


def _action_page(
    request: AuthenticatedRequest,
    pk: int,
    *,
    form_class: Any,
    statuses: tuple[str, ...],
    template: str,
    run: Any,
) -> HttpResponse:
    case = _case(request, pk)
    refused = _refuse_if_not(request, case, statuses)
    if refused:
        return refused
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                notice = run(case, form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, notice)
                return redirect(_back(request))
        status = 400
    else:
        form = form_class()
        status = 200
        access_record(request=request, action=AccessLog.Action.VIEW_CASE, case=case)
    context = {
        "case": case,
        "form": form,
        "next": _back(request),
        "toxicities": case.toxicities.select_related("event"),
    }
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*TRIAGERS)
def triage_request_info_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def run(case: Case, data: dict[str, Any]) -> str:
        services.triage_request_info(case=case, by=request.user, body=data["body"])
        return _("Question envoyée au demandeur de %(ref)s.") % {"ref": case.reference}

    return _action_page(
        request,
        pk,
        form_class=RequestInfoForm,
        statuses=REQUEST_INFO_FROM,
        template="cases/triage/request_info.html",
        run=run,
    )


@require_http_methods(["GET", "POST"])
@role_required(*TRIAGERS)
def triage_decline_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def run(case: Case, data: dict[str, Any]) -> str:
        services.triage_decline(case=case, by=request.user, reason=data["reason"])
        return _("%(ref)s refusée ; le demandeur reçoit le motif.") % {"ref": case.reference}

    return _action_page(
        request,
        pk,
        form_class=DeclineForm,
        statuses=DECLINE_FROM,
        template="cases/triage/decline.html",
        run=run,
    )
