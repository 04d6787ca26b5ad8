"""A year of plausible board activity for the dashboard and the activity report (invented patients only).
Called by `manage.py load_demo` after the other steps; idempotent (a marker on its meetings).

The 52 Wednesdays before last week's (those not already in the database): a few cancelled (holidays), the others
validated, with an attendance sheet (coordinators, CRPV, four to eight referents), four to nine requests each
(submitted three to twelve days before, urgent ones alerted, taken and answered within hours), one avis per
discussed request with a plausible decision mix, about one request in fifteen postponed to the next meeting,
and pharmacovigilance follow-ups for the avis to declare. Written with bulk inserts, so `make run` stays quick.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db.models import F
from django.utils import timezone

from cases.models import (
    Avis,
    Case,
    CaseSequence,
    CaseStatus,
    Drug,
    ImmunotherapyLine,
    Patient,
    RequestReason,
    Sex,
    Toxicity,
    Urgency,
)
from cases.pharmacovigilance.models import PvFollowUp, PvStatus
from meetings.models import AgendaItem, Meeting, Participant
from referents.models import Referent, ToxicityEvent
from tigre.accounts.models import Centre, User
from tigre.accounts.roles import Role

from .periods import PARIS

MARKER = "https://visio.tigre.invalid/demo-activite"
WEEKS = 52
SEED = 2026
CANCELLED = {"Noël": (12, 25), "Jour de l'an": (1, 1), "Assomption": (8, 15), "Pause estivale": (8, 5)}

BIRTH_NAMES = [
    "Aubry", "Barbier", "Caron", "Delattre", "Etienne", "Fabre", "Gauthier", "Hamon", "Imbert", "Jacquet",
    "Klein", "Leblanc", "Marchand", "Noël", "Olivier", "Perrot", "Quentin", "Renaud", "Sauvage", "Tessier",
    "Vasseur", "Wagner", "Zimmermann", "Bouvier", "Chevalier", "Daniel", "Huet", "Lemaire", "Meunier", "Poirier",
]  # fmt: skip
FIRST_NAMES = [
    "Annie", "Bernard", "Colette", "Didier", "Évelyne", "Francis", "Gisèle", "Hervé", "Irène", "Jacques",
    "Laurence", "Michel", "Nadine", "Pascal", "Régine", "Serge", "Thérèse", "Yves", "Josiane", "Alain",
]  # fmt: skip
SITES = [("C34", "Poumon"), ("C43", "Mélanome"), ("C64", "Rein"), ("C67", "Vessie"), ("C15", "Œsophage")]
QUESTIONS = [
    "Reprise de l'immunothérapie possible après résolution ?",
    "Quelle corticothérapie et pour combien de temps ?",
    "Faut-il un immunosuppresseur de deuxième ligne ?",
    "Imputabilité de l'événement à l'immunothérapie ?",
]


def _wednesdays(today: dt.date) -> list[dt.date]:
    days_since = (today.weekday() - 2) % 7 or 7
    last = today - dt.timedelta(days=days_since)  # last week's Wednesday or earlier this week
    return [last - dt.timedelta(weeks=k) for k in range(1, WEEKS + 1)]


def _references(rng: random.Random, years: dict[int, int]) -> dict[int, list[str]]:
    """Reserve reference numbers per year in the request sequence (so later submissions never collide)."""
    out: dict[int, list[str]] = {}
    for year, count in years.items():
        sequence, _created = CaseSequence.objects.get_or_create(year=year)
        first = sequence.last_number + 1
        sequence.last_number += count
        sequence.save(update_fields=["last_number"])
        out[year] = [f"TIGRE-{year}-{n:04d}" for n in range(first, first + count)]
    return out


def load(*, password: str = "", stdout: Any = None) -> int:
    if Meeting.objects.filter(video_url=MARKER).exists():
        if stdout is not None:
            stdout.write("Activité de l'année : déjà chargée.")
        return 0
    rng = random.Random(SEED)  # noqa: S311 (reproducible invented data)
    now = timezone.now()
    taken = set(Meeting.objects.values_list("planned_date", flat=True)) | {
        timezone.localtime(s).date() for s in Meeting.objects.values_list("starts_at", flat=True)
    }
    days = sorted(d for d in _wednesdays(timezone.localdate()) if d not in taken)
    coordinators = list(User.objects.filter(groups__name=Role.COORDINATOR, is_active=True).distinct()[:2])
    crpv = User.objects.filter(groups__name=Role.PHARMACOVIGILANCE, is_active=True).first()
    referents = list(Referent.objects.filter(is_active=True).select_related("user"))
    clinicians = list(User.objects.filter(groups__name=Role.CLINICIAN, is_active=True).distinct())
    centres = list(Centre.objects.all())
    events = list(ToxicityEvent.objects.filter(is_active=True).select_related("category"))
    drugs = {d.name: d for d in Drug.objects.filter(is_active=True)}
    if not (coordinators and clinicians and centres and events and drugs and days):
        if stdout is not None:
            stdout.write("Activité de l'année : données de base manquantes, rien chargé.")
        return 0
    regimens = [["pembrolizumab"], ["nivolumab"], ["ipilimumab", "nivolumab"], ["durvalumab"], ["atezolizumab"]]
    regimens = [r for r in regimens if all(name in drugs for name in r)] or [[next(iter(drugs))]]

    meetings: list[Meeting] = []
    for day in days:
        start = dt.datetime.combine(day, dt.time(17, 0), tzinfo=PARIS)
        holiday = next(
            (name for name, (m, d) in CANCELLED.items() if abs((day - dt.date(day.year, m, d)).days) <= 3), ""
        )
        meetings.append(
            Meeting(
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=90),
                planned_date=day,
                video_url=MARKER,
                status=Meeting.Status.CANCELLED if holiday else Meeting.Status.VALIDATED,
                holiday_name=holiday if holiday in ("Noël", "Jour de l'an", "Assomption") else "",
                cancelled_reason=holiday,
                validated_at=None if holiday else start + dt.timedelta(minutes=95),
                validated_by=None if holiday else coordinators[0],
                published_at=start - dt.timedelta(days=1),
            )
        )
    Meeting.objects.bulk_create(meetings)
    held = [m for m in meetings if m.status == Meeting.Status.VALIDATED]
    Meeting.coordinators.through.objects.bulk_create(
        [Meeting.coordinators.through(meeting_id=m.pk, user_id=c.pk) for m in held for c in coordinators]
    )

    # The attendance sheet of every held meeting.
    participants: list[Participant] = []
    for meeting in held:
        people = {c.pk: Participant.Role.COORDINATOR for c in coordinators}
        if crpv is not None:
            people.setdefault(crpv.pk, Participant.Role.PHARMACOVIGILANCE)
        for ref in rng.sample(referents, min(len(referents), rng.randint(4, 8))):
            people.setdefault(ref.user_id, Participant.Role.REFERENT)
        for user_id, role in people.items():
            present = role != Participant.Role.REFERENT or rng.random() < 0.85
            participants.append(Participant(meeting=meeting, user_id=user_id, role=role, present=present))
    Participant.objects.bulk_create(participants)

    # The requests: (meeting, submitted at, urgent, postponed) first, so references can be reserved per year.
    plans: list[tuple[int, dt.datetime, bool, bool]] = []
    for index, meeting in enumerate(held):
        for _n in range(rng.randint(4, 9)):
            submitted = meeting.starts_at - dt.timedelta(days=rng.randint(3, 12), minutes=rng.randint(0, 600))
            urgent = rng.random() < 0.1
            postponed = index + 1 < len(held) and rng.random() < 0.07
            plans.append((index, submitted, urgent, postponed))
    years: dict[int, int] = {}
    for _i, submitted, _u, _p in plans:
        years[timezone.localtime(submitted).year] = years.get(timezone.localtime(submitted).year, 0) + 1
    references = _references(rng, years)
    used = dict.fromkeys(years, 0)

    patients: list[Patient] = []
    cases: list[Case] = []
    for _index, submitted, urgent, _postponed in plans:
        year = timezone.localtime(submitted).year
        reference = references[year][used[year]]
        used[year] += 1
        requester = rng.choice(clinicians)
        centre = requester.centre or rng.choice(centres)
        patients.append(
            Patient(
                birth_name=rng.choice(BIRTH_NAMES),
                first_names=rng.choice(FIRST_NAMES),
                sex=rng.choice([Sex.FEMALE, Sex.MALE]),
                birth_date=dt.date(rng.randint(1938, 1985), rng.randint(1, 12), rng.randint(1, 28)),
                treating_centre=rng.choice([centre, centre, rng.choice(centres)]),
            )
        )
        site = rng.choice(SITES)
        alerted = submitted + dt.timedelta(minutes=1) if urgent else None
        waits = [8, 15, 25, 40, 70, 110, 180, 400]
        acknowledged = alerted + dt.timedelta(minutes=rng.choice(waits)) if alerted else None
        answered = alerted + dt.timedelta(hours=rng.choice([1, 2, 3, 5, 8, 20, 30])) if alerted else None
        cases.append(
            Case(
                reference=reference,
                status=CaseStatus.AVIS_VALIDATED,
                requester=requester,
                requester_centre=centre,
                primary_site=site[0],
                primary_site_label=site[1],
                histology="Adénocarcinome" if site[0] == "C34" else "",
                stage="IV",
                performance_status=rng.randint(0, 2),
                reason=rng.choice(list(RequestReason.values)),
                question=rng.choice(QUESTIONS),
                urgency=Urgency.URGENT if urgent else Urgency.STANDARD,
                urgency_reason="Toxicité de grade élevé" if urgent else "",
                submitted_at=submitted,
                urgent_alerted_at=alerted,
                urgent_acknowledged_by=coordinators[0] if urgent else None,
                urgent_acknowledged_at=acknowledged,
                urgent_opinion="Avis urgent donné par téléphone, confirmé par écrit." if urgent else "",
                urgent_opinion_at=answered,
            )
        )
    Patient.objects.bulk_create(patients)
    for case, patient in zip(cases, patients, strict=True):
        case.patient = patient
    # A few patients come back with a new request (re-presented patients).
    for i in range(10, len(cases), 23):
        before, after = cases[i - 7].submitted_at, cases[i].submitted_at
        if before is not None and after is not None and before < after:
            p = patients[i - 7]
            patients[i].birth_name, patients[i].first_names, patients[i].birth_date = (
                p.birth_name,
                p.first_names,
                p.birth_date,
            )
    Patient.objects.bulk_update(patients, ["birth_name", "first_names", "birth_date"])
    Case.objects.bulk_create(cases)

    lines: list[ImmunotherapyLine] = []
    toxicities: list[Toxicity] = []
    for case in cases:
        assert case.submitted_at is not None
        line_start = (case.submitted_at - dt.timedelta(days=rng.randint(40, 300))).date()
        lines.append(
            ImmunotherapyLine(
                case=case,
                regimen=ImmunotherapyLine.Regimen.MONO,
                setting=ImmunotherapyLine.Setting.METASTATIC,
                start_date=line_start,
                cycles=rng.randint(2, 18),
            )
        )
        grades = [rng.choices([1, 2, 3, 4], weights=[10, 45, 35, 10])[0] for _t in range(rng.choice([1, 1, 2]))]
        if case.urgency == Urgency.URGENT:
            grades = [max(grades[0], 3), *grades[1:]]
        case.highest_grade = max(grades)
        for position, grade in enumerate(grades):
            toxicities.append(
                Toxicity(
                    case=case,
                    event=rng.choice(events),
                    grade=grade,
                    onset_date=case.submitted_at.date() - dt.timedelta(days=rng.randint(2, 30)),
                    description="Toxicité inventée pour la démonstration",
                    position=position,
                )
            )
    Case.objects.bulk_update(cases, ["highest_grade"])
    ImmunotherapyLine.objects.bulk_create(lines)
    through = ImmunotherapyLine.drugs.through
    through.objects.bulk_create(
        [
            through(immunotherapyline_id=line.pk, drug_id=drugs[name].pk)
            for line in lines
            for name in rng.choice(regimens)
        ]
    )
    Toxicity.objects.bulk_create(toxicities)

    # Agenda items, avis and postponements.
    items: list[AgendaItem] = []
    avis_list: list[Avis] = []
    positions: dict[int, int] = {}
    decisions = [Avis.IciDecision.CONTINUE, Avis.IciDecision.HOLD, Avis.IciDecision.STOP]
    for (index, _submitted, urgent, postponed), case in zip(plans, cases, strict=True):
        meeting = held[index]
        if postponed:
            positions[meeting.pk] = positions.get(meeting.pk, 0) + 1
            items.append(
                AgendaItem(
                    meeting=meeting,
                    case=case,
                    kind=AgendaItem.Kind.STANDARD,
                    position=positions[meeting.pk],
                    outcome=AgendaItem.Outcome.POSTPONED,
                    postponed_reason="Référent de l'organe absent",
                )
            )
            meeting = held[index + 1]
        positions[meeting.pk] = positions.get(meeting.pk, 0) + 1
        decision = rng.choices([*decisions, ""], weights=[30, 35, 30, 5])[0]
        steroids = rng.random() < 0.45
        avis = Avis(
            case=case,
            meeting_at=meeting.starts_at,
            state=Avis.State.VALIDATED,
            answer="Avis de la RCP (démonstration).",
            ici_decision=decision,
            rechallenge=rng.choices(list(Avis.Rechallenge.values), weights=[45, 35, 20])[0],
            steroids=steroids,
            steroids_dose="1 mg/kg/j de prednisone" if steroids else "",
            other_immunosuppressant="Infliximab" if rng.random() < 0.15 else "",
            hospitalisation=urgent or rng.random() < 0.1,
            declare_pv=rng.random() < 0.4,
            drafted_by=coordinators[0],
            validated_by=coordinators[0],
            validated_at=meeting.ends_at + dt.timedelta(minutes=5),
        )
        avis_list.append(avis)
        items.append(
            AgendaItem(
                meeting=meeting,
                case=case,
                kind=AgendaItem.Kind.URGENT if urgent else AgendaItem.Kind.STANDARD,
                position=positions[meeting.pk],
                outcome=AgendaItem.Outcome.DISCUSSED,
            )
        )
    Avis.objects.bulk_create(avis_list)
    by_case = {a.case_id: a for a in avis_list}
    for item in items:
        if item.outcome == AgendaItem.Outcome.DISCUSSED:
            item.avis = by_case[item.case.pk]
    AgendaItem.objects.bulk_create(items)

    # Pharmacovigilance follow-ups of the avis to declare: most declared within days or weeks.
    follow_ups: list[PvFollowUp] = []
    for toxicity in toxicities:
        avis = by_case[toxicity.case.pk]
        if not avis.declare_pv or avis.validated_at is None:
            continue
        opened = avis.validated_at
        roll = rng.random()
        status = PvStatus.DECLARED if roll < 0.7 else PvStatus.TO_DECLARE if roll < 0.85 else PvStatus.NOT_TO_DECLARE
        declared_on = timezone.localtime(opened).date() + dt.timedelta(days=rng.randint(1, 45))
        if status == PvStatus.DECLARED and declared_on > timezone.localdate():
            status = PvStatus.TO_DECLARE
        follow_ups.append(
            PvFollowUp(
                toxicity=toxicity,
                status=status,
                created_at=opened,
                declared_on=declared_on if status == PvStatus.DECLARED else None,
                crpv_reference=f"NY{opened:%y}{toxicity.pk:05d}" if status == PvStatus.DECLARED else "",
                declarer=crpv if status == PvStatus.DECLARED else None,
                not_declare_reason="Effet attendu déjà déclaré" if status == PvStatus.NOT_TO_DECLARE else "",
            )
        )
    PvFollowUp.objects.bulk_create(follow_ups)
    PvFollowUp.objects.filter(pk__in=[f.pk for f in follow_ups]).update(status_changed_at=now)
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(created_at=F("submitted_at"))
    if stdout is not None:
        stdout.write(
            f"Activité de l'année : {len(held)} réunions validées, {len(meetings) - len(held)} annulées, "
            f"{len(cases)} demandes, {len(follow_ups)} suivis de pharmacovigilance."
        )
    return len(cases)
