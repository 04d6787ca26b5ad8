"""Thin views: the user's notifications, marking them read, the dev outbox."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tigre.accounts.decorators import AuthenticatedRequest
from tigre.accounts.roles import Role

from . import selectors
from .delivery import build_message
from .forms import MarkReadForm
from .models import Notification
from .services import notifications_mark_read


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return default


def inbox(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(selectors.inbox_for(request.user), 30).get_page(request.GET.get("page"))
    # One line per kind and subject matter on the page ("3 × Informations demandées" for one request).
    rows = [{"n": g.latest, "count": g.count, "unread": g.unread} for g in selectors.inbox_groups(list(page))]
    return render(request, "notifications/inbox.html", {"page": page, "rows": rows})


@require_POST
def mark_read(request: AuthenticatedRequest) -> HttpResponse:
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Notification inconnue."))
        return redirect("notifications:inbox")
    pk = form.cleaned_data["id"]
    user = request.user
    if not pk:
        notifications_mark_read(user=user, ids=None)
        return redirect(_safe_next(request, "notifications:inbox"))
    n = Notification.objects.filter(pk=pk, recipient_id=user.pk).first()
    if n is None:
        return redirect("notifications:inbox")
    notifications_mark_read(user=user, ids=selectors.same_group_unread_ids(user, n))
    if request.POST.get("open"):
        return redirect(n.link or "notifications:inbox")
    return redirect(_safe_next(request, "notifications:inbox"))


def dev_outbox(request: HttpRequest) -> HttpResponse:
    """DEBUG only (routed from dev_urls): what the app has sent or is about to send, newest first."""
    user: Any = request.user
    if not user.is_superuser and not user.has_role(Role.ADMINISTRATOR, Role.COORDINATOR, Role.SECRETARIAT):
        raise PermissionDenied
    rows = list(Notification.objects.select_related("recipient").order_by("-created_at", "-pk")[:50])
    previews: list[dict[str, Any]] = []
    for n in rows:
        try:
            body = build_message(n).body
        except Exception as exc:  # a preview must not break the page
            body = f"{exc.__class__.__name__}: {exc}"
        previews.append({"n": n, "body": body})
    return render(request, "notifications/dev_outbox.html", {"previews": previews})
