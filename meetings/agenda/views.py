"""The meeting page with its agenda (the secretariat's and coordinators'), the agenda's building and its edits.

Views are thin: a form validates, a service writes, the agenda is rendered again. Every edit posts the meeting's
version it was made on; a stale one gets the conflict message and the fresh agenda. With htmx the agenda block alone
is swapped in place.

The page is rendered afresh on every view (no cache to keep in step with the data): its rows are plain values read in
three queries (agenda/selectors.py), and the table's rows are built in Python (agenda/table.py, where the reason is).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import CaseStatus
from cases.selectors import get_case_for_user
from meetings.agenda import services as agenda_services
from meetings.agenda.forms import (
    AddCaseForm,
    CandidateSearchForm,
    CarryOverForm,
    MoveItemForm,
    RemoveItemForm,
    ReorderForm,
    ScheduleCaseForm,
    ShiftForm,
)
from meetings.agenda.ordering import capacity_of
from meetings.agenda.selectors import (
    AgendaRow,
    agenda_item_get,
    agenda_rows,
    build_report_rows,
    late_case_candidates,
)
from meetings.agenda.table import agenda_table_body
from meetings.forms import VersionForm, first_error
from meetings.lock import MeetingConflict
from meetings.messages import slot_label
from meetings.models import Meeting
from meetings.scheduling import cutoff_for, late_scheduling_warning, meeting_date_label
from meetings.selectors import (
    MEETING_EDITORS,
    can_reschedule,
    meeting_invited,
    meeting_or_404,
    meetings_to_move_to,
    next_meeting,
    upcoming_meetings,
)
from meetings.views import is_htmx, refusal_message
from tigre.accounts.decorators import AuthenticatedRequest, role_required
from tigre.audit.models import AccessLog
from tigre.audit.services import access_record, access_record_listed_ids

CANDIDATES_SHOWN = 8
REPORT_KEY = "agenda_build_report"
SCHEDULABLE_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED)


def agenda_context(
    request: HttpRequest, meeting: Meeting, rows: list[AgendaRow] | None = None, **extra: Any
) -> dict[str, Any]:
    """What the agenda block (``_agenda.html``) shows: the count, the gaps, the table."""
    rows = agenda_rows(meeting) if rows is None else rows
    capacity = capacity_of(meeting)
    editable = meeting.is_editable
    return {
        "meeting": meeting,
        "item_count": len(rows),
        "capacity": capacity,
        "overflow": max(len(rows) - capacity, 0),
        "table_body": agenda_table_body(
            meeting, rows, capacity=capacity, editable=editable, csrf_token=get_token(request)
        ),
        # A held, validated or cancelled meeting warns no more: nobody can call a backup any longer.
        "gaps": sorted({label for row in rows for label in row["missing"]}) if editable else [],
        "editable": editable,
        **extra,
    }


def _agenda_response(
    request: AuthenticatedRequest, meeting_pk: int, *, error: str = "", status: int = 200, **extra: Any
) -> HttpResponse:
    """After an edit: the agenda block for htmx, else a redirect (or the full page with the error)."""
    meeting = meeting_or_404(meeting_pk)
    if is_htmx(request):
        # htmx swaps only 2xx answers: the conflict is shown inside the fresh agenda block.
        return render(request, "meetings/_agenda.html", agenda_context(request, meeting, error=error, **extra))
    if error:
        return _detail_page(request, meeting, error=error, status=status)
    return redirect("meetings:detail", pk=meeting.pk)


def _candidates_context(meeting: Meeting, data: Any) -> dict[str, Any]:
    """The requests the "add a late request" search offers (the first few, urgent first, without a search)."""
    form = CandidateSearchForm(data)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    found = list(late_case_candidates(query)[: CANDIDATES_SHOWN + 1])
    return {
        "meeting": meeting,
        "candidates": found[:CANDIDATES_SHOWN],
        "more_candidates": len(found) > CANDIDATES_SHOWN,
        "candidate_query": query,
        "candidate_error": "" if form.is_valid() else first_error(form),
    }


def _detail_page(
    request: AuthenticatedRequest,
    meeting: Meeting,
    *,
    error: str = "",
    status: int = 200,
    with_candidates: bool = False,
) -> HttpResponse:
    """The meeting page: its agenda, the people invited, the building and publishing buttons, the "add a late
    request" form. The candidates are listed here after a search without htmx or a refused addition; otherwise htmx
    loads them when that part of the page comes into view. Every view is traced (one row per request shown)."""
    rows = agenda_rows(meeting)
    access_record_listed_ids(
        request=request,
        pairs=[(row["case_id"], row["patient_id"]) for row in rows],
        target=f"ordre du jour {meeting.pk}",
    )
    context = {
        **agenda_context(request, meeting, rows, error=error),
        "coordinators": list(meeting.coordinators.all()),
        "invited": meeting_invited(meeting),
        "cutoff": cutoff_for(meeting),
        "add_form": AddCaseForm(initial={"version": meeting.version}),
        "late_warning": late_scheduling_warning(meeting),
        "can_reschedule": can_reschedule(request.user),
        "build_report": _build_report(request, meeting) if meeting.is_editable else None,
    }
    if error or (meeting.is_editable and (with_candidates or request.method == "POST")):
        data = request.POST if request.method == "POST" else request.GET
        context.update(candidates_loaded=True, **_candidates_context(meeting, data))
    return render(request, "meetings/detail.html", context, status=status)


@require_GET
@role_required(*MEETING_EDITORS)
def meeting_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _detail_page(request, meeting_or_404(pk))


@require_GET
@role_required(*MEETING_EDITORS)
def agenda_candidates(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The live search of the "add a late request" form (htmx); without htmx, the meeting page with the results."""
    meeting = meeting_or_404(pk)
    if not is_htmx(request):
        valid = CandidateSearchForm(request.GET).is_valid()
        return _detail_page(request, meeting, with_candidates=True, status=200 if valid else 400)
    return render(request, "meetings/_add_candidates.html", _candidates_context(meeting, request.GET))


@require_GET
@role_required(*MEETING_EDITORS)
def item_actions(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    """An item's "more actions" menu (move to another meeting, remove), loaded when the menu opens."""
    meeting = meeting_or_404(pk)
    item = agenda_item_get(meeting, item_pk)
    if item is None:
        raise Http404
    ctx = {
        "meeting": meeting,
        "item": item,
        "move_targets": list(meetings_to_move_to(meeting)),
        "editable": meeting.is_editable,
        "in_menu": is_htmx(request),
    }
    template = "meetings/_item_actions.html" if is_htmx(request) else "meetings/item_actions.html"
    return render(request, template, ctx)


def _edit(request: AuthenticatedRequest, pk: int, form: Any, action: Any) -> HttpResponse:
    """Run one agenda edit: validate, call the service, answer with the (fresh) agenda."""
    meeting = meeting_or_404(pk)
    if not form.is_valid():
        return _agenda_response(request, meeting.pk, error=first_error(form), status=400)
    try:
        notice = action(meeting, form.cleaned_data)
    except MeetingConflict as exc:
        return _agenda_response(request, meeting.pk, error=refusal_message(exc), status=409)
    except ValidationError as exc:
        return _agenda_response(request, meeting.pk, error=refusal_message(exc), status=400)
    if notice and not is_htmx(request):
        messages.success(request, notice)
    return _agenda_response(request, meeting.pk, notice=notice or "")


@require_POST
@role_required(*MEETING_EDITORS)
def agenda_build(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = meeting_or_404(pk)
    try:
        result = agenda_services.agenda_build(meeting=meeting, by=request.user)
    except ValidationError as exc:
        messages.error(request, refusal_message(exc))
        return redirect("meetings:detail", pk=meeting.pk)
    parts = [
        ngettext("%(n)d demande ajoutée.", "%(n)d demandes ajoutées.", len(result.added)) % {"n": len(result.added)}
    ]
    if result.moved:
        if result.moved_to is not None:
            parts.append(
                ngettext(
                    "%(n)d demande ne tient pas dans la réunion : reportée à la RCP du %(date)s (demandeur prévenu).",
                    "%(n)d demandes ne tiennent pas dans la réunion : reportées à la RCP du %(date)s "
                    "(demandeurs prévenus).",
                    len(result.moved),
                )
                % {"n": len(result.moved), "date": meeting_date_label(result.moved_to)}
            )
        else:
            parts.append(
                _("%(n)d demande(s) ne tiennent pas et aucune réunion suivante n'existe : elles restent acceptées.")
                % {"n": len(result.moved)}
            )
    if result.gaps:
        parts.append(
            _("Aucun référent disponible pour : %(cats)s.") % {"cats": ", ".join(c.label for c in result.gaps)}
        )
    if result.left_out:
        parts.append(
            ngettext(
                "%(n)d demande acceptée laissée de côté : voir le rapport ci-dessous.",
                "%(n)d demandes acceptées laissées de côté : voir le rapport ci-dessous.",
                len(result.left_out),
            )
            % {"n": len(result.left_out)}
        )
    # The report stays on the meeting page until the next build or until it is dismissed (its rows are read again
    # on each view, so a request carried over since shows where it went). docs/domain.md#the-build-report
    request.session[REPORT_KEY] = {
        "meeting": meeting.pk,
        "left_out": [[entry.case.pk, entry.reason] for entry in result.left_out],
        "moved": [case.pk for case in result.moved] if result.moved_to is not None else [],
    }
    level = messages.WARNING if (result.moved or result.gaps or result.left_out) else messages.SUCCESS
    messages.add_message(request, level, " ".join(parts))
    return redirect("meetings:detail", pk=meeting.pk)


@require_POST
@role_required(*MEETING_EDITORS)
def agenda_carry_over(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The build report's actions: carry one request, or all those listed, over to the next meeting; or hide it."""
    meeting = meeting_or_404(pk)
    if request.POST.get("action") == "dismiss":
        request.session.pop(REPORT_KEY, None)
        return redirect("meetings:detail", pk=meeting.pk)
    form = CarryOverForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, meeting, error=first_error(form), status=400)
    try:
        target, items = agenda_services.agenda_carry_over(
            meeting=meeting, case_ids=form.cleaned_data["cases"], by=request.user
        )
    except ValidationError as exc:
        messages.error(request, refusal_message(exc))
        return redirect("meetings:detail", pk=meeting.pk)
    messages.success(
        request,
        ngettext(
            "%(refs)s reportée à la RCP du %(date)s ; le demandeur est prévenu.",
            "%(refs)s reportées à la RCP du %(date)s ; les demandeurs sont prévenus.",
            len(items),
        )
        % {"refs": ", ".join(item.case.reference or "—" for item in items), "date": meeting_date_label(target)},
    )
    return redirect("meetings:detail", pk=meeting.pk)


def _build_report(request: AuthenticatedRequest, meeting: Meeting) -> dict[str, Any] | None:
    """The last build's report for this meeting, its requests read again (two queries)."""
    stored = request.session.get(REPORT_KEY)
    if not isinstance(stored, dict) or stored.get("meeting") != meeting.pk:
        return None
    reasons = {int(pk): str(reason) for pk, reason in stored.get("left_out", [])}
    moved = [int(pk) for pk in stored.get("moved", [])]
    rows = build_report_rows(list(reasons), moved)
    left_out = [{**rows[pk], "reason": reasons[pk]} for pk in reasons if pk in rows]
    return {
        "left_out": left_out,
        "waiting_ids": [row["pk"] for row in left_out if row["waiting"]],
        "moved": [rows[pk] for pk in moved if pk in rows],
        "next_meeting": next_meeting(after=meeting.starts_at),
    }


@require_POST
@role_required(*MEETING_EDITORS)
def agenda_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def action(meeting: Meeting, data: dict[str, Any]) -> str:
        agenda_services.agenda_publish(meeting=meeting, by=request.user, expected_version=data["version"])
        return _("Ordre du jour publié : les référents invités et les demandeurs sont prévenus.")

    return _edit(request, pk, VersionForm(request.POST), action)


@require_POST
@role_required(*MEETING_EDITORS)
def item_shift(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    form = ShiftForm(request.POST)

    def action(meeting: Meeting, data: dict[str, Any]) -> str:
        agenda_services.agenda_item_shift(
            meeting=meeting, item_id=item_pk, offset=form.offset, by=request.user, expected_version=data["version"]
        )
        return ""

    return _edit(request, pk, form, action)


@require_POST
@role_required(*MEETING_EDITORS)
def agenda_reorder(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def action(meeting: Meeting, data: dict[str, Any]) -> str:
        agenda_services.agenda_reorder(
            meeting=meeting, order=data["order"], by=request.user, expected_version=data["version"]
        )
        return ""

    return _edit(request, pk, ReorderForm(request.POST), action)


@require_POST
@role_required(*MEETING_EDITORS)
def item_move(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = meeting_or_404(pk)
    form = MoveItemForm(request.POST, meetings=upcoming_meetings().exclude(pk=meeting.pk))

    def action(meeting: Meeting, data: dict[str, Any]) -> str:
        agenda_services.agenda_item_move_to(
            meeting=meeting, item_id=item_pk, target=data["target"], by=request.user, expected_version=data["version"]
        )
        return _("Demande déplacée à la RCP du %(date)s ; le demandeur est prévenu.") % {
            "date": meeting_date_label(data["target"])
        }

    return _edit(request, pk, form, action)


@require_POST
@role_required(*MEETING_EDITORS)
def item_remove(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    def action(meeting: Meeting, data: dict[str, Any]) -> str:
        case = agenda_services.agenda_item_remove(
            meeting=meeting, item_id=item_pk, by=request.user, expected_version=data["version"], reason=data["reason"]
        )
        return _("%(ref)s retirée de l'ordre du jour ; elle revient dans les demandes acceptées.") % {
            "ref": case.reference
        }

    return _edit(request, pk, RemoveItemForm(request.POST), action)


@require_POST
@role_required(*MEETING_EDITORS)
def item_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def action(meeting: Meeting, data: dict[str, Any]) -> str:
        item = agenda_services.agenda_add_case(
            meeting=meeting,
            case=data["case"],
            by=request.user,
            kind=data["kind"] or None,
            expected_version=data["version"],
        )
        return _("%(ref)s ajoutée à l'ordre du jour ; le demandeur est prévenu.") % {"ref": item.case.reference}

    return _edit(request, pk, AddCaseForm(request.POST), action)


def _back_to_triage(request: HttpRequest) -> str:
    """Where to go after scheduling: the page the user came from if it is ours, else the triage queue."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return reverse("cases:triage")


@require_http_methods(["GET", "POST"])
@role_required(*MEETING_EDITORS)
def schedule_case(request: AuthenticatedRequest, case_pk: int) -> HttpResponse:
    """Put a submitted or accepted request on a chosen meeting (the triage queue's "Inscrire…")."""
    case = get_case_for_user(request.user, case_pk)
    back = _back_to_triage(request)
    if case.status not in SCHEDULABLE_STATUSES:
        messages.error(
            request,
            _("Action impossible : la demande %(ref)s est « %(status)s ».")
            % {"ref": case.reference, "status": case.get_status_display()},
        )
        return redirect(back)
    status = 200
    if request.method == "POST":
        form = ScheduleCaseForm(request.POST)
        if form.is_valid():
            meeting = form.cleaned_data["meeting"]
            late = late_scheduling_warning(meeting, submitted_at=case.submitted_at, urgent=case.is_urgent)
            if late and request.POST.get("confirm_late") != "1":
                # Past the cut-off: said, and asked again before anything is written. docs/domain.md#cut-off
                context = {
                    "case": case,
                    "form": form,
                    "next": back,
                    "toxicities": case.toxicities.select_related("event"),
                    "late_warning": late,
                }
                return render(request, "meetings/schedule_case.html", context)
            try:
                item = agenda_services.agenda_schedule_case(case=case, meeting=meeting, by=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("%(ref)s inscrite à la RCP du %(date)s, passage prévu à %(slot)s ; le demandeur est prévenu.")
                    % {
                        "ref": case.reference,
                        "date": meeting_date_label(meeting, with_time=False),
                        "slot": slot_label(item),
                    },
                )
                return redirect(back)
        status = 400
    else:
        form = ScheduleCaseForm()
        access_record(request=request, action=AccessLog.Action.VIEW_CASE, case=case)
    context = {"case": case, "form": form, "next": back, "toxicities": case.toxicities.select_related("event")}
    return render(request, "meetings/schedule_case.html", context, status=status)
