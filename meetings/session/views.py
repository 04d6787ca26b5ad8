"""Views of the meeting session: referents' view, session page, avis, postponement, validation, calendar."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meetings.calendar import ics as ical
from meetings.models import AgendaItem, CalendarFeed, Meeting, Participant
from meetings.session import selectors as sel
from meetings.session import services
from meetings.session.forms import AttendanceForm, AvisForm, ParticipantAddForm, PostponeForm
from tigre.accounts.decorators import role_required
from tigre.accounts.roles import Role
from tigre.audit.models import AccessLog
from tigre.audit.services import access_record, access_record_listed

SESSION_ROLES = (Role.COORDINATOR, Role.SECRETARIAT)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("Action refusée.")


def _status_for(exc: Exception) -> int:
    return 409 if isinstance(exc, services.MeetingLocked) else 400


def _log_case_views(request: HttpRequest, cases: Iterable[Any], target: str) -> None:
    access_record_listed(request=request, cases=cases, target=target)


def _optional_url(name: str, *args: Any) -> str:
    """A link to a page another part of the app provides, when it is installed."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


ATTACHMENT_URL_NAME = "cases:attachment_download"


def _attachment_url_name() -> str:
    """The name of the access-checked attachment download view (cases), for ``{% url %}`` in templates."""
    return ATTACHMENT_URL_NAME if _optional_url(ATTACHMENT_URL_NAME, 1, 1) else ""


def _can_coordinate(user: Any) -> bool:
    return bool(user.is_superuser or user.has_role(Role.COORDINATOR))


# --- Referents' view -----------------------------------------------------------------------------------------


@role_required(Role.REFERENT)
@require_GET
def my_meetings(request: HttpRequest) -> HttpResponse:
    meetings = sel.referent_upcoming_meetings(request.user)
    _log_case_views(
        request,
        (s.case for rm in meetings for s in rm.mine),
        target=_("Mes réunions (résumé pseudonymisé)"),
    )
    return render(
        request,
        "meetings/session/my_meetings.html",
        {"meetings": meetings, "attachment_url_name": _attachment_url_name()},
    )


@role_required(Role.REFERENT)
@require_GET
def my_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    rm = sel.referent_meeting(request.user, pk)
    _log_case_views(request, (s.case for s in rm.mine), target=_("Mes réunions (résumé pseudonymisé)"))
    return render(
        request,
        "meetings/session/my_meeting.html",
        {"rm": rm, "attachment_url_name": _attachment_url_name()},
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
        "agenda_url": _optional_url("meetings:detail", meeting.pk),
    }


def _render_session(
    request: HttpRequest, meeting: Meeting, *, status: int = 200, error: str = "", partial: bool = False
) -> HttpResponse:
    ctx = _session_context(request, meeting)
    ctx["error"] = error
    template = "meetings/session/_body.html" if partial else "meetings/session/session.html"
    return render(request, template, ctx, status=status)


def _meeting_or_404(pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("validated_by").prefetch_related("coordinators"), pk=pk)


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
def attendance(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    meeting = _meeting_or_404(pk)
    participant = get_object_or_404(Participant, pk=participant_pk, meeting=meeting)
    form = AttendanceForm(request.POST)
    partial = bool(request.htmx)  # type: ignore[attr-defined]
    if not form.is_valid():
        return _render_session(request, meeting, status=400, error=_("Choix de présence invalide."), partial=partial)
    try:
        services.attendance_set(
            meeting=meeting, participant=participant, present=form.cleaned_data["present"], by=request.user
        )
    except ValidationError as exc:
        meeting.refresh_from_db()
        return _render_session(request, meeting, status=_status_for(exc), error=_error_text(exc), partial=partial)
    return _after_session_write(request, meeting)


def _after_session_write(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    """htmx gets the refreshed page part; a plain form post goes back to the page."""
    if not request.htmx:  # type: ignore[attr-defined]
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
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(pk)
    form = ParticipantAddForm(request.POST)
    partial = bool(request.htmx)  # type: ignore[attr-defined]
    if not form.is_valid():
        return _render_session(request, meeting, status=400, error=_("Utilisateur introuvable."), partial=partial)
    try:
        services.participant_add(meeting=meeting, user=form.cleaned_data["user"], by=request.user)
    except ValidationError as exc:
        meeting.refresh_from_db()
        return _render_session(request, meeting, status=_status_for(exc), error=_error_text(exc), partial=partial)
    return _after_session_write(request, meeting)


@role_required(Role.COORDINATOR)
@require_POST
def validate(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(pk)
    try:
        services.meeting_validate(meeting=meeting, by=request.user)
    except ValidationError as exc:
        meeting.refresh_from_db()
        return _render_session(request, meeting, status=_status_for(exc), error=_error_text(exc))
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
        "case_url": _optional_url("cases:detail", item.case_id),
        "attachment_url_name": _attachment_url_name(),
    }


def _avis_form(ctx: dict[str, Any], data: Any = None) -> AvisForm:
    from tigre.accounts.models import User

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
    )


@role_required(*SESSION_ROLES)
@require_http_methods(["GET", "POST"])
def session_item(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
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
                status = _status_for(exc)
                ctx["error"] = _error_text(exc)
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
def postpone(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting_or_404(pk)
    item = get_object_or_404(AgendaItem.objects.select_related("case"), pk=item_pk, meeting=meeting)
    form = PostponeForm(request.POST)
    error = ""
    status = 400
    if form.is_valid():
        try:
            new_item = services.item_postpone(item=item, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            error, status = _error_text(exc), _status_for(exc)
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


# --- Calendar ------------------------------------------------------------------------------------------------


def _link_for(user: Any) -> ical.LinkFor:
    if user.is_superuser or user.has_role(*SESSION_ROLES):
        return lambda m: reverse("meetings:session", args=[m.pk])
    return lambda m: reverse("meetings:my_meeting", args=[m.pk])


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = sel.get_meeting_for_user(request.user, pk)
    count = meeting.items.count()
    body = ical.meeting_ics(meeting, item_count=count, link_for=_link_for(request.user))
    return _ics_response(body, f"rcp-tigre-{meeting.starts_at:%Y-%m-%d}.ics")


@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            services.calendar_feed_create(user=request.user)
            messages.success(request, _("Nouvelle adresse d'agenda créée ; l'ancienne ne fonctionne plus."))
        elif action == "revoke":
            services.calendar_feed_revoke(user=request.user)
            messages.success(request, _("Adresse d'agenda révoquée : elle ne fonctionne plus."))
        else:
            messages.error(request, _("Action inconnue."))
            return render(request, "meetings/session/calendar_settings.html", _calendar_ctx(request), status=400)
        return redirect("meetings:calendar_settings")
    return render(request, "meetings/session/calendar_settings.html", _calendar_ctx(request))


def _calendar_ctx(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    feed = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at").first()
    url = request.build_absolute_uri(reverse("meetings:calendar_feed", args=[feed.token])) if feed else ""
    return {"feed": feed, "feed_url": url}


@login_not_required
@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal feed. The secret token is the credential: unknown or revoked -> 404."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    user = feed.user
    meetings = sel.meetings_for_feed(user).annotate(item_count=Count("items"))
    body = ical.feed_ics(meetings, owner=user, link_for=_link_for(user))
    return _ics_response(body, "rcp-tigre.ics")
