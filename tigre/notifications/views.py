"""Thin views: the user's notifications, the urgent list, acknowledge and urgent opinion, the dev outbox."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tigre.accounts.decorators import role_required
from tigre.accounts.roles import Role
from tigre.audit.models import AccessLog
from tigre.audit.services import access_record

from . import selectors
from .content import link_for
from .forms import MarkReadForm, UrgentOpinionForm
from .models import Notification
from .services import notifications_mark_read
from .urgent import UrgentError, urgent_acknowledge, urgent_opinion_record

URGENT_ROLES = (Role.COORDINATOR, Role.REFERENT, Role.SECRETARIAT)


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return default


def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox_for(request.user), 30).get_page(request.GET.get("page"))
    rows = [{"n": n, "url": link_for(n)} for n in page.object_list]
    return render(request, "notifications/inbox.html", {"page": page, "rows": rows})


@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Notification inconnue."))
        return redirect("notifications:inbox")
    pk = form.cleaned_data["id"]
    user = request.user
    notifications_mark_read(user=user, ids=[pk] if pk else None)
    if pk:
        n = Notification.objects.filter(pk=pk, recipient_id=user.pk).first()
        if n is not None and request.POST.get("open"):
            return redirect(link_for(n))
    return redirect(_safe_next(request, "notifications:inbox"))


@role_required(*URGENT_ROLES)
def urgent_list(request: HttpRequest) -> HttpResponse:
    cases = list(selectors.urgent_cases_for(request.user))
    panels = [selectors.urgent_panel_for(case=c, user=request.user) for c in cases]
    recent = list(selectors.recently_answered_for(request.user))
    return render(request, "notifications/urgent_list.html", {"panels": panels, "recent": recent})


@require_POST
@role_required(Role.COORDINATOR, Role.REFERENT)
def urgent_take(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.urgent_case_for_user(request.user, pk)
    try:
        case, mine = urgent_acknowledge(case=case, by=request.user)
    except UrgentError as exc:
        messages.error(request, exc.messages[0])
        return redirect(_safe_next(request, "notifications:urgent_list"))
    if mine:
        messages.success(
            request,
            _("Vous avez pris en charge la demande %(ref)s. Rédigez maintenant l'avis urgent.")
            % {"ref": case.reference},
        )
        return redirect("notifications:urgent_opinion", pk=case.pk)
    messages.warning(
        request,
        _("La demande %(ref)s a déjà été prise en charge par %(who)s.")
        % {"ref": case.reference, "who": case.urgent_acknowledged_by.display_name},
    )
    return redirect(_safe_next(request, "notifications:urgent_list"))


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR, Role.REFERENT)
def urgent_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.urgent_case_for_user(request.user, pk)
    if case.urgent_acknowledged_by_id != request.user.pk:
        raise PermissionDenied
    access_record(request=request, action=AccessLog.Action.VIEW_CASE, case=case, target="avis urgent")
    if case.urgent_opinion_at is not None:
        messages.info(request, _("L'avis urgent de cette demande a déjà été rendu."))
        return redirect("notifications:urgent_list")
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
            return redirect("notifications:urgent_list")
    status = 400 if request.method == "POST" else 200
    toxicities = list(case.toxicities.all())
    return render(
        request,
        "notifications/urgent_opinion.html",
        {"case": case, "form": form, "toxicities": toxicities},
        status=status,
    )


def dev_outbox(request: HttpRequest) -> HttpResponse:
    """DEBUG only (routed from dev_urls): what the app has sent or is about to send, newest first."""
    user: Any = request.user
    if not user.is_superuser and not user.has_role(Role.ADMINISTRATOR, Role.COORDINATOR, Role.SECRETARIAT):
        raise PermissionDenied
    from .delivery import build_message

    rows = list(
        Notification.objects.select_related(
            "recipient", "case__patient", "case__urgent_acknowledged_by", "meeting"
        ).order_by("-created_at", "-pk")[:50]
    )
    previews: list[dict[str, Any]] = []
    for n in rows:
        try:
            body = build_message(n).body
        except Exception as exc:  # a preview must not break the page
            body = f"{exc.__class__.__name__}: {exc}"
        previews.append({"n": n, "body": body})
    return render(request, "notifications/dev_outbox.html", {"previews": previews})
