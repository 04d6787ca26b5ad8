"""Thin views of the urgent TAG track: the urgent list, "Je prends la demande", the urgent opinion."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tigre.accounts.decorators import AuthenticatedRequest, role_required
from tigre.accounts.roles import Role
from tigre.audit.models import AccessLog
from tigre.audit.services import access_record, access_record_listed

from . import selectors
from .forms import UrgentOpinionForm
from .services import UrgentError, urgent_acknowledge, urgent_opinion_record

URGENT_ROLES = (Role.COORDINATOR, Role.REFERENT, Role.SECRETARIAT)


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return default


@role_required(*URGENT_ROLES)
def urgent_list(request: AuthenticatedRequest) -> HttpResponse:
    cases = list(selectors.urgent_cases_for(request.user))
    panels = [selectors.urgent_panel_for(case=c, user=request.user) for c in cases]
    recent = list(selectors.recently_answered_for(request.user))
    shown = {case.pk: case for case in [*cases, *recent]}  # one trail row per request shown
    access_record_listed(request=request, cases=shown.values(), target="urgences")
    return render(request, "cases/urgent/list.html", {"panels": panels, "recent": recent})


@require_POST
@role_required(Role.COORDINATOR, Role.REFERENT)
def urgent_take(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = selectors.urgent_case_for_user(request.user, pk)
    try:
        case, mine = urgent_acknowledge(case=case, by=request.user)
    except UrgentError as exc:
        messages.error(request, exc.messages[0])
        return redirect(_safe_next(request, "urgent:list"))
    if mine:
        messages.success(
            request,
            _("Vous avez pris en charge la demande %(ref)s. Rédigez maintenant l'avis urgent.")
            % {"ref": case.reference},
        )
        return redirect("urgent:opinion", pk=case.pk)
    taker = case.urgent_acknowledged_by
    messages.warning(
        request,
        _("La demande %(ref)s a déjà été prise en charge par %(who)s.")
        % {"ref": case.reference, "who": taker.display_name if taker else "?"},
    )
    return redirect(_safe_next(request, "urgent:list"))


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR, Role.REFERENT)
def urgent_opinion(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = selectors.urgent_case_for_user(request.user, pk)
    if case.urgent_acknowledged_by_id != request.user.pk:
        raise PermissionDenied
    access_record(request=request, action=AccessLog.Action.VIEW_CASE, case=case, target="avis urgent")
    if case.urgent_opinion_at is not None:
        messages.info(request, _("L'avis urgent de cette demande a déjà été rendu."))
        return redirect("urgent:list")
    form = UrgentOpinionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            urgent_opinion_record(case=case, by=request.user, opinion=form.cleaned_data["opinion"])
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(
                request,
                _("Avis urgent enregistré ; le demandeur est prévenu et la demande est inscrite pour ratification."),
            )
            return redirect("urgent:list")
    status = 400 if request.method == "POST" else 200
    toxicities = list(case.toxicities.all())
    return render(
        request,
        "cases/urgent/opinion.html",
        {"case": case, "form": form, "toxicities": toxicities},
        status=status,
    )
