"""Demo of a meeting already held and validated (invented patients and people only). Idempotent.

Last week's Wednesday 17:00 meeting: four discussed requests (two from clinicien@demo.tigre), attendance
taken, one avis per case, validated by coordinateur@demo.tigre; two toxicities flagged "to declare" to the
CRPV. Also invites referent@demo.tigre and crpv@demo.tigre to the coming meeting so that their *Mes réunions* has
content.
Everything goes through the real services (requests, agenda, session), then times are set back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from cases.models import (
    Avis,
    Case,
    CaseStatus,
    Drug,
    ImmunotherapyLine,
    Patient,
    RequestReason,
    StatusChange,
    Urgency,
)
from cases.services import case_create, case_submit
from cases.workflow import case_transition
from referents.models import Coverage, OrganCategory, Referent, ToxicityEvent
from tigre.accounts.models import Centre, Title, User
from tigre.accounts.roles import Role
from tigre.lib.validators import ins_key

from .agenda.services import agenda_add_case
from .models import AgendaItem, Meeting, Participant
from .selectors import next_meeting
from .session.selectors import quorum_status
from .session.services import attendance_set, avis_save, meeting_validate

PARIS = ZoneInfo("Europe/Paris")
CLAIRE = "clinicien@demo.tigre"
COORDINATOR = "coordinateur@demo.tigre"
SECRETARIAT = "secretariat@demo.tigre"
KELLER = "referent@demo.tigre"
CRPV = "crpv@demo.tigre"

# Other requesters (the same invented clinicians as the requests demo; created here if it did not run).
CLINICIANS = {
    "dr.schmitt@demo.tigre": ("Julien", "Schmitt", "oncology", "CHR Metz-Thionville"),
    "dr.weber@demo.tigre": ("Marc", "Weber", "dermatology", "Hôpitaux civils de Colmar"),
}
# Invented referents used only if the directory demo did not run: (email, first, last, specialty, category).
FALLBACK_REFERENTS = [
    ("dr.garnier@demo.tigre", "Lucie", "Garnier", "gastroenterology", "gastrointestinal"),
    ("dr.perrin@demo.tigre", "Yann", "Perrin", "pulmonology", "lung"),
    ("dr.collet@demo.tigre", "Agnès", "Collet", "endocrinology", "endocrine"),
    ("dr.hoffmann@demo.tigre", "Nicolas", "Hoffmann", "cardiology", "heart"),
]


@dataclass(frozen=True)
class HeldCase:
    requester: str
    nir: str  # 13 characters; the key is computed
    birth_name: str
    first_names: str
    sex: str
    birth_date: dt.date
    site: tuple[str, str, str]
    drugs: list[str]
    regimen: str
    event: str
    grade: int
    question: str
    avis: dict[str, Any]
    # Given on the urgent TAG track before the meeting (by a referent of the case's organ), ratified at it.
    urgent_opinion: str = ""
    # The organ's referent was absent: the avis was given anyway, for this reason.
    organ_exception: str = ""


HELD_CASES = [
    HeldCase(
        CLAIRE,
        "1560557123456",
        "Marchal",
        "Bernard",
        "M",
        dt.date(1956, 5, 17),
        ("C43", "Mélanome", "Mélanome nodulaire"),
        ["ipilimumab", "nivolumab"],
        ImmunotherapyLine.Regimen.ICI_ICI,
        "colitis",
        3,
        "Colite grade 3 corticorésistante après 48 h de méthylprednisolone : infliximab ? Reprise du nivolumab seul ?",
        {
            "answer": "Colite immuno-induite grade 3 corticorésistante : infliximab 5 mg/kg, à renouveler à J14 si "
            "besoin. Arrêt définitif de l'ipilimumab ; reprise du nivolumab seul à discuter après résolution "
            "complète et sevrage des corticoïdes.",
            "ici_decision": Avis.IciDecision.HOLD,
            "rechallenge": Avis.Rechallenge.POSSIBLE,
            "steroids": True,
            "steroids_dose": "méthylprednisolone 2 mg/kg/j puis décroissance sur 6 semaines",
            "other_immunosuppressant": "infliximab 5 mg/kg",
            "further_tests": "Coloscopie avec biopsies ; recherche de CMV sur biopsies ; calprotectine fécale.",
            "hospitalisation": True,
            "specialist_consultation": "Gastro-entérologie",
            "follow_up_days": 28,
            "declare_pv": True,
            "conformity": Avis.Conformity.CONFORMING,
            "conformity_reference": "ESMO 2022, colite grade 3 corticorésistante (infliximab)",
        },
    ),
    HeldCase(
        "dr.schmitt@demo.tigre",
        "2490854123789",
        "Kieffer",
        "Odile",
        "F",
        dt.date(1949, 8, 3),
        ("C34", "Poumon", "Carcinome épidermoïde"),
        ["pembrolizumab"],
        ImmunotherapyLine.Regimen.MONO,
        "pericarditis",
        2,
        "Péricardite grade 2 sous pembrolizumab : poursuite possible sous colchicine ?",
        {
            "answer": "Péricardite imputable au pembrolizumab. Suspension de l'immunothérapie, colchicine et "
            "prednisone 0,5 mg/kg/j ; IRM cardiaque pour éliminer une myocardite associée. Reprise non "
            "recommandée en cas d'atteinte myocardique.",
            "ici_decision": Avis.IciDecision.HOLD,
            "rechallenge": Avis.Rechallenge.NOT_DISCUSSED,
            "steroids": True,
            "steroids_dose": "prednisone 0,5 mg/kg/j",
            "further_tests": "IRM cardiaque, troponine et CPK hebdomadaires, ECG.",
            "specialist_consultation": "Cardiologie",
            "follow_up_days": 21,
            "declare_pv": True,
            "conformity": Avis.Conformity.CONFORMING,
            "conformity_reference": "ESMO 2022, péricardite",
            "urgent_ratification": Avis.UrgentRatification.AMENDED,
            "urgent_amendment": "Suspension du pembrolizumab maintenue ; prednisone 0,5 mg/kg/j ajoutée à la "
            "colchicine ; IRM cardiaque avant toute reprise.",
        },
        urgent_opinion="Péricardite sans tamponnade, troponine normale : suspendre le pembrolizumab, colchicine "
        "0,5 mg × 2/j, échographie cardiaque sous 48 h. Ratification à la prochaine RCP.",
    ),
    HeldCase(
        CLAIRE,
        "1671067123321",
        "Thiébaut",
        "Gilles",
        "M",
        dt.date(1967, 10, 9),
        ("C64", "Rein", "Carcinome rénal à cellules claires"),
        ["nivolumab"],
        ImmunotherapyLine.Regimen.MONO,
        "hypophysitis",
        2,
        "Hypophysite avec insuffisance corticotrope : peut-on poursuivre le nivolumab sous hydrocortisone ?",
        {
            "answer": "Hypophysite avec insuffisance corticotrope isolée : hydrocortisone substitutive au long cours, "
            "éducation du patient (carte, adaptation en cas de stress). Le nivolumab peut être poursuivi.",
            "ici_decision": Avis.IciDecision.CONTINUE,
            "rechallenge": Avis.Rechallenge.NOT_DISCUSSED,
            "further_tests": "Cortisol de 8 h et ACTH à 3 mois ; bilan thyréotrope et gonadotrope.",
            "specialist_consultation": "Endocrinologie",
            "follow_up_days": 90,
            "declare_pv": False,
            "conformity": Avis.Conformity.TRIAL,
            "trial_name": "HYPOPHYS-IO (essai fictif de démonstration)",
        },
    ),
    HeldCase(
        "dr.weber@demo.tigre",
        "2580368123654",
        "Noël",
        "Chantal",
        "F",
        dt.date(1958, 3, 21),
        ("C34", "Poumon", "Adénocarcinome"),
        ["durvalumab"],
        ImmunotherapyLine.Regimen.MONO,
        "pneumonitis",
        2,
        "Pneumopathie grade 2 sous durvalumab en consolidation : reprise après corticothérapie ?",
        {
            "answer": "Pneumopathie interstitielle grade 2 : prednisone 1 mg/kg/j avec décroissance sur 6 semaines. "
            "Reprise du durvalumab possible après résolution clinique et radiologique, sous surveillance.",
            "ici_decision": Avis.IciDecision.HOLD,
            "rechallenge": Avis.Rechallenge.POSSIBLE,
            "steroids": True,
            "steroids_dose": "prednisone 1 mg/kg/j",
            "further_tests": "Scanner thoracique à 4 semaines, EFR avec DLCO.",
            "specialist_consultation": "Pneumologie",
            "follow_up_days": 35,
            "declare_pv": False,
            "conformity": Avis.Conformity.NOT_CONFORMING,
            "conformity_reason": "Reprise envisagée malgré une pneumopathie grade 2 : bénéfice de la consolidation "
            "jugé prioritaire.",
        },
        organ_exception="Pneumologue excusé ; scanner relu en séance par le radiologue, avis pneumologique écrit "
        "joint au dossier.",
    ),
]


# An accepted heart request from a CHRU de Nancy clinician: when the secretariat builds the coming agenda, the
# directory picks the Nancy cardiology referent (referent@demo.tigre) for it, so the referents' view has content.
NANCY_CLINICIAN = ("dr.roussel@demo.tigre", "Camille", "Roussel", "oncology", "CHRU de Nancy")
COMING_CASE = HeldCase(
    NANCY_CLINICIAN[0],
    "1610454123987",
    "Schaller",
    "Robert",
    "M",
    dt.date(1961, 4, 14),
    ("C67", "Vessie", "Carcinome urothélial"),
    ["pembrolizumab"],
    ImmunotherapyLine.Regimen.MONO,
    "arrhythmia",
    2,
    "Bloc auriculo-ventriculaire du 1er degré apparu sous pembrolizumab, troponine normale : faut-il suspendre "
    "l'immunothérapie et quel bilan cardiologique ?",
    {},
)


def last_wednesday(today: dt.date) -> dt.date:
    """The Wednesday of last week's meeting: strictly before today (7 days ago on a Wednesday)."""
    return today - dt.timedelta(days=(today.weekday() - 2) % 7 or 7)


def _ins(nir: str) -> str:
    return f"{nir}{ins_key(nir):02d}"


def _user(email: str, first: str, last: str, specialty: str, centre: Centre | None, password: str, role: str) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"first_name": first, "last_name": last, "title": Title.DR, "specialty": specialty, "centre": centre},
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get_or_create(name=str(role))[0])
    return user


def _ensure_referents(password: str) -> None:
    """Referents covering the demo cases' organs: those of the directory demo, else a few invented ones."""
    categories = {c.code: c for c in OrganCategory.objects.filter(code__in=[r[4] for r in FALLBACK_REFERENTS])}
    nancy = Centre.objects.filter(name="CHRU de Nancy").first() or Centre.objects.first()
    for email, first, last, specialty, code in FALLBACK_REFERENTS:
        category = categories.get(code)
        if category is None or Coverage.objects.filter(category=category, referent__is_active=True).exists():
            continue
        user = _user(email, first, last, specialty, nancy, password, Role.REFERENT)
        referent, _created = Referent.objects.get_or_create(
            user=user, defaults={"specialty": specialty, "centre": nancy}
        )
        Coverage.objects.get_or_create(referent=referent, category=category)


def _meeting(day: dt.date, coordinator: User) -> Meeting:
    starts = dt.datetime.combine(day, dt.time(17, 0), tzinfo=PARIS)
    meeting = Meeting.objects.filter(starts_at=starts).first() or Meeting.objects.filter(planned_date=day).first()
    if meeting is None:
        template = settings.TIGRE.get("VIDEO_URL_TEMPLATE", "https://visio.tigre.invalid/rcp-{date}")
        meeting = Meeting.objects.create(
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=settings.TIGRE.get("MEETING_DURATION_MINUTES", 90)),
            planned_date=day,
            video_url=template.format(date=day.isoformat()),
        )
    meeting.coordinators.add(coordinator)
    return meeting


def _create_case(spec: HeldCase, requester: User, secretariat: User, on: dt.date) -> Case:
    drugs = list(Drug.objects.filter(name__in=spec.drugs))
    event = ToxicityEvent.objects.get(code=spec.event)
    case = case_create(
        by=requester,
        patient={
            "birth_name": spec.birth_name,
            "first_names": spec.first_names,
            "sex": spec.sex,
            "birth_date": spec.birth_date,
            "ins": _ins(spec.nir),
            "ins_status": Patient.InsStatus.RECOVERED,
        },
        fields={
            "primary_site": spec.site[0],
            "primary_site_label": spec.site[1],
            "histology": spec.site[2],
            "stage": "IV",
            "performance_status": 1,
            "reason": RequestReason.COMPLEX_MANAGEMENT,
            "question": spec.question,
            "history": "HTA traitée. Pas de maladie auto-immune connue.",
            "patient_informed": True,
            "patient_informed_on": on - dt.timedelta(days=10),
        },
        lines=[
            {
                "drugs": drugs,
                "regimen": spec.regimen,
                "setting": ImmunotherapyLine.Setting.METASTATIC,
                "start_date": on - dt.timedelta(days=120),
                "last_dose_date": on - dt.timedelta(days=16),
                "cycles": 6,
                "status": ImmunotherapyLine.LineStatus.HELD,
            }
        ],
        toxicities=[
            {
                "event": event,
                "grade": spec.grade,
                "onset_date": on - dt.timedelta(days=12),
                "description": f"{event.label} de grade {spec.grade}.",
                "management_hold": True,
                "management_notes": "ICI suspendu, bilan en cours.",
            }
        ],
    )
    case_submit(case=case, by=requester)
    case_transition(case=case, to=CaseStatus.ACCEPTED, by=secretariat)
    return case


def _organ_referents(case: Case) -> list[User]:
    """The active referents covering the organ categories of the case's toxicities."""
    categories = case.toxicities.values("event__category")
    return [
        c.referent.user
        for c in Coverage.objects.filter(category__in=categories, referent__is_active=True).select_related(
            "referent__user"
        )
    ]


def _urgent_opinion(case: Case, spec: HeldCase, meeting: Meeting) -> None:
    """The urgent TAG track as it went: alerted two days before the meeting, taken and answered by a referent of
    the organ (the urgent services' effects, set directly at the past times)."""
    author = next(iter(_organ_referents(case)), None) or User.objects.get(email=COORDINATOR)
    alerted = meeting.starts_at - dt.timedelta(days=2, hours=5)
    Case.objects.filter(pk=case.pk).update(
        urgency=Urgency.URGENT,
        urgency_reason="Douleur thoracique, frottement péricardique sous pembrolizumab.",
        urgent_alerted_at=alerted,
        urgent_acknowledged_by=author,
        urgent_acknowledged_at=alerted + dt.timedelta(minutes=25),
        urgent_opinion=spec.urgent_opinion,
        urgent_opinion_at=alerted + dt.timedelta(minutes=70),
        urgent_opinion_by=author,
    )
    case.refresh_from_db()


def _exception_referents(meeting: Meeting) -> set[int]:
    """The invited referents of the cases given an avis without their organ's referent (marked absent)."""
    specs = {_ins(spec.nir): spec for spec in HELD_CASES}
    away: set[int] = set()
    for item in AgendaItem.objects.filter(meeting=meeting).select_related("case__patient"):
        spec = specs.get(item.case.patient.ins)
        if spec is not None and spec.organ_exception:
            away |= {u.pk for u in _organ_referents(item.case)}
    return away


def _set_back(cases: list[Case], meeting: Meeting) -> None:
    """Put the history where it belongs: submitted ~9 days before, discussed and validated at the meeting."""
    start = meeting.starts_at
    for n, case in enumerate(cases):
        submitted = start - dt.timedelta(days=9, hours=n * 3)
        changes = list(StatusChange.objects.filter(case=case).order_by("at", "pk"))
        for i, change in enumerate(changes):
            if change.to_status in (CaseStatus.DISCUSSED, CaseStatus.AVIS_VALIDATED):
                at = start + dt.timedelta(minutes=10 * n + (8 if change.to_status == CaseStatus.DISCUSSED else 85))
            else:
                at = submitted + dt.timedelta(hours=20 * i)
            StatusChange.objects.filter(pk=change.pk).update(at=at)
        Case.objects.filter(pk=case.pk).update(
            created_at=submitted - dt.timedelta(minutes=30), submitted_at=submitted, updated_at=start
        )
    validated_at = meeting.ends_at - dt.timedelta(minutes=5)
    Meeting.objects.filter(pk=meeting.pk).update(validated_at=validated_at)
    Avis.objects.filter(agenda_item__meeting=meeting).update(validated_at=validated_at)


def _coming_case(password: str, secretariat: User) -> Case | None:
    """The accepted heart request waiting for the coming agenda (created once)."""
    ins = _ins(COMING_CASE.nir)
    if Patient.objects.filter(ins=ins).exists() or not ToxicityEvent.objects.filter(code=COMING_CASE.event).exists():
        return None
    email, first, last, specialty, centre_name = NANCY_CLINICIAN
    requester = _user(
        email, first, last, specialty, Centre.objects.filter(name=centre_name).first(), password, Role.CLINICIAN
    )
    return _create_case(COMING_CASE, requester, secretariat, timezone.localdate())


def _invite_to_next_meeting() -> Meeting | None:
    """The cardiology referent and the CRPV, invited to the coming meeting as its agenda's build would (the CRPV
    attends every meeting): their *Mes réunions* has content before the secretariat builds the agenda."""
    upcoming = next_meeting(after=timezone.now())
    if upcoming is None:
        return None
    for email, role in ((KELLER, Participant.Role.REFERENT), (CRPV, Participant.Role.PHARMACOVIGILANCE)):
        user = User.objects.filter(email=email).first()
        if user is not None:
            Participant.objects.get_or_create(meeting=upcoming, user=user, defaults={"role": role, "invited": True})
    return upcoming


def load(*, password: str, stdout: Any = None) -> Meeting | None:
    users = {u.email: u for u in User.objects.filter(email__in=[CLAIRE, COORDINATOR, SECRETARIAT])}
    if len(users) < 3:
        raise RuntimeError("Run tigre.accounts.demo:load first (demo accounts are missing).")
    coordinator, secretariat = users[COORDINATOR], users[SECRETARIAT]

    held = Meeting.objects.filter(
        items__case__patient__ins=_ins(HELD_CASES[0].nir), status=Meeting.Status.VALIDATED
    ).first()
    if held is None:
        centres = {c.name: c for c in Centre.objects.all()}
        for email, (first, last, specialty, centre) in CLINICIANS.items():
            users[email] = _user(email, first, last, specialty, centres.get(centre), password, Role.CLINICIAN)
        _ensure_referents(password)
        day = last_wednesday(timezone.localdate())
        meeting = _meeting(day, coordinator)
        cases = [_create_case(spec, users[spec.requester], secretariat, day) for spec in HELD_CASES]
        for spec, case in zip(HELD_CASES, cases, strict=True):
            kind = None
            if spec.urgent_opinion:
                _urgent_opinion(case, spec, meeting)
                kind = AgendaItem.Kind.URGENT_RATIFICATION
            agenda_add_case(meeting=meeting, case=case, by=secretariat, placed_manually=False, kind=kind)
        # Attendance: everyone invited was there, but the referent of the organ of an exception.
        away = _exception_referents(meeting)
        for participant in Participant.objects.filter(meeting=meeting).select_related("user"):
            there = participant.user_id not in away
            attendance_set(meeting=meeting, participant=participant, present=there, by=secretariat)
        quorum = quorum_status(meeting=meeting)
        present = [p.user for p in Participant.objects.filter(meeting=meeting, present=True).select_related("user")]
        coverage = {
            (user_id, category_id)
            for user_id, category_id in Coverage.objects.filter(referent__user__in=present).values_list(
                "referent__user_id", "category_id"
            )
        }
        specs = {_ins(spec.nir): spec for spec in HELD_CASES}
        items = AgendaItem.objects.filter(meeting=meeting).select_related("case__patient").order_by("position")
        for item in items:
            spec = specs[item.case.patient.ins]
            category_ids = {c.pk for c in quorum.items[item.pk].categories}
            contributors = [coordinator] + [u for u in present if any((u.pk, c) in coverage for c in category_ids)]
            data = dict(spec.avis)
            if spec.organ_exception:
                data["organ_exception_reason"] = spec.organ_exception
            follow_up_days = data.pop("follow_up_days")
            data["follow_up_date"] = day + dt.timedelta(days=follow_up_days)
            avis_save(item=item, by=coordinator, data=data, contributors=contributors)
        meeting_validate(meeting=meeting, by=coordinator)
        _set_back(cases, meeting)
        held = Meeting.objects.get(pk=meeting.pk)
        if stdout is not None:
            stdout.write(f"Séance : RCP du {day:%d/%m/%Y} tenue et validée ({len(cases)} avis).\n")
    _coming_case(password, secretariat)
    upcoming = _invite_to_next_meeting()
    if stdout is not None and upcoming is not None:
        day = timezone.localtime(upcoming.starts_at)
        stdout.write(f"Séance : {KELLER} et {CRPV} invités à la RCP du {day:%d/%m/%Y}.\n")
    return held
