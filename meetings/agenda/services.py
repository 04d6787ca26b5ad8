"""The agenda: build it from the accepted requests, edit it, publish it.

Every write locks the meeting row (``meeting_lock``) and bumps ``Meeting.version``; an edit made from a stale page
(its ``expected_version`` is no longer current) is refused with ``MeetingConflict`` so nothing the other
secretary did is lost. Query counts do not grow with the number of cases: reads are batched, writes are
bulk, status changes go through ``case_transition_many`` and messages through ``notify_many``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseStatus, Toxicity, Urgency
from cases.workflow import case_transition, case_transition_many
from meetings.agenda.ordering import (
    KIND_RANK,
    capacity_of,
    kind_for,
    layout,
    merge_placed,
    moved_items,
    priority,
    slot_minutes,
)
from meetings.lock import MeetingConflict, MeetingError, meeting_lock
from meetings.messages import Kind, case_at_meeting_message, notify_meeting, referent_items, slot_label
from meetings.models import AgendaItem, AgendaItemReferent, Meeting, Participant
from meetings.scheduling import cutoff_for, meeting_date_label, meeting_day
from meetings.selectors import next_meeting
from referents.selectors import referents_available
from tigre import formats
from tigre.accounts.models import User
from tigre.accounts.roles import Role
from tigre.notifications.services import notify_many


@dataclass
class LeftOut:
    case: Case
    reason: str


@dataclass
class AgendaBuildResult:
    meeting: Meeting
    added: list[AgendaItem] = field(default_factory=list)  # new items on this meeting
    kept: list[AgendaItem] = field(default_factory=list)  # items already there and still there
    moved: list[Case] = field(default_factory=list)  # did not fit: sent to ``moved_to``
    moved_to: Meeting | None = None  # the next meeting, or None when there is none yet (cases stay accepted)
    gaps: list[Any] = field(default_factory=list)  # organ categories with no available referent
    capacity: int = 0
    # Accepted requests the build did not put on this meeting and did not carry over, with why (French):
    # submitted after the cut-off, or no room and no next meeting. docs/domain.md#the-build-report
    left_out: list[LeftOut] = field(default_factory=list)

    @property
    def items(self) -> list[AgendaItem]:
        return sorted([*self.kept, *self.added], key=lambda i: i.position)


def _bump(meeting: Meeting) -> None:
    meeting.version += 1
    meeting.save(update_fields=["version"])


def slots_recompute(*, meeting: Meeting) -> list[AgendaItem]:
    """Number the items 0..n-1 in their order and give each its slot from the meeting's start."""
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "pk"))
    layout(meeting, items)
    if items:
        AgendaItem.objects.bulk_update(items, ["position", "slot_start", "duration_minutes"])
    return items


def _case_centre_id(case: Case) -> int | None:
    return case.requester_centre_id or case.patient.treating_centre_id


def _pick(referents: list[Any], centre_id: int | None) -> Any:
    for referent in referents:
        if centre_id is not None and referent.centre_id == centre_id:
            return referent
    return referents[0] if referents else None


def invitations_refresh(*, meeting: Meeting) -> list[Any]:
    """Attach to each item the referents it needs and rebuild the invitation list; returns the gaps.

    For each organ category of a case's toxicities: the first available primary (of the case's centre if
    there is one), else the first backup. The directory's selector is called once for the union of the
    categories. Invited = those referents + the meeting's coordinators + every active CRPV user. People
    already marked present or absent are never dropped.
    """
    items = list(AgendaItem.objects.filter(meeting=meeting).select_related("case__patient").order_by("position", "pk"))
    by_case: dict[int, list[int]] = defaultdict(list)
    for case_id, category_id in (
        Toxicity.objects.filter(case__in=[i.case_id for i in items])
        .order_by("case_id", "-grade", "position", "pk")
        .values_list("case_id", "event__category_id")
    ):
        if category_id not in by_case[case_id]:
            by_case[case_id].append(category_id)
    all_categories = sorted({c for cats in by_case.values() for c in cats})
    available = referents_available(categories=all_categories, on=meeting_day(meeting)) if all_categories else {}

    rows: list[AgendaItemReferent] = []
    referent_users: dict[int, Any] = {}
    gaps: dict[int, Any] = {}
    for item in items:
        centre_id = _case_centre_id(item.case)
        for category_id in by_case.get(item.case_id, []):
            availability = available.get(category_id)
            if availability is None:
                continue
            chosen = _pick(availability.primaries, centre_id) or _pick(availability.backups, centre_id)
            if chosen is None:
                gaps[category_id] = availability.category
                continue
            rows.append(AgendaItemReferent(item=item, referent=chosen, category_id=category_id))
            referent_users[chosen.user_id] = chosen.user
    AgendaItemReferent.objects.filter(item__meeting=meeting).delete()
    AgendaItemReferent.objects.bulk_create(rows, ignore_conflicts=True)

    wanted: dict[int, str] = {}
    for user in User.objects.filter(
        is_active=True, groups__name=Role.PHARMACOVIGILANCE
    ).distinct():  # CRPV attends every meeting
        wanted[user.pk] = Participant.Role.PHARMACOVIGILANCE
    for user_id in referent_users:
        wanted[user_id] = Participant.Role.REFERENT
    # The author of an urgent opinion is invited to its ratification
    # (docs/domain.md#the-urgent-opinion-carried-through).
    for item in items:
        if item.kind == AgendaItem.Kind.URGENT_RATIFICATION and item.case.urgent_opinion_by_id:
            wanted.setdefault(item.case.urgent_opinion_by_id, Participant.Role.REFERENT)
    for user_id in meeting.coordinators.values_list("pk", flat=True):
        wanted[user_id] = Participant.Role.COORDINATOR
    # Invited by the builder and no longer needed: dropped, unless attendance was already taken.
    Participant.objects.filter(
        meeting=meeting,
        invited=True,
        present__isnull=True,
        role__in=[Participant.Role.REFERENT, Participant.Role.COORDINATOR, Participant.Role.PHARMACOVIGILANCE],
    ).exclude(user_id__in=list(wanted)).delete()
    existing = dict(Participant.objects.filter(meeting=meeting).values_list("user_id", "role"))
    changed = [
        Participant(meeting=meeting, user_id=uid, role=role)
        for uid, role in wanted.items()
        if uid in existing and existing[uid] != role and existing[uid] != Participant.Role.OTHER
    ]
    for p in changed:
        Participant.objects.filter(meeting=meeting, user_id=p.user_id).update(role=p.role, invited=True)
    Participant.objects.bulk_create(
        [Participant(meeting=meeting, user_id=uid, role=role) for uid, role in wanted.items() if uid not in existing],
        ignore_conflicts=True,
    )
    return sorted(gaps.values(), key=lambda c: (c.position, c.label))


def _postponed(
    cases: Sequence[Case], *, source: Meeting, target: Meeting | None, key: str, reason: str, by: User
) -> None:
    """Tell each requester their request moves from ``source`` to ``target`` (None: no new date yet); ``by``'s own
    copy, if they requested one of them, is a receipt."""
    notify_many(
        kind=Kind.POSTPONED,
        actor=by,
        messages=[
            case_at_meeting_message(
                kind=Kind.POSTPONED,
                case=case,
                meeting=target,
                key=f"case{case.pk}:from{source.pk}:{key}",
                context={
                    "from_meeting": meeting_date_label(source),
                    "to_meeting": meeting_date_label(target),
                    "reason": reason,
                },
            )
            for case in cases
        ],
    )


def _append_to(target: Meeting, cases: Sequence[Case], *, manual: bool) -> list[AgendaItem]:
    """Put ``cases`` at the end of ``target``'s agenda (bulk); slots recomputed by the caller."""
    start = (AgendaItem.objects.filter(meeting=target).aggregate(m=Max("position"))["m"] or 0) + 1
    fresh = [
        AgendaItem(
            meeting=target,
            case=case,
            kind=kind_for(case),
            position=start + n,
            duration_minutes=slot_minutes(),
            placed_manually=manual,
        )
        for n, case in enumerate(cases)
    ]
    AgendaItem.objects.bulk_create(fresh)
    return fresh


def agenda_items_move(
    *, items: Sequence[AgendaItem], source: Meeting, target: Meeting, by: User, reason: str = ""
) -> list[AgendaItem]:
    """Move items to ``target`` (locked by this function), telling each requester it is postponed there."""
    if not items:
        return []
    locked_target = meeting_lock(target)
    if locked_target.pk == source.pk:
        raise MeetingError(_("Choisissez une autre réunion."))
    cases = [i.case for i in items]
    already = set(AgendaItem.objects.filter(meeting=locked_target, case__in=cases).values_list("case_id", flat=True))
    if already:
        raise MeetingError(_("Une de ces demandes est déjà inscrite à la réunion choisie."))
    AgendaItem.objects.filter(pk__in=[i.pk for i in items]).delete()
    fresh = _append_to(locked_target, cases, manual=False)
    history = _("Reportée à la RCP du %(date)s") % {"date": meeting_date_label(locked_target)}
    if reason:
        history = f"{history} — {reason}"
    case_transition_many(cases=cases, to=CaseStatus.SCHEDULED, by=by, reason=history)
    slots_recompute(meeting=locked_target)
    invitations_refresh(meeting=locked_target)
    _bump(locked_target)
    _postponed(cases, source=source, target=locked_target, key=f"to{locked_target.pk}", reason=reason, by=by)
    return fresh


@transaction.atomic
def agenda_build(*, meeting: Meeting, by: User) -> AgendaBuildResult:
    """Build (or rebuild) the agenda of ``meeting`` from the accepted requests.

    Takes the accepted requests submitted up to the cut-off (urgent ones and urgent-opinion ratifications
    whatever their time), orders them with the items already there (``priority``), keeps the items the
    secretariat placed by hand where they are, fills up to the capacity and moves what does not fit to the
    next meeting (its requester is told: POSTPONED, with the new date). Then attaches the referents needed
    and rebuilds the invitation list. Running it again changes nothing unless new requests came in.
    """
    locked = meeting_lock(meeting, allow_held=False)
    cutoff = cutoff_for(locked)
    items = list(
        AgendaItem.objects.filter(meeting=locked)
        .select_related("case__requester", "case__patient")
        .order_by("position", "pk")
    )
    on_agenda = [i.case_id for i in items]
    candidates = list(
        Case.objects.filter(status=CaseStatus.ACCEPTED)
        .filter(Q(submitted_at__lte=cutoff) | Q(urgency=Urgency.URGENT) | Q(urgent_opinion_at__isnull=False))
        .exclude(pk__in=on_agenda)
        .select_related("requester", "patient")
    )
    late = list(
        Case.objects.filter(status=CaseStatus.ACCEPTED, submitted_at__gt=cutoff, urgency=Urgency.STANDARD)
        .filter(urgent_opinion_at__isnull=True)
        .exclude(pk__in=on_agenda)
        .select_related("patient")
        .order_by("submitted_at", "pk")
    )
    manual = [i for i in items if i.placed_manually]
    pool: list[tuple[tuple[int, int, dt.datetime, int], Case, AgendaItem | None]] = [
        (priority(i.case, i.kind), i.case, i) for i in items if not i.placed_manually
    ]
    pool += [(priority(c), c, None) for c in candidates]
    pool.sort(key=lambda entry: entry[0])
    capacity = capacity_of(locked)
    room = max(capacity - len(manual), 0)
    fitting, overflow = pool[:room], pool[room:]

    result = AgendaBuildResult(meeting=locked, capacity=capacity)
    result.left_out = [
        LeftOut(
            case=case,
            reason=_("soumise le %(when)s, après la date limite (%(cutoff)s)")
            % {"when": formats.moment(case.submitted_at), "cutoff": formats.moment(cutoff, weekday=True)},
        )
        for case in late
    ]
    full = _("Ordre du jour de la RCP du %(date)s complet") % {"date": meeting_date_label(locked)}
    # What does not fit leaves first (existing automatic items bumped by more urgent newcomers too).
    bumped = [entry[2] for entry in overflow if entry[2] is not None]
    waiting = [entry[1] for entry in overflow if entry[2] is None]
    if overflow:
        target = next_meeting(after=locked.starts_at)
        result.moved_to = target
        result.moved = [entry[1] for entry in overflow]
        if target is not None:
            if bumped:
                agenda_items_move(items=bumped, source=locked, target=target, by=by, reason=full)
            if waiting:
                locked_target = meeting_lock(target)
                _append_to(locked_target, waiting, manual=False)
                reason = _("Reportée à la RCP du %(date)s (ordre du jour complet)") % {
                    "date": meeting_date_label(locked_target)
                }
                case_transition_many(cases=waiting, to=CaseStatus.SCHEDULED, by=by, reason=reason)
                slots_recompute(meeting=locked_target)
                invitations_refresh(meeting=locked_target)
                _bump(locked_target)
                _postponed(
                    waiting, source=locked, target=locked_target, key=f"to{locked_target.pk}", reason=full, by=by
                )
        else:
            # No next meeting yet: bumped items go back to "accepted"; the requesters learn it is postponed.
            if bumped:
                AgendaItem.objects.filter(pk__in=[i.pk for i in bumped]).delete()
                case_transition_many(
                    cases=[i.case for i in bumped],
                    to=CaseStatus.ACCEPTED,
                    by=by,
                    reason=_("Ordre du jour complet : reportée à une prochaine RCP"),
                )
            # No new date yet: the e-mail must not announce one.
            _postponed([entry[1] for entry in overflow], source=locked, target=None, key="full", reason=full, by=by)
            result.left_out += [
                LeftOut(case=entry[1], reason=_("ordre du jour complet, et aucune réunion suivante n'existe encore"))
                for entry in overflow
            ]

    ordered = merge_placed(manual, [entry[2] if entry[2] is not None else entry[1] for entry in fitting])
    new_cases = [c for c in ordered if isinstance(c, Case)]
    fresh = [
        AgendaItem(meeting=locked, case=c, kind=kind_for(c), position=0, duration_minutes=slot_minutes())
        for c in new_cases
    ]
    by_case = {f.case_id: f for f in fresh}
    final = [by_case[e.pk] if isinstance(e, Case) else e for e in ordered]
    layout(locked, final)
    existing = [i for i in final if i.pk is not None]
    if existing:
        AgendaItem.objects.bulk_update(existing, ["position", "slot_start", "duration_minutes"])
    AgendaItem.objects.bulk_create(fresh)
    if new_cases:
        case_transition_many(
            cases=new_cases,
            to=CaseStatus.SCHEDULED,
            by=by,
            reason=_("Inscrite à la RCP du %(date)s") % {"date": meeting_date_label(locked)},
        )
    result.added = fresh
    result.kept = existing
    result.gaps = invitations_refresh(meeting=locked)
    if locked.status == Meeting.Status.PUBLISHED and fresh:
        _notify_scheduled(locked, fresh, by=by)
    _bump(locked)
    return result


@transaction.atomic
def agenda_carry_over(*, meeting: Meeting, case_ids: Sequence[int], by: User) -> tuple[Meeting, list[AgendaItem]]:
    """Put accepted requests the build left out of ``meeting`` on the next meeting's agenda (at its end, in
    submission order); each requester is told the date and slot. Requests no longer accepted are skipped.
    docs/domain.md#the-build-report"""
    target = next_meeting(after=meeting.starts_at)
    if target is None:
        raise MeetingError(_("Aucune réunion suivante n'existe encore : créez-la avant d'y reporter des demandes."))
    cases = list(
        Case.objects.filter(pk__in=list(case_ids), status=CaseStatus.ACCEPTED)
        .select_related("requester", "patient")
        .order_by("submitted_at", "pk")
    )
    if not cases:
        raise MeetingError(_("Ces demandes ne sont plus en attente : rien à reporter."))
    items = [agenda_add_case(meeting=target, case=case, by=by, placed_manually=False) for case in cases]
    return target, items


def _scheduled(meeting: Meeting, item: AgendaItem, **context: str) -> Any:
    return case_at_meeting_message(
        kind=Kind.SCHEDULED,
        case=item.case,
        meeting=meeting,
        key=f"case{item.case_id}:meeting{meeting.pk}",
        context={"slot": slot_label(item), **context},
    )


def _notify_scheduled(meeting: Meeting, items: Iterable[AgendaItem], *, by: User) -> None:
    notify_many(kind=Kind.SCHEDULED, actor=by, messages=[_scheduled(meeting, item) for item in items])


@transaction.atomic
def agenda_schedule_case(*, case: Case, meeting: Meeting, by: User) -> AgendaItem:
    """Put a request on a given meeting's agenda from the triage queue (accepting it if it was only
    submitted); placed by hand, its requester told the date and slot."""
    if case.status == CaseStatus.SUBMITTED:
        case_transition(case=case, to=CaseStatus.ACCEPTED, by=by)
    return agenda_add_case(meeting=meeting, case=case, by=by)


@transaction.atomic
def agenda_add_case(
    *,
    meeting: Meeting,
    case: Case,
    by: User,
    kind: str | None = None,
    expected_version: int | None = None,
    placed_manually: bool = True,
) -> AgendaItem:
    """Put one case on the agenda (a late case, or "put on this meeting" from triage).

    Urgent items go after the urgent ones already there, the others at the end; the case becomes
    "scheduled" and its requester is told the date and slot.
    """
    locked = meeting_lock(meeting, expected_version=expected_version)
    if kind is not None and kind not in AgendaItem.Kind.values:
        raise MeetingError(_("Type de point inconnu."))
    if AgendaItem.objects.filter(meeting=locked, case=case).exists():
        raise MeetingError(_("Cette demande est déjà à l'ordre du jour de cette réunion."))
    if case.status == CaseStatus.SCHEDULED:
        raise MeetingError(
            _("Cette demande est déjà inscrite à une autre réunion : déplacez-la depuis l'ordre du jour de celle-ci.")
        )
    kind = kind or kind_for(case)
    items = list(AgendaItem.objects.filter(meeting=locked).order_by("position", "pk"))
    index = len(items)
    if kind != AgendaItem.Kind.STANDARD:
        index = sum(1 for i in items if KIND_RANK[i.kind] <= KIND_RANK[kind])
    item = AgendaItem(
        meeting=locked,
        case=case,
        kind=kind,
        position=0,
        duration_minutes=slot_minutes(),
        placed_manually=placed_manually,
    )
    case_transition(
        case=case,
        to=CaseStatus.SCHEDULED,
        by=by,
        reason=_("Inscrite à la RCP du %(date)s") % {"date": meeting_date_label(locked)},
    )
    item.save()
    items.insert(index, item)
    layout(locked, items)
    AgendaItem.objects.bulk_update(items, ["position", "slot_start", "duration_minutes"])
    invitations_refresh(meeting=locked)
    _bump(locked)
    _notify_scheduled(locked, [item], by=by)
    return item


def _item_in(meeting: Meeting, item_id: int | str) -> AgendaItem:
    try:
        return AgendaItem.objects.select_related("case__requester", "case__patient").get(pk=item_id, meeting=meeting)
    except (AgendaItem.DoesNotExist, ValueError, TypeError) as exc:
        raise MeetingError(_("Ce point n'est plus à l'ordre du jour de cette réunion.")) from exc


@transaction.atomic
def agenda_item_shift(
    *, meeting: Meeting, item_id: int | str, offset: int, by: User, expected_version: int
) -> AgendaItem:
    """Move an item up (offset -1) or down (+1); it is then placed by hand (kept by a rebuild)."""
    locked = meeting_lock(meeting, expected_version=expected_version)
    item = _item_in(locked, item_id)
    items = list(AgendaItem.objects.filter(meeting=locked).order_by("position", "pk"))
    index = next(n for n, i in enumerate(items) if i.pk == item.pk)
    new_index = min(max(index + offset, 0), len(items) - 1)
    if new_index == index:
        return item
    moved = items.pop(index)
    moved.placed_manually = True
    items.insert(new_index, moved)
    layout(locked, items)
    AgendaItem.objects.bulk_update(items, ["position", "slot_start", "duration_minutes", "placed_manually"])
    _bump(locked)
    return moved


@transaction.atomic
def agenda_reorder(*, meeting: Meeting, order: Sequence[Any], by: User, expected_version: int) -> list[AgendaItem]:
    """Set the whole order at once (drag and drop). The items really moved become placed by hand."""
    locked = meeting_lock(meeting, expected_version=expected_version)
    items = list(AgendaItem.objects.filter(meeting=locked).order_by("position", "pk"))
    try:
        wanted = [int(pk) for pk in order]
    except (TypeError, ValueError) as exc:
        raise MeetingError(_("Ordre invalide.")) from exc
    by_pk = {i.pk: i for i in items}
    if sorted(wanted) != sorted(by_pk):
        raise MeetingConflict()
    before = {i.pk: n for n, i in enumerate(items)}
    final = [by_pk[pk] for pk in wanted]
    for pk in moved_items([before[pk] for pk in wanted], wanted):
        by_pk[pk].placed_manually = True
    layout(locked, final)
    AgendaItem.objects.bulk_update(final, ["position", "slot_start", "duration_minutes", "placed_manually"])
    _bump(locked)
    return final


@transaction.atomic
def agenda_item_move_to(
    *, meeting: Meeting, item_id: int | str, target: Meeting, by: User, expected_version: int
) -> AgendaItem:
    """Move one item to another meeting (at its end, placed by hand); the requester is told the new date."""
    # Lock in id order so two opposite moves cannot deadlock.
    first, second = sorted([meeting.pk, target.pk])
    if first == second:
        raise MeetingError(_("Choisissez une autre réunion."))
    list(Meeting.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk"))
    locked = meeting_lock(meeting, expected_version=expected_version)
    locked_target = meeting_lock(target)
    if locked_target.status not in (Meeting.Status.PLANNED, Meeting.Status.PUBLISHED):
        raise MeetingError(_("La réunion choisie n'accepte plus de demandes."))
    item = _item_in(locked, item_id)
    if AgendaItem.objects.filter(meeting=locked_target, case_id=item.case_id).exists():
        raise MeetingError(_("Cette demande est déjà à l'ordre du jour de la réunion choisie."))
    case = item.case
    item.delete()
    (fresh,) = _append_to(locked_target, [case], manual=True)
    case_transition(
        case=case,
        to=CaseStatus.SCHEDULED,
        by=by,
        reason=_("Déplacée à la RCP du %(date)s") % {"date": meeting_date_label(locked_target)},
    )
    slots_recompute(meeting=locked)
    slots_recompute(meeting=locked_target)
    invitations_refresh(meeting=locked)
    invitations_refresh(meeting=locked_target)
    _bump(locked)
    _bump(locked_target)
    fresh.refresh_from_db(fields=["slot_start", "position"])
    notify_many(
        kind=Kind.SCHEDULED,
        actor=by,
        messages=[_scheduled(locked_target, fresh, from_meeting=meeting_date_label(locked))],
    )
    return fresh


@transaction.atomic
def agenda_item_remove(
    *, meeting: Meeting, item_id: int | str, by: User, expected_version: int, reason: str = ""
) -> Case:
    """Take an item off the agenda: the case goes back to "accepted" (the triage queue)."""
    locked = meeting_lock(meeting, expected_version=expected_version)
    item = _item_in(locked, item_id)
    case = item.case
    item.delete()
    case_transition(
        case=case,
        to=CaseStatus.ACCEPTED,
        by=by,
        reason=(reason or "").strip()
        or _("Retirée de l'ordre du jour du %(date)s") % {"date": meeting_date_label(locked)},
    )
    slots_recompute(meeting=locked)
    invitations_refresh(meeting=locked)
    _bump(locked)
    return case


@transaction.atomic
def agenda_publish(*, meeting: Meeting, by: User, expected_version: int) -> Meeting:
    """Publish the agenda: the invited referents get it, each requester gets the date and slot.

    Publishing again after edits tells only those not told yet (notifications are idempotent per key).
    """
    locked = meeting_lock(meeting, expected_version=expected_version)
    if locked.status not in (Meeting.Status.PLANNED, Meeting.Status.PUBLISHED):
        raise MeetingError(_("Seul l'ordre du jour d'une réunion à venir peut être publié."))
    items = list(
        AgendaItem.objects.filter(meeting=locked)
        .select_related("case__requester", "case__patient")
        .order_by("position")
    )
    if not items:
        raise MeetingError(_("L'ordre du jour est vide : construisez-le avant de le publier."))
    locked.status = Meeting.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.version = F("version") + 1
    locked.save(update_fields=["status", "published_at", "version"])
    locked.refresh_from_db(fields=["version"])
    referents = User.objects.filter(
        participations__meeting=locked,
        participations__role=Participant.Role.REFERENT,
        participations__invited=True,
    ).distinct()
    notify_meeting(
        kind=Kind.AGENDA_PUBLISHED,
        meeting=locked,
        recipients=referents,
        per_recipient=referent_items(meeting=locked, user_ids=[r.pk for r in referents]),
        actor=by,
    )
    _notify_scheduled(locked, items, by=by)
    return locked
