"""Reads for the meeting session: the referents' view, the session page, the quorum, the calendar scope.

Every list is loaded with a fixed number of queries whatever the number of cases (prefetches, no query in a
loop); the views' query counts are asserted in tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Attachment, Avis, ImmunotherapyLine, Toxicity
from meetings.models import AgendaItem, AgendaItemReferent, Meeting, Participant
from referents.models import Coverage, OrganCategory
from tigre.accounts.models import User
from tigre.accounts.roles import Role

# The quorum: at least 3 physicians of different specialties.
QUORUM_MIN_SPECIALTIES = 3
# Who runs the session page (attendance, avis, postponement); validating is the coordinators' alone.
SESSION_ROLES = (Role.COORDINATOR, Role.SECRETARIAT)


# --- Case summaries (pseudonymised) --------------------------------------------------------------------------


def _case_prefetches(prefix: str = "case__") -> list[Any]:
    return [
        Prefetch(
            f"{prefix}toxicities",
            queryset=Toxicity.objects.select_related("event__category").order_by("position", "pk"),
        ),
        Prefetch(f"{prefix}lines", queryset=ImmunotherapyLine.objects.prefetch_related("drugs")),
        Prefetch(f"{prefix}attachments", queryset=Attachment.objects.order_by("uploaded_at", "pk")),
    ]


@dataclass
class CaseSummary:
    """What the whole board may see of a case: no name, no INS, no date of birth."""

    item: AgendaItem
    pseudonym: str
    age: int | None
    sex: str
    cancer: str
    drugs: list[str]
    toxicities: list[Toxicity]
    categories: list[OrganCategory]
    question: str
    attachments: list[Attachment]
    needs_me: list[OrganCategory] = field(default_factory=list)

    @property
    def case(self) -> Any:
        return self.item.case


def summarise(item: AgendaItem, *, on: Any = None) -> CaseSummary:
    """Build the pseudonymised summary of an item's case from prefetched relations (no query)."""
    case = item.case
    patient = case.patient
    day = on or timezone.localdate(item.meeting.starts_at)
    toxicities = list(case.toxicities.all())
    categories: dict[int, OrganCategory] = {}
    for tox in toxicities:
        categories.setdefault(tox.event.category_id, tox.event.category)
    drugs: list[str] = []
    for line in case.lines.all():
        for drug in line.drugs.all():
            if drug.name not in drugs:
                drugs.append(drug.name)
    stage = _("stade %(stage)s") % {"stage": case.stage} if case.stage else ""
    cancer = ", ".join(p for p in (case.primary_site_label or case.primary_site, case.histology, stage) if p)
    return CaseSummary(
        item=item,
        pseudonym=patient.pseudonym,
        age=patient.age_on(day) if patient.birth_date else None,
        sex=patient.get_sex_display(),
        cancer=cancer,
        drugs=drugs,
        toxicities=toxicities,
        categories=sorted(categories.values(), key=lambda c: (c.position, c.label)),
        question=case.question,
        attachments=list(case.attachments.all()),
    )


# --- The referents' view -------------------------------------------------------------------------------------


@dataclass
class ReferentMeeting:
    meeting: Meeting
    mine: list[CaseSummary]
    others: list[CaseSummary]
    # The CRPV's view: ``mine`` holds the cases with a pharmacovigilance question.
    for_pv: bool = False

    @property
    def waiting(self) -> list[CaseSummary]:
        """The cases of ``mine`` without a validated avis yet: once validated, nobody's avis is awaited."""
        return [s for s in self.mine if s.item.avis is None or s.item.avis.state != Avis.State.VALIDATED]


def _referent_meetings_qs(user: User) -> QuerySet[Meeting]:
    ids = Participant.objects.filter(user=user, invited=True).values("meeting_id")
    items = (
        AgendaItem.objects.select_related("case__patient", "meeting", "avis")
        .prefetch_related(
            *_case_prefetches(),
            Prefetch(
                "needed_referents",
                queryset=AgendaItemReferent.objects.select_related("category", "referent"),
            ),
        )
        .order_by("position", "pk")
    )
    return (
        Meeting.objects.filter(pk__in=ids)
        .prefetch_related(Prefetch("items", queryset=items), "coordinators")
        .order_by("starts_at")
    )


def _referent_meeting(meeting: Meeting, user: User) -> ReferentMeeting:
    mine: list[CaseSummary] = []
    others: list[CaseSummary] = []
    day = timezone.localdate(meeting.starts_at)
    for item in meeting.items.all():
        summary = summarise(item, on=day)
        needed = [nr.category for nr in item.needed_referents.all() if nr.referent.user_id == user.pk]
        summary.needs_me = needed
        (mine if needed else others).append(summary)
    return ReferentMeeting(meeting=meeting, mine=mine, others=others)


# The CRPV's view of its meetings (docs/domain.md#pharmacovigilance): the cases with a pharmacovigilance question,
# a toxicity of this grade or more (serious reactions), come first; the rest of the agenda below.
PV_QUESTION_MIN_GRADE = 3


def _pharmacovigilance_meeting(meeting: Meeting) -> ReferentMeeting:
    mine: list[CaseSummary] = []
    others: list[CaseSummary] = []
    day = timezone.localdate(meeting.starts_at)
    for item in meeting.items.all():
        summary = summarise(item, on=day)
        (mine if any(t.grade >= PV_QUESTION_MIN_GRADE for t in summary.toxicities) else others).append(summary)
    return ReferentMeeting(meeting=meeting, mine=mine, others=others, for_pv=True)


def _for_viewer(meeting: Meeting, user: User) -> ReferentMeeting:
    """A referent sees the cases that need them first; the CRPV (without the referent role), those with a
    pharmacovigilance question."""
    if user.has_role(Role.PHARMACOVIGILANCE) and not user.has_role(Role.REFERENT):
        return _pharmacovigilance_meeting(meeting)
    return _referent_meeting(meeting, user)


def referent_upcoming_meetings(user: User, *, now: Any = None) -> list[ReferentMeeting]:
    """The upcoming meetings a user is invited to, with the cases that need them (and the rest of the agenda)."""
    now = now or timezone.now()
    meetings = _referent_meetings_qs(user).filter(ends_at__gte=now)
    return [_for_viewer(m, user) for m in meetings]


def referent_meeting(user: User, pk: int | str) -> ReferentMeeting:
    """One meeting as the referent sees it; 404 unless they are invited to it."""
    try:
        meeting = _referent_meetings_qs(user).get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    return _for_viewer(meeting, user)


# --- The session page ----------------------------------------------------------------------------------------


@dataclass
class ItemCover:
    """Is a referent of the case's organ categories present?"""

    categories: list[OrganCategory]
    covered: list[OrganCategory]
    missing: list[OrganCategory]

    @property
    def flagged(self) -> bool:
        """No referent of any of the case's organ categories is present: the case may be postponed."""
        return bool(self.categories) and not self.covered

    @property
    def partial(self) -> bool:
        return bool(self.covered) and bool(self.missing)


@dataclass
class QuorumStatus:
    present_physicians: list[User]
    specialties: list[str]
    items: dict[int, ItemCover]
    minimum: int = QUORUM_MIN_SPECIALTIES
    # Attendance has been recorded for at least one person (before that, nothing is "missing" yet).
    started: bool = True

    @property
    def ok(self) -> bool:
        return len(self.specialties) >= self.minimum

    @property
    def missing_count(self) -> int:
        return max(0, self.minimum - len(self.specialties))

    @property
    def flagged_items(self) -> list[int]:
        return [pk for pk, cover in self.items.items() if cover.flagged]


def session_participants(meeting: Meeting) -> list[Participant]:
    return list(
        meeting.participants.select_related("user", "user__centre").order_by(
            "-invited", "role", "user__last_name", "user__first_name"
        )
    )


def session_items(meeting: Meeting) -> list[AgendaItem]:
    """The agenda with everything the session page shows, including this meeting's avis (``meeting_avis``)."""
    return list(
        meeting.items.select_related("case__patient", "case__requester", "case__urgent_opinion_by")
        .prefetch_related(
            *_case_prefetches(),
            Prefetch(
                "case__avis_set",
                queryset=Avis.objects.filter(agenda_item__meeting=meeting).prefetch_related("contributors"),
                to_attr="meeting_avis",
            ),
            Prefetch(
                "needed_referents",
                queryset=AgendaItemReferent.objects.select_related("category", "referent__user"),
            ),
        )
        .order_by("position", "pk")
    )


def item_avis(item: AgendaItem) -> Avis | None:
    found = getattr(item.case, "meeting_avis", None)
    if found is None:
        return Avis.objects.filter(pk=item.avis_id).first() if item.avis_id else None
    return found[0] if found else None


def quorum_status(
    *, meeting: Meeting, participants: list[Participant] | None = None, items: list[AgendaItem] | None = None
) -> QuorumStatus:
    """The quorum from the attendance sheet.

    - at least 3 present physicians of different specialties (``user.specialty``; people without a
      specialty, e.g. the secretariat, do not count);
    - for each case, which of its organ categories (from its toxicities) have a present referent covering them
      in the directory; a case with none is flagged and may be postponed.
    Pass the lists already loaded by the page to avoid reading them again.
    """
    if participants is None:
        participants = session_participants(meeting)
    if items is None:
        items = session_items(meeting)
    present = [p.user for p in participants if p.present]
    physicians = [u for u in present if u.specialty]
    specialties = sorted({u.get_specialty_display() for u in physicians})

    present_ids = [u.pk for u in present]
    covered_categories: set[int] = set(
        Coverage.objects.filter(
            referent__user_id__in=present_ids, referent__is_active=True, category__is_active=True
        ).values_list("category_id", flat=True)
    )
    covers: dict[int, ItemCover] = {}
    for item in items:
        cats: dict[int, OrganCategory] = {}
        for tox in item.case.toxicities.all():
            cats.setdefault(tox.event.category_id, tox.event.category)
        ordered = sorted(cats.values(), key=lambda c: (c.position, c.label))
        covers[item.pk] = ItemCover(
            categories=ordered,
            covered=[c for c in ordered if c.pk in covered_categories],
            missing=[c for c in ordered if c.pk not in covered_categories],
        )
    return QuorumStatus(
        present_physicians=physicians,
        specialties=specialties,
        items=covers,
        started=any(p.present is not None for p in participants),
    )


def users_addable(meeting: Meeting, query: str, *, limit: int = 10) -> list[User]:
    """Active users not yet on the attendance sheet whose name or e-mail matches ``query`` (2+ characters)."""
    query = query.strip()
    if len(query) < 2:
        return []
    terms = Q()
    for word in query.split()[:3]:
        terms &= Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(email__icontains=word)
    return list(
        User.objects.filter(terms, is_active=True)
        .exclude(participations__meeting=meeting)
        .select_related("centre")
        .order_by("last_name", "first_name")[:limit]
    )


# --- The attendance as recorded at validation ----------------------------------------------------------------


def attendance_record(*, meeting: Meeting, quorum: QuorumStatus | None = None) -> dict[str, Any]:
    """The attendance sheet, the quorum and each case's organ cover as they stand now, as plain values.

    Stored on the meeting when it is validated (``Meeting.attendance_record``): the fiches and the minutes print
    it, never a list re-derived later from the directory or from accounts that changed
    (docs/domain.md#meeting-integrity)."""
    participants = session_participants(meeting)
    if quorum is None:
        quorum = quorum_status(meeting=meeting, participants=participants)
    people = [
        {
            "name": p.user.display_name,
            "specialty": str(p.user.get_specialty_display()) if p.user.specialty else "",
            "centre": p.user.centre.name if p.user.centre else "",
            "role": str(p.get_role_display()),
            "invited": p.invited,
            "present": p.present,
        }
        for p in sorted(participants, key=lambda p: (p.user.last_name, p.user.first_name, p.pk))
    ]
    return {
        "recorded_at": timezone.now().isoformat(),
        "participants": people,
        "quorum": {
            "ok": quorum.ok,
            "minimum": quorum.minimum,
            "specialties": [str(s) for s in quorum.specialties],
            "physicians": len(quorum.present_physicians),
        },
        "items": {
            str(pk): {"covered": [c.label for c in cover.covered], "missing": [c.label for c in cover.missing]}
            for pk, cover in quorum.items.items()
        },
    }
