"""Views of the meeting session: referents' view, session page, avis, postponement, validation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meetings.models import AgendaItem, Meeting, Participant
from meetings.selectors import meeting_or_404
from meetings.session import selectors as sel
from meetings.session import services
from meetings.session.forms import AttendanceForm, AvisForm, ParticipantAddForm, PostponeForm
from meetings.session.selectors import SESSION_ROLES
from meetings.views import is_htmx, refusal_message, refusal_status
from tigre.accounts.decorators import AuthenticatedRequest, role_required
from tigre.accounts.models import User
from tigre.accounts.roles import Role
from tigre.audit.models import AccessLog
from tigre.audit.services import access_record, access_record_listed


def _log_case_views(request: HttpRequest, cases: Iterable[Any], target: str) -> None:
    access_record_listed(request=request, cases=cases, target=target)


# The access-checked attachment download (cases), for ``{% url %}`` in the case summaries.
ATTACHMENT_URL_NAME = "cases:attachment_download"


def _can_coordinate(user: Any) -> bool:
    return bool(user.is_superuser or user.has_role(Role.COORDINATOR))


# --- Referents' view -----------------------------------------------------------------------------------------


@role_required(Role.REFERENT, Role.PHARMACOVIGILANCE)
@require_GET
def my_meetings(request: AuthenticatedRequest) -> HttpResponse:
    meetings = sel.referent_upcoming_meetings(request.user)
    _log_case_views(
        request,
        (s.case for rm in meetings for s in rm.mine),
        target=_("Mes réunions (résumé pseudonymisé)"),
    )
    return render(
        request,
        "meetings/session/my_meetings.html",
        {"meetings": meetings, "attachment_url_name": ATTACHMENT_URL_NAME},
    )


@role_required(Role.REFERENT, Role.PHARMACOVIGILANCE)
@require_GET
def my_meeting(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rm = sel.referent_meeting(request.user, pk)
    _log_case_views(request, (s.case for s in rm.mine), target=_("Mes réunions (résumé pseudonymisé)"))
    return render(
        request,
        "meetings/session/my_meeting.html",
        {"rm": rm, "attachment_url_name": ATTACHMENT_URL_NAME},
    )


# --- Session page --------------------------------------------------------------------------------------------


def _session_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    participants = sel.session_participants(meeting)
    items = sel.session_items(meeting)
    quorum = sel.quorum_status(meeting=meeting, participants=participants, items=items)
    day = timezone.localdate(meeting.starts_at)
    rows: list[dict[str, Any]] = []
    for item in items:
        rows.append(
            {
                "item": item,
                "summary": sel.summarise(item, on=day),
                "avis": sel.item_avis(item),
                "cover": quorum.items.get(item.pk),
            }
        )
    pending = [r for r in rows if r["item"].outcome == AgendaItem.Outcome.PLANNED]
    return {
        "meeting": meeting,
        "participants": participants,
        "rows": rows,
        "quorum": quorum,
        "pending_count": len(pending),
        "can_coordinate": _can_coordinate(request.user),
        "locked": meeting.is_locked,
        "agenda_url": reverse("meetings:detail", args=[meeting.pk]),
    }


def _render_session(
    request: HttpRequest, meeting: Meeting, *, status: int = 200, error: str = "", partial: bool = False
) -> HttpResponse:
    ctx = _session_context(request, meeting)
    ctx["error"] = error
    template = "meetings/session/_body.html" if partial else "meetings/session/session.html"
    return render(request, template, ctx, status=status)


def _meeting_or_404(pk: int) -> Meeting:
    return meeting_or_404(pk, Meeting.objects.select_related("validated_by").prefetch_related("coordinators"))


@role_required(*SESSION_ROLES)
@require_GET
def session(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(pk)
    ctx = _session_context(request, meeting)
    ctx["error"] = ""
    _log_case_views(request, (r["item"].case for r in ctx["rows"]), target=_("Séance RCP"))
    return render(request, "meetings/session/session.html", ctx)


@role_required(*SESSION_ROLES)
@require_POST
def attendance(request: AuthenticatedRequest, pk: int, participant_pk: int) -> HttpResponse:
    meeting = _meeting_or_404(pk)
    participant = get_object_or_404(Participant, pk=participant_pk, meeting=meeting)
    form = AttendanceForm(request.POST)
    partial = is_htmx(request)
    if not form.is_valid():
        return _render_session(request, meeting, status=400, error=_("Choix de présence invalide."), partial=partial)
    try:
        services.attendance_set(
            meeting=meeting, participant=participant, present=form.cleaned_data["present"], by=request.user
        )
    except ValidationError as exc:
        meeting.refresh_from_db()
        return _render_session(
            request, meeting, status=refusal_status(exc), error=refusal_message(exc), partial=partial
        )
    return _after_session_write(request, meeting)


def _after_session_write(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    """htmx gets the refreshed page part; a plain form post goes back to the page."""
    if not is_htmx(request):
        return redirect("meetings:session", pk=meeting.pk)
    meeting.refresh_from_db()
    return _render_session(request, meeting, partial=True)


@role_required(*SESSION_ROLES)
@require_GET
def participant_search(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(pk)
    users = sel.users_addable(meeting, request.GET.get("q", ""))
    return render(
        request,
        "meetings/session/_participant_results.html",
        {"meeting": meeting, "users": users, "q": request.GET.get("q", "").strip()},
    )


@role_required(*SESSION_ROLES)
@require_POST
def participant_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(pk)
    form = ParticipantAddForm(request.POST)
    partial = is_htmx(request)
    if not form.is_valid():
        return _render_session(request, meeting, status=400, error=_("Utilisateur introuvable."), partial=partial)
    try:
        services.participant_add(meeting=meeting, user=form.cleaned_data["user"], by=request.user)
    except ValidationError as exc:
        meeting.refresh_from_db()
        return _render_session(
            request, meeting, status=refusal_status(exc), error=refusal_message(exc), partial=partial
        )
    return _after_session_write(request, meeting)


@role_required(Role.COORDINATOR)
@require_POST
def validate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(pk)
    try:
        services.meeting_validate(meeting=meeting, by=request.user)
    except ValidationError as exc:
        meeting.refresh_from_db()
        return _render_session(request, meeting, status=refusal_status(exc), error=refusal_message(exc))
    messages.success(request, _("La réunion est validée : les avis sont envoyés aux demandeurs."))
    return redirect("meetings:session", pk=meeting.pk)


# --- One case in session: avis and postponement --------------------------------------------------------------


def _item_context(request: HttpRequest, meeting: Meeting, item_pk: int) -> dict[str, Any]:
    items = sel.session_items(meeting)
    item = next((i for i in items if i.pk == item_pk), None)
    if item is None:
        raise Http404
    participants = sel.session_participants(meeting)
    quorum = sel.quorum_status(meeting=meeting, participants=participants, items=[item])
    ids = [i.pk for i in items]
    idx = ids.index(item.pk)
    return {
        "meeting": meeting,
        "item": item,
        "summary": sel.summarise(item, on=timezone.localdate(meeting.starts_at)),
        "avis": sel.item_avis(item),
        "cover": quorum.items.get(item.pk),
        "quorum": quorum,
        "present_users": [p.user for p in participants if p.present],
        "previous": items[idx - 1] if idx > 0 else None,
        "next": items[idx + 1] if idx + 1 < len(items) else None,
        "position": idx + 1,
        "total": len(items),
        "can_coordinate": _can_coordinate(request.user),
        "locked": meeting.is_locked,
        "case_url": reverse("cases:detail", args=[item.case_id]),
        "attachment_url_name": ATTACHMENT_URL_NAME,
    }


def _avis_form(ctx: dict[str, Any], data: Any = None) -> AvisForm:
    present_ids = [u.pk for u in ctx["present_users"]]
    initial = None
    if ctx["avis"] is None:
        # Suggest as contributors the present referents invited for this case.
        needed = {nr.referent.user_id for nr in ctx["item"].needed_referents.all()}
        initial = {"contributors": [pk for pk in present_ids if pk in needed]}
    return AvisForm(
        data,
        initial=initial,
        instance=ctx["avis"],
        present_users=User.objects.filter(pk__in=present_ids).order_by("last_name", "first_name"),
        meeting_day=timezone.localdate(ctx["meeting"].starts_at),
        urgent_opinion=ctx["item"].case.urgent_opinion_at is not None,
        missing_organs=[c.label for c in ctx["cover"].missing] if ctx["cover"] else [],
    )


@role_required(*SESSION_ROLES)
@require_http_methods(["GET", "POST"])
def session_item(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting_or_404(pk)
    ctx = _item_context(request, meeting, item_pk)
    status = 200
    if request.method == "POST":
        if not ctx["can_coordinate"]:
            raise PermissionDenied
        form = _avis_form(ctx, request.POST)
        if form.is_valid():
            try:
                services.avis_save(
                    item=ctx["item"],
                    by=request.user,
                    data=form.avis_data(),
                    contributors=form.cleaned_data["contributors"],
                )
            except ValidationError as exc:
                status = refusal_status(exc)
                ctx["error"] = refusal_message(exc)
            else:
                messages.success(request, _("Avis enregistré (projet, validé avec la réunion)."))
                if ctx["next"] is not None and "save_next" in request.POST:
                    return redirect("meetings:session_item", pk=meeting.pk, item_pk=ctx["next"].pk)
                return redirect("meetings:session_item", pk=meeting.pk, item_pk=item_pk)
        else:
            status = 400
    else:
        form = _avis_form(ctx)
    access_record(
        request=request, action=AccessLog.Action.VIEW_CASE, case=ctx["item"].case, target=_("Séance RCP (avis)")
    )
    ctx["form"] = form
    ctx["postpone_form"] = PostponeForm(
        initial={"reason": _("Référent de l'organe absent")}
        if ctx["cover"] and ctx["cover"].flagged and ctx["quorum"].started
        else None
    )
    return render(request, "meetings/session/item.html", ctx, status=status)


@role_required(Role.COORDINATOR)
@require_POST
def postpone(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting_or_404(pk)
    item = get_object_or_404(AgendaItem.objects.select_related("case"), pk=item_pk, meeting=meeting)
    form = PostponeForm(request.POST)
    error = ""
    status = 400
    if form.is_valid():
        try:
            new_item = services.item_postpone(item=item, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            error, status = refusal_message(exc), refusal_status(exc)
        else:
            messages.success(
                request,
                _("Dossier %(ref)s reporté à la %(meeting)s ; le demandeur est prévenu.")
                % {"ref": item.case.reference or item.case.pk, "meeting": new_item.meeting},
            )
            return redirect("meetings:session", pk=meeting.pk)
    else:
        error = " ".join(str(e) for errs in form.errors.values() for e in errs)
    meeting.refresh_from_db()
    return _render_session(request, meeting, status=status, error=error)
