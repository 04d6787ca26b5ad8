"""The meetings' own pages: the list, creating the coming meetings, and the "manage" page's rare edits (coordinators,
moving or cancelling a meeting). The agenda's pages are in agenda/views.py, the session's in session/views.py, the
calendar exports in calendar/views.py; the shared answers to a refused edit are here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from tigre.accounts.decorators import AuthenticatedRequest, role_required
from tigre.accounts.roles import Role

from . import services
from .forms import CancelMeetingForm, CoordinatorsForm, MoveMeetingForm, first_error
from .lock import MeetingConflict, MeetingLocked
from .models import Meeting
from .scheduling import meeting_date_label
from .selectors import MEETING_EDITORS, can_reschedule, meeting_or_404, meetings_list


def is_htmx(request: HttpRequest) -> bool:
    """django-htmx sets ``request.htmx`` (falsy outside htmx requests)."""
    return bool(getattr(request, "htmx", False))


def refusal_message(exc: ValidationError) -> str:
    """A refused edit's French message, on one line."""
    return " ".join(str(m) for m in exc.messages)


def refusal_status(exc: ValidationError) -> int:
    """409 when the meeting changed under the user or can no longer change at all, 400 for any other refusal."""
    return 409 if isinstance(exc, (MeetingConflict, MeetingLocked)) else 400


def _manage_page(
    request: AuthenticatedRequest, meeting: Meeting, *, error: str = "", status: int = 200
) -> HttpResponse:
    """Coordinators, and for the secretariat moving or cancelling the meeting: rare edits, on a page of their own."""
    ctx = {
        "meeting": meeting,
        "error": error,
        "editable": meeting.is_editable,
        "can_reschedule": can_reschedule(request.user),
        "coordinators_form": CoordinatorsForm(
            initial={"version": meeting.version, "coordinators": list(meeting.coordinators.all())}
        ),
        "cancel_form": CancelMeetingForm(initial={"version": meeting.version}),
        "move_form": MoveMeetingForm(initial={"version": meeting.version}),
    }
    return render(request, "meetings/manage.html", ctx, status=status)


@require_GET
@role_required(*MEETING_EDITORS)
def meeting_list(request: HttpRequest) -> HttpResponse:
    include_past = request.GET.get("passees") == "1"
    meetings = list(meetings_list(include_past=include_past))
    return render(request, "meetings/list.html", {"meetings": meetings, "include_past": include_past})


@require_POST
@role_required(Role.SECRETARIAT)
def meetings_create(request: HttpRequest) -> HttpResponse:
    created = services.meetings_create_ahead()
    if created:
        messages.success(
            request,
            ngettext("%(n)d réunion créée.", "%(n)d réunions créées.", len(created)) % {"n": len(created)},
        )
    else:
        messages.info(request, _("Les réunions des 8 prochains mercredis existent déjà."))
    return redirect("meetings:list")


@require_GET
@role_required(*MEETING_EDITORS)
def meeting_manage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _manage_page(request, meeting_or_404(pk))


def _meeting_edit(request: AuthenticatedRequest, pk: int, form: Any, action: Any) -> HttpResponse:
    """Cancel, move, coordinators (the "manage" page's forms): a refusal goes back to that page with its message,
    success to the meeting page."""
    meeting = meeting_or_404(pk)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("meetings:manage", pk=meeting.pk)
    try:
        with transaction.atomic():
            notice = action(meeting, form.cleaned_data)
    except MeetingConflict as exc:
        return _manage_page(request, meeting_or_404(pk), error=refusal_message(exc), status=409)
    except ValidationError as exc:
        messages.error(request, refusal_message(exc))
        return redirect("meetings:manage", pk=meeting.pk)
    messages.success(request, notice)
    return redirect("meetings:detail", pk=meeting.pk)


@require_POST
@role_required(Role.SECRETARIAT)
def meeting_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def action(meeting: Meeting, data: dict[str, Any]) -> str:
        services.meeting_cancel(
            meeting=meeting, by=request.user, reason=data["reason"], expected_version=data["version"]
        )
        return _("Réunion annulée. Ses demandes sont reportées à la réunion suivante, demandeurs prévenus.")

    return _meeting_edit(request, pk, CancelMeetingForm(request.POST), action)


@require_POST
@role_required(Role.SECRETARIAT)
def meeting_move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def action(meeting: Meeting, data: dict[str, Any]) -> str:
        moved = services.meeting_move(
            meeting=meeting,
            by=request.user,
            starts_at=data["starts_at"],
            reason=data["reason"],
            expected_version=data["version"],
        )
        return _("Réunion déplacée au %(date)s.") % {"date": meeting_date_label(moved)}

    return _meeting_edit(request, pk, MoveMeetingForm(request.POST), action)


@require_POST
@role_required(*MEETING_EDITORS)
def meeting_coordinators(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def action(meeting: Meeting, data: dict[str, Any]) -> str:
        services.meeting_set_coordinators(
            meeting=meeting, coordinators=data["coordinators"], by=request.user, expected_version=data["version"]
        )
        return _("Coordinateurs enregistrés.")

    return _meeting_edit(request, pk, CoordinatorsForm(request.POST), action)
