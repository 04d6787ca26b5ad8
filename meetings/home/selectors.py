"""Reads of the home page: what each role has waiting, as counts with a link, and the next meeting.

The home page lives in ``meetings/``, the highest app layer, because it reads every app below it (requests,
urgent track, pharmacovigilance, meetings) without hooks: docs/architecture.md#the-home-page. Each role's panel
costs a fixed number of queries, whatever the volume (asserted in tests/meetings/home).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.models import Avis, Case, CaseStatus
from cases.pharmacovigilance.models import PvFollowUp
from cases.pharmacovigilance.selectors import pv_status_counts
from cases.triage.selectors import triage_counts
from cases.urgent.selectors import urgent_cases_for
from meetings.models import AgendaItem, AgendaItemReferent, Meeting
from meetings.selectors import OPEN_MEETING_STATUSES, upcoming_meetings
from tigre.accounts.models import User
from tigre.accounts.roles import Role

# How long a validated avis stays "new" on the requester's home page.
NEW_AVIS_DAYS = 14


@dataclass(frozen=True)
class Action:
    """One line of work: "3 demandes à trier", with where to do it. ``urgent`` lines are shown first, in red."""

    label: str
    count: int
    url: str
    urgent: bool = False


@dataclass(frozen=True)
class NextMeeting:
    meeting: Meeting
    cases: int
    url: str
    # What the viewer has to do there (a referent: the cases that need them), empty when nothing particular.
    note: str = ""


@dataclass
class Panel:
    """What one role of the user has waiting."""

    role: str
    title: str
    actions: list[Action] = field(default_factory=list)

    @property
    def waiting(self) -> int:
        return sum(a.count for a in self.actions)


@dataclass
class Home:
    next_meeting: NextMeeting | None
    panels: list[Panel]


def _count_label(n: int, singular: str, plural: str) -> str:
    return ngettext(singular, plural, n) % {"n": n}


def _next_meeting_for_board(now: dt.datetime) -> NextMeeting | None:
    """The next open meeting with its number of cases (one query)."""
    meeting = upcoming_meetings(after=now).annotate(case_count=Count("items")).first()
    if meeting is None:
        return None
    return NextMeeting(meeting, meeting.case_count, reverse("meetings:detail", args=[meeting.pk]))


def _next_meeting_for_referent(user: User, now: dt.datetime) -> NextMeeting | None:
    """The next open meeting the user is invited to, with its cases and those that need them (one query)."""
    mine = Q(items__needed_referents__referent__user=user) & ~Q(items__avis__state=Avis.State.VALIDATED)
    meeting = (
        Meeting.objects.filter(
            participants__user=user,
            participants__invited=True,
            status__in=OPEN_MEETING_STATUSES,
            ends_at__gte=now,
        )
        .annotate(case_count=Count("items", distinct=True), mine=Count("items", filter=mine, distinct=True))
        .order_by("starts_at")
        .first()
    )
    if meeting is None:
        return None
    note = _count_label(meeting.mine, "%(n)d dossier attend votre avis", "%(n)d dossiers attendent votre avis")
    if not meeting.mine:
        note = ""
    return NextMeeting(meeting, meeting.case_count, reverse("meetings:my_meeting", args=[meeting.pk]), note)


def _next_meeting_for_requester(user: User, now: dt.datetime) -> NextMeeting | None:
    """The next open meeting that discusses one of the user's requests (one query)."""
    own = Q(items__case__requester=user) & Q(items__outcome=AgendaItem.Outcome.PLANNED)
    meeting = (
        Meeting.objects.filter(own, status__in=OPEN_MEETING_STATUSES, ends_at__gte=now)
        .annotate(case_count=Count("items", filter=own, distinct=True))
        .order_by("starts_at")
        .first()
    )
    if meeting is None:
        return None
    note = _count_label(
        meeting.case_count, "%(n)d de vos demandes y est discutée", "%(n)d de vos demandes y sont discutées"
    )
    return NextMeeting(meeting, meeting.case_count, reverse("cases:my_cases") + "?status=in_progress", note)


def _board_panel(user: User, now: dt.datetime) -> Panel:
    """Secretariat and coordinators: the triage queue, untaken urgent requests, meetings to validate."""
    counts = triage_counts()
    untaken = urgent_cases_for(user).filter(urgent_acknowledged_by__isnull=True).count()
    triage = reverse("cases:triage")
    coordinator = user.is_superuser or user.has_role(Role.COORDINATOR)
    panel = Panel(Role.SECRETARIAT, _("Secrétariat"))
    if coordinator:
        panel = Panel(Role.COORDINATOR, _("Coordination"))
    panel.actions.append(
        Action(
            _count_label(
                untaken, "%(n)d demande urgente non prise en charge", "%(n)d demandes urgentes non prises en charge"
            ),
            untaken,
            reverse("urgent:list"),
            urgent=True,
        )
    )
    panel.actions.append(
        Action(
            _count_label(counts["submitted"], "%(n)d demande à trier", "%(n)d demandes à trier"),
            counts["submitted"],
            triage + "?etat=submitted",
        )
    )
    panel.actions.append(
        Action(
            _count_label(
                counts["accepted"], "%(n)d demande acceptée à inscrire", "%(n)d demandes acceptées à inscrire"
            ),
            counts["accepted"],
            triage + "?etat=accepted",
        )
    )
    panel.actions.append(
        Action(
            _count_label(
                counts["info_requested"],
                "%(n)d demande en attente d'informations",
                "%(n)d demandes en attente d'informations",
            ),
            counts["info_requested"],
            triage + "?etat=info_requested",
        )
    )
    if coordinator:
        held = Meeting.objects.filter(status=Meeting.Status.HELD).count()
        panel.actions.append(
            Action(
                _count_label(held, "%(n)d réunion tenue à valider", "%(n)d réunions tenues à valider"),
                held,
                reverse("meetings:list") + "?passees=1",
            )
        )
    return panel


def _referent_panel(user: User, now: dt.datetime) -> Panel:
    """Referents: the cases of their coming meetings that need them and have no validated avis, and the urgent
    requests alerted to them that nobody has answered."""
    to_give = (
        AgendaItemReferent.objects.filter(
            referent__user=user,
            item__meeting__status__in=OPEN_MEETING_STATUSES,
            item__meeting__ends_at__gte=now,
        )
        .exclude(item__avis__state=Avis.State.VALIDATED)
        .values("item")
        .distinct()
        .count()
    )
    urgent = urgent_cases_for(user).count()
    return Panel(
        Role.REFERENT,
        _("Référent"),
        [
            Action(
                _count_label(urgent, "%(n)d demande urgente vous attend", "%(n)d demandes urgentes vous attendent"),
                urgent,
                reverse("urgent:list"),
                urgent=True,
            ),
            Action(
                _count_label(
                    to_give, "%(n)d dossier attend votre avis en RCP", "%(n)d dossiers attendent votre avis en RCP"
                ),
                to_give,
                reverse("meetings:my_meetings"),
            ),
        ],
    )


def _pharmacovigilance_panel() -> Panel:
    counts = pv_status_counts(PvFollowUp.objects.all())
    pv = reverse("pharmacovigilance:list")
    return Panel(
        Role.PHARMACOVIGILANCE,
        _("Pharmacovigilance"),
        [
            Action(
                _count_label(
                    counts["overdue"],
                    "%(n)d déclaration en retard",
                    "%(n)d déclarations en retard",
                ),
                counts["overdue"],
                pv + "?status=to_declare&overdue=on",
                urgent=True,
            ),
            Action(
                _count_label(counts["to_declare"], "%(n)d déclaration à faire", "%(n)d déclarations à faire"),
                counts["to_declare"],
                pv + "?status=to_declare",
            ),
            Action(
                _count_label(counts["to_assess"], "%(n)d toxicité à évaluer", "%(n)d toxicités à évaluer"),
                counts["to_assess"],
                pv + "?status=to_assess",
            ),
        ],
    )


def _requester_panel(user: User, now: dt.datetime) -> Panel:
    """Clinicians: drafts to finish, questions of the secretariat to answer, new avis (one query)."""
    since = now - dt.timedelta(days=NEW_AVIS_DAYS)
    counts = Case.objects.filter(Q(requester=user) | Q(co_requesters=user)).aggregate(
        drafts=Count("pk", filter=Q(status=CaseStatus.DRAFT, requester=user), distinct=True),
        info=Count("pk", filter=Q(status=CaseStatus.INFO_REQUESTED), distinct=True),
        avis=Count("pk", filter=Q(status=CaseStatus.AVIS_VALIDATED, avis_set__validated_at__gte=since), distinct=True),
    )
    mine = reverse("cases:my_cases")
    return Panel(
        Role.CLINICIAN,
        _("Mes demandes"),
        [
            Action(
                _count_label(
                    counts["info"],
                    "%(n)d demande attend vos informations",
                    "%(n)d demandes attendent vos informations",
                ),
                counts["info"],
                mine + "?status=info_requested",
                urgent=True,
            ),
            Action(
                _count_label(counts["drafts"], "%(n)d brouillon à terminer", "%(n)d brouillons à terminer"),
                counts["drafts"],
                mine + "?status=draft",
            ),
            Action(
                _count_label(
                    counts["avis"], "%(n)d avis rendu ces 14 derniers jours", "%(n)d avis rendus ces 14 derniers jours"
                ),
                counts["avis"],
                mine + "?status=answered",
            ),
        ],
    )


def home_for(user: User, *, now: dt.datetime | None = None) -> Home:
    """The home page of ``user``: one panel per role held, and the next meeting that concerns them."""
    now = now or timezone.now()
    panels: list[Panel] = []
    next_meeting: NextMeeting | None = None
    if user.has_role(Role.SECRETARIAT, Role.COORDINATOR):
        panels.append(_board_panel(user, now))
    if user.has_role(Role.PHARMACOVIGILANCE):
        panels.append(_pharmacovigilance_panel())
    if user.has_role(Role.REFERENT):
        panels.append(_referent_panel(user, now))
    if user.has_role(Role.CLINICIAN, Role.REFERENT):
        panels.append(_requester_panel(user, now))
    if user.has_role(Role.SECRETARIAT, Role.COORDINATOR):
        next_meeting = _next_meeting_for_board(now)
    elif user.has_role(Role.REFERENT, Role.PHARMACOVIGILANCE):
        # The meetings they are invited to, as *Mes réunions* shows them (the CRPV is invited to every one).
        next_meeting = _next_meeting_for_referent(user, now) or _next_meeting_for_requester(user, now)
    elif user.has_role(Role.CLINICIAN):
        next_meeting = _next_meeting_for_requester(user, now)
    for panel in panels:
        panel.actions.sort(key=lambda a: (not (a.urgent and a.count), a.count == 0))
    return Home(next_meeting=next_meeting, panels=panels)
