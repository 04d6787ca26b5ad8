"""The meeting page with its agenda (the secretariat's and coordinators'), the agenda's building and its edits.

Views are thin: a form validates, a service writes, the agenda is rendered again. Every edit posts the
agenda version it was made on; a stale one gets the conflict message and the fresh agenda. With htmx the
agenda block alone is swapped in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import CaseStatus
from cases.selectors import get_case_for_user
from meetings.agenda import services as agenda_services
from meetings.agenda.forms import (
    AddCaseForm,
    CandidateSearchForm,
    MoveItemForm,
    RemoveItemForm,
    ReorderForm,
    ScheduleCaseForm,
    ShiftForm,
)
from meetings.agenda.selectors import (
    AgendaSnapshot,
    agenda_item_get,
    agenda_items,
    late_case_candidates,
    meeting_page_state,
)
from meetings.forms import VersionForm, first_error
from meetings.lock import MeetingConflict
from meetings.messages import slot_label
from meetings.models import Meeting
from meetings.scheduling import cutoff_for, meeting_date_label
from meetings.selectors import (
    MEETING_EDITORS,
    can_reschedule,
    meeting_invited,
    meeting_or_404,
    meetings_to_move_to,
    upcoming_meetings,
)
from meetings.views import is_htmx, refusal_message
from tigre.accounts.decorators import role_required
from tigre.audit.models import AccessLog
from tigre.audit.services import access_record, access_record_listed_ids

# How long a rendered part of the meeting page is kept (keyed on the state of its data; see ``_cached_fragment``).
FRAGMENT_SECONDS = 300
CSRF_PLACEHOLDER = "tigre-csrf-placeholder-2f9c1e"
CANDIDATES_SHOWN = 8
SCHEDULABLE_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED)


def _cached_fragment(key: str, template: str, context: Callable[[], dict[str, Any]]) -> SafeString:
    """A part of the meeting page rendered once per state of its data and kept ``FRAGMENT_SECONDS``.

    ``key`` must change whenever what the fragment shows may have changed (see ``meeting_page_state`` and
    ``_people_key``); the language is added here. Names that live elsewhere (a referent's, a centre's, an
    organ's label) may show up to ``FRAGMENT_SECONDS`` late. Nothing in a fragment may depend on the user:
    where a form needs the CSRF token the HTML holds a placeholder, which ``_answer`` swaps for the token of the
    request that gets the page (fragments may nest: the swap is done once, on the whole answer).
    """
    key = f"{key}:{get_language()}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(template, {**context(), "csrf_token": CSRF_PLACEHOLDER})
        cache.set(key, html, FRAGMENT_SECONDS)
    return mark_safe(html)  # noqa: S308 (our own rendered template)


def _answer(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    """Render a page or block that may hold cached fragments, with this request's CSRF token in their forms."""
    response = render(request, template, context, status=status)
    response.content = response.content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    return response


def agenda_table(meeting: Meeting, snapshot: AgendaSnapshot) -> SafeString:
    """The agenda table (gaps, rows and their arrows), keyed on the snapshot's fingerprint (any agenda edit, or
    edit of a request on it, changes it)."""

    def context() -> dict[str, Any]:
        items = list(agenda_items(meeting))
        gaps: set[str] = set()
        for item in items:
            covered = {r.category_id for r in item.needed_referents.all()}
            missing = {t.event.category_id: t.event.category.label for t in item.case.toxicities.all()}
            item.missing_categories = [label for pk, label in missing.items() if pk not in covered]  # type: ignore[attr-defined]
            gaps.update(item.missing_categories)  # type: ignore[attr-defined]
        return {
            "meeting": meeting,
            "items": items,
            "capacity": agenda_services.capacity_of(meeting),
            "gaps": sorted(gaps),
            "editable": meeting.is_editable,
        }

    return _cached_fragment(f"agenda-table:{snapshot.fingerprint}", "meetings/_agenda_table.html", context)


def _people_key(meeting: Meeting, participants: tuple[int, int | None]) -> str:
    """The coordinators and the invited change with the meeting's version (coordinator changes and agenda builds
    bump it) and with its participants' count and last id (people added during the session)."""
    count, last = participants
    return f"{meeting.pk}:{meeting.version}:{meeting.status}:{count}:{last}"


def meeting_people(meeting: Meeting, participants: tuple[int, int | None]) -> SafeString:
    """The coordinators and the invited, grouped by role."""
    key = f"meeting-people:{_people_key(meeting, participants)}"

    def context() -> dict[str, Any]:
        return {
            "meeting": meeting,
            "coordinators": list(meeting.coordinators.all()),
            "invited": meeting_invited(meeting),
            "editable": meeting.is_editable,
        }

    return _cached_fragment(key, "meetings/_meeting_people.html", context)


def agenda_context(meeting: Meeting, *, snapshot: AgendaSnapshot | None = None, **extra: Any) -> dict[str, Any]:
    """What the agenda block (``_agenda.html``) shows; the table itself comes from the cache."""
    snapshot = snapshot or meeting_page_state(meeting).snapshot
    capacity = agenda_services.capacity_of(meeting)
    return {
        "meeting": meeting,
        "item_count": snapshot.count,
        "capacity": capacity,
        "overflow": max(snapshot.count - capacity, 0),
        "agenda_table": agenda_table(meeting, snapshot),
        "editable": meeting.is_editable,
        **extra,
    }


def _agenda_response(
    request: HttpRequest, meeting_pk: int, *, error: str = "", status: int = 200, **extra: Any
) -> HttpResponse:
    """After an edit: the agenda block for htmx, else a redirect (or the full page with the error)."""
    meeting = meeting_or_404(meeting_pk)
    if is_htmx(request):
        # htmx swaps only 2xx answers: the conflict is shown inside the fresh agenda block.
        return _answer(request, "meetings/_agenda.html", agenda_context(meeting, error=error, **extra))
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
    request: HttpRequest, meeting: Meeting, *, error: str = "", status: int = 200, with_candidates: bool = False
) -> HttpResponse:
    """The meeting page. Its content is rendered once per state of the meeting, its agenda and its people (and per
    kind of viewer: the secretariat may reschedule) and kept in the cache; a page with an error or with the
    "add a late request" candidates listed (a search without htmx, a refused addition) is rendered afresh.
    Otherwise htmx loads the candidates when that part of the page comes into view. Every view is traced."""
    state = meeting_page_state(meeting)
    snapshot, participants = state.snapshot, state.participants
    access_record_listed_ids(request=request, pairs=state.cases, target=f"ordre du jour {meeting.pk}")
    reschedule = can_reschedule(request.user)

    def content_context(**extra: Any) -> dict[str, Any]:
        return {
            **agenda_context(meeting, snapshot=snapshot),
            "meeting_people": meeting_people(meeting, participants),
            "cutoff": cutoff_for(meeting),
            "add_form": AddCaseForm(initial={"version": meeting.version}),
            "can_reschedule": reschedule,
            **extra,
        }

    template = "meetings/_detail_content.html"
    if error or (meeting.is_editable and (with_candidates or request.method == "POST")):
        data = request.POST if request.method == "POST" else request.GET
        extra = {"error": error, "candidates_loaded": True, **_candidates_context(meeting, data)}
        content = mark_safe(render_to_string(template, content_context(**extra), request=request))  # noqa: S308
    else:
        key = f"meeting-page:{snapshot.fingerprint}:{_people_key(meeting, participants)}:{reschedule}"
        content = _cached_fragment(key, template, content_context)
    return _answer(request, "meetings/detail.html", {"meeting": meeting, "content": content}, status=status)


@require_GET
@role_required(*MEETING_EDITORS)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, meeting_or_404(pk))


@require_GET
@role_required(*MEETING_EDITORS)
def agenda_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    """The live search of the "add a late request" form (htmx); without htmx, the meeting page with the results."""
    meeting = meeting_or_404(pk)
    if not is_htmx(request):
        valid = CandidateSearchForm(request.GET).is_valid()
        return _detail_page(request, meeting, with_candidates=True, status=200 if valid else 400)
    return render(request, "meetings/_add_candidates.html", _candidates_context(meeting, request.GET))


@require_GET
@role_required(*MEETING_EDITORS)
def item_actions(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
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


def _edit(request: HttpRequest, pk: int, form: Any, action: Any) -> HttpResponse:
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
def agenda_build(request: HttpRequest, pk: int) -> HttpResponse:
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
    level = messages.WARNING if (result.moved or result.gaps) else messages.SUCCESS
    messages.add_message(request, level, " ".join(parts))
    return redirect("meetings:detail", pk=meeting.pk)


@require_POST
@role_required(*MEETING_EDITORS)
def agenda_publish(request: HttpRequest, pk: int) -> HttpResponse:
    def action(meeting: Meeting, data: dict[str, Any]) -> str:
        agenda_services.agenda_publish(meeting=meeting, by=request.user, expected_version=data["version"])
        return _("Ordre du jour publié : les référents invités et les demandeurs sont prévenus.")

    return _edit(request, pk, VersionForm(request.POST), action)


@require_POST
@role_required(*MEETING_EDITORS)
def item_shift(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    form = ShiftForm(request.POST)

    def action(meeting: Meeting, data: dict[str, Any]) -> str:
        agenda_services.agenda_item_shift(
            meeting=meeting, item_id=item_pk, offset=form.offset, by=request.user, expected_version=data["version"]
        )
        return ""

    return _edit(request, pk, form, action)


@require_POST
@role_required(*MEETING_EDITORS)
def agenda_reorder(request: HttpRequest, pk: int) -> HttpResponse:
    def action(meeting: Meeting, data: dict[str, Any]) -> str:
        agenda_services.agenda_reorder(
            meeting=meeting, order=data["order"], by=request.user, expected_version=data["version"]
        )
        return ""

    return _edit(request, pk, ReorderForm(request.POST), action)


@require_POST
@role_required(*MEETING_EDITORS)
def item_move(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
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
def item_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
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
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
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
def schedule_case(request: HttpRequest, case_pk: int) -> HttpResponse:
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
            try:
                item = agenda_services.agenda_schedule_case(case=case, meeting=meeting, by=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("%(ref)s inscrite à la RCP du %(date)s (%(slot)s) ; le demandeur est prévenu.")
                    % {"ref": case.reference, "date": meeting_date_label(meeting), "slot": slot_label(item)},
                )
                return redirect(back)
        status = 400
    else:
        form = ScheduleCaseForm()
        access_record(request=request, action=AccessLog.Action.VIEW_CASE, case=case)
    context = {"case": case, "form": form, "next": back, "toxicities": case.toxicities.select_related("event")}
    return render(request, "meetings/schedule_case.html", context, status=status)
