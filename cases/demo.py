"""Demo requests (invented patients and clinicians only). Called by `manage.py load_demo`; idempotent.

About 14 cases in every state the clinician's space and the secretariat need: 2 drafts, 3 submitted (one
urgent grade 4 myocarditis), 1 information requested (with the secretariat's question), 6 accepted before the
coming cut-off (so next Wednesday's agenda can be built), 1 declined, 1 withdrawn. Each moves through the
real services, so the status history is consistent; times are then set a few days back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group
from django.utils import timezone

from referents.models import ToxicityEvent
from tigre.accounts.models import Centre, Title, User
from tigre.accounts.roles import Role
from tigre.lib.specialties import Specialty
from tigre.lib.validators import ins_key

from .models import (
    Case,
    CaseMessage,
    CaseStatus,
    Drug,
    ImmunotherapyLine,
    Patient,
    RequestReason,
    Sex,
    StatusChange,
    Urgency,
)
from .services import case_create, case_submit, case_withdraw
from .workflow import case_transition

# (email, first name, last name, specialty, centre)
DEMO_CLINICIANS = [
    ("dr.schmitt@demo.tigre", "Julien", "Schmitt", Specialty.ONCOLOGY, "CHR Metz-Thionville"),
    ("dr.lambert@demo.tigre", "Hélène", "Lambert", Specialty.PULMONOLOGY, "CH de Troyes"),
    ("dr.weber@demo.tigre", "Marc", "Weber", Specialty.DERMATOLOGY, "Hôpitaux civils de Colmar"),
]

S = CaseStatus
L = ImmunotherapyLine


@dataclass
class DemoCase:
    requester: str
    nir: str  # 13 characters; the key is computed
    birth_name: str
    first_names: str
    sex: str
    birth_date: dt.date
    site: tuple[str, str, str]  # ICD-10, label, histology
    drugs: list[str]
    regimen: str
    start_days_ago: int
    toxicities: list[tuple[str, int, int]]  # (event code, grade, onset days ago)
    reason: str
    question: str
    status: str
    days_ago: int  # when it was submitted (or last edited, for a draft)
    urgent_reason: str = ""
    steroids: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


CLAIRE = "clinicien@demo.tigre"
Q_RECHALLENGE = "Une reprise du pembrolizumab est-elle envisageable après résolution de la colite ?"

DEMO_CASES: list[DemoCase] = [
    # Drafts
    DemoCase(
        CLAIRE,
        "2620351234567",
        "Gauthier",
        "Monique",
        Sex.FEMALE,
        dt.date(1962, 3, 8),
        ("C34", "Poumon", "Adénocarcinome"),
        ["pembrolizumab"],
        L.Regimen.ICI_CHEMO,
        120,
        [("pneumonitis", 2, 6)],
        RequestReason.COMPLEX_MANAGEMENT,
        "",
        S.DRAFT,
        1,
    ),
    DemoCase(
        CLAIRE,
        "1550857123456",
        "Perrin",
        "Jacques",
        Sex.MALE,
        dt.date(1955, 8, 21),
        ("C43", "Mélanome cutané", "Mélanome à extension superficielle"),
        ["nivolumab", "ipilimumab"],
        L.Regimen.ICI_ICI,
        60,
        [],
        RequestReason.PRE_EXISTING,
        "Polyarthrite rhumatoïde sous méthotrexate : l'association nivolumab + ipilimumab est-elle raisonnable ?",
        S.DRAFT,
        0,
    ),
    # Submitted
    DemoCase(
        CLAIRE,
        "1480451987654",
        "Marchal",
        "Henri",
        Sex.MALE,
        dt.date(1948, 5, 2),
        ("C43", "Mélanome métastatique", "Mélanome nodulaire"),
        ["nivolumab", "ipilimumab"],
        L.Regimen.ICI_ICI,
        28,
        [("myocarditis", 4, 2), ("myositis", 2, 3)],
        RequestReason.COMPLEX_MANAGEMENT,
        "Myocardite grade 4 avec myosite sous nivolumab + ipilimumab : quelle immunosuppression en plus des "
        "bolus de méthylprednisolone ?",
        S.SUBMITTED,
        0,
        urgent_reason="Myocardite grade 4 (troponine en hausse, BAV), patient en USIC.",
        steroids="10",
    ),
    DemoCase(
        "dr.schmitt@demo.tigre",
        "2700657111222",
        "Klein",
        "Sandrine",
        Sex.FEMALE,
        dt.date(1970, 6, 14),
        ("C64", "Rein", "Carcinome à cellules claires"),
        ["pembrolizumab"],
        L.Regimen.ICI_TARGETED,
        150,
        [("hepatitis", 2, 10)],
        RequestReason.CAUSALITY,
        "Cytolyse grade 2 sous pembrolizumab + axitinib : hépatite immuno-induite ou toxicité de l'axitinib ?",
        S.SUBMITTED,
        1,
    ),
    DemoCase(
        "dr.weber@demo.tigre",
        "1660268333444",
        "Muller",
        "Bernard",
        Sex.MALE,
        dt.date(1966, 2, 3),
        ("C44", "Carcinome épidermoïde cutané", "Carcinome épidermoïde"),
        ["cemiplimab"],
        L.Regimen.MONO,
        200,
        [("maculopapular-rash", 2, 20), ("pruritus", 2, 20)],
        RequestReason.COMPLEX_MANAGEMENT,
        "Éruption persistante malgré dermocorticoïdes : faut-il suspendre le cémiplimab ?",
        S.SUBMITTED,
        2,
    ),
    # Information requested
    DemoCase(
        CLAIRE,
        "2590151555666",
        "Fontaine",
        "Lucie",
        Sex.FEMALE,
        dt.date(1959, 1, 30),
        ("C50", "Sein triple négatif", "Carcinome canalaire infiltrant"),
        ["pembrolizumab"],
        L.Regimen.ICI_CHEMO,
        90,
        [("hypophysitis", 2, 12)],
        RequestReason.COMPLEX_MANAGEMENT,
        "Hypophysite : peut-on poursuivre le pembrolizumab sous hormonothérapie substitutive ?",
        S.INFO_REQUESTED,
        4,
    ),
    # Accepted (before the coming cut-off)
    DemoCase(
        CLAIRE,
        "1520751777888",
        "Lefebvre",
        "André",
        Sex.MALE,
        dt.date(1952, 7, 11),
        ("C34", "Poumon", "Carcinome épidermoïde"),
        ["pembrolizumab"],
        L.Regimen.MONO,
        240,
        [("colitis", 3, 15)],
        RequestReason.RECHALLENGE,
        Q_RECHALLENGE,
        S.ACCEPTED,
        5,
        steroids="1.5",
    ),
    DemoCase(
        CLAIRE,
        "2680910999000",
        "Roussel",
        "Nathalie",
        Sex.FEMALE,
        dt.date(1968, 9, 5),
        ("C43", "Mélanome", "Mélanome acral"),
        ["nivolumab"],
        L.Regimen.MONO,
        300,
        [("arthritis", 2, 40)],
        RequestReason.COMPLEX_MANAGEMENT,
        "Polyarthrite persistante sous nivolumab adjuvant : méthotrexate possible ?",
        S.ACCEPTED,
        6,
    ),
    DemoCase(
        "dr.schmitt@demo.tigre",
        "1610457222333",
        "Becker",
        "Thierry",
        Sex.MALE,
        dt.date(1961, 4, 19),
        ("C67", "Vessie", "Carcinome urothélial"),
        ["avelumab"],
        L.Regimen.MONO,
        180,
        [("nephritis", 2, 9)],
        RequestReason.CAUSALITY,
        "Insuffisance rénale aiguë sous avélumab : néphrite immuno-induite ? Biopsie rénale utile ?",
        S.ACCEPTED,
        3,
    ),
    DemoCase(
        "dr.lambert@demo.tigre",
        "2750410444555",
        "Michel",
        "Caroline",
        Sex.FEMALE,
        dt.date(1975, 4, 27),
        ("C34", "Poumon", "Adénocarcinome"),
        ["durvalumab"],
        L.Regimen.MONO,
        150,
        [("pneumonitis", 3, 8)],
        RequestReason.COMPLEX_MANAGEMENT,
        "Pneumopathie grade 3 sous durvalumab après radio-chimiothérapie : corticorésistance, quelle suite ?",
        S.ACCEPTED,
        2,
        steroids="2",
    ),
    DemoCase(
        "dr.weber@demo.tigre",
        "1580368666777",
        "Schneider",
        "Paul",
        Sex.MALE,
        dt.date(1958, 3, 16),
        ("C43", "Mélanome", "Mélanome nodulaire"),
        ["nivolumab", "relatlimab"],
        L.Regimen.ICI_ICI,
        120,
        [("uveitis", 2, 14)],
        RequestReason.COMPLEX_MANAGEMENT,
        "Uvéite antérieure sous nivolumab + relatlimab : poursuite possible sous traitement local ?",
        S.ACCEPTED,
        4,
    ),
    DemoCase(
        "dr.lambert@demo.tigre",
        "1690710888999",
        "Garnier",
        "Olivier",
        Sex.MALE,
        dt.date(1969, 7, 2),
        ("C34", "Poumon", "Carcinome à petites cellules"),
        ["atezolizumab"],
        L.Regimen.ICI_CHEMO,
        100,
        [("hypothyroidism", 1, 30)],
        RequestReason.OTHER,
        "Hypothyroïdie substituée : faut-il adapter la surveillance sous atézolizumab ?",
        S.ACCEPTED,
        1,
    ),
    # Declined, withdrawn
    DemoCase(
        CLAIRE,
        "2810151121314",
        "Dupont",
        "Élise",
        Sex.FEMALE,
        dt.date(1981, 1, 9),
        ("C18", "Côlon MSI", "Adénocarcinome"),
        ["pembrolizumab"],
        L.Regimen.MONO,
        60,
        [("diarrhoea", 1, 5)],
        RequestReason.OTHER,
        "Diarrhée grade 1 : avis souhaité.",
        S.DECLINED,
        8,
    ),
    DemoCase(
        "dr.schmitt@demo.tigre",
        "1730657151617",
        "Roux",
        "Laurent",
        Sex.MALE,
        dt.date(1973, 6, 22),
        ("C43", "Mélanome", "Mélanome à extension superficielle"),
        ["pembrolizumab"],
        L.Regimen.MONO,
        80,
        [("colitis", 2, 7)],
        RequestReason.COMPLEX_MANAGEMENT,
        "Colite grade 2 : budésonide suffisant ?",
        S.WITHDRAWN,
        9,
    ),
]

SECRETARIAT_QUESTION = (
    "Bonjour Docteur, pourriez-vous préciser le bilan hormonal (cortisol de 8 h, TSH, T4L) et joindre l'IRM "
    "hypophysaire ? Merci."
)


def _user(email: str, first: str, last: str, specialty: str, centre: Centre | None, password: str) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "first_name": first,
            "last_name": last,
            "title": Title.DR,
            "specialty": specialty,
            "centre": centre,
            "phone": "03 00 00 00 00",
        },
    )
    if created or not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get_or_create(name=str(Role.CLINICIAN))[0])
    return user


def _shift(case: Case, when: dt.datetime) -> None:
    """Put a demo case's history a few days back (queryset updates: no model save)."""
    changes = list(StatusChange.objects.filter(case=case).order_by("at", "pk"))
    for i, change in enumerate(changes):
        StatusChange.objects.filter(pk=change.pk).update(at=when + dt.timedelta(hours=2 * i))
    for i, msg in enumerate(CaseMessage.objects.filter(case=case).order_by("created_at", "pk")):
        CaseMessage.objects.filter(pk=msg.pk).update(created_at=when + dt.timedelta(hours=2 * i + 1))
    Case.objects.filter(pk=case.pk).update(
        created_at=when - dt.timedelta(minutes=25),
        submitted_at=when if case.submitted_at else None,
        updated_at=when + dt.timedelta(hours=2 * max(len(changes) - 1, 0)),
    )


def load(*, password: str, stdout: Any = None) -> list[Case]:
    centres = {c.name: c for c in Centre.objects.all()}
    users = {u.email: u for u in User.objects.filter(email__in=[CLAIRE, "secretariat@demo.tigre"])}
    if CLAIRE not in users:
        raise RuntimeError("Run tigre.accounts.demo:load first (clinicien@demo.tigre is missing).")
    for email, first, last, specialty, centre in DEMO_CLINICIANS:
        users[email] = _user(email, first, last, specialty, centres.get(centre), password)
    secretariat = users.get("secretariat@demo.tigre") or users[CLAIRE]
    drugs = {d.name: d for d in Drug.objects.all()}
    events = {e.code: e for e in ToxicityEvent.objects.all()}
    today = timezone.localdate()
    now = timezone.now()
    created = []
    # Oldest first, so that references follow submission times.
    for spec in sorted(DEMO_CASES, key=lambda c: -c.days_ago):
        ins = f"{spec.nir}{ins_key(spec.nir):02d}"
        if Patient.objects.filter(ins=ins, cases__requester__email=spec.requester).exists():
            continue  # already loaded
        requester = users[spec.requester]
        line = {
            "drugs": [drugs[name] for name in spec.drugs if name in drugs],
            "regimen": spec.regimen,
            "setting": L.Setting.METASTATIC,
            "start_date": today - dt.timedelta(days=spec.start_days_ago),
            "last_dose_date": today - dt.timedelta(days=min(spec.start_days_ago, 14)),
            "cycles": max(1, spec.start_days_ago // 21),
            "status": L.LineStatus.HELD if spec.toxicities else L.LineStatus.ONGOING,
        }
        toxicities = [
            {
                "event": events[code],
                "grade": grade,
                "onset_date": today - dt.timedelta(days=days),
                "description": f"{events[code].label} de grade {grade}.",
                "management_hold": grade >= 2,
                "steroids_mg_per_kg": spec.steroids,
                "management_notes": "Bilan en cours." if grade < 3 else "Hospitalisation, corticothérapie IV.",
                "line_index": 0,  # occurred under the (only) line: docs/domain.md#the-request
            }
            for code, grade, days in spec.toxicities
            if code in events
        ]
        case = case_create(
            by=requester,
            patient={
                "birth_name": spec.birth_name,
                "first_names": spec.first_names,
                "sex": spec.sex,
                "birth_date": spec.birth_date,
                "ins": ins,
                "ins_status": Patient.InsStatus.RECOVERED,
                "weight_kg": 70,
            },
            fields={
                "primary_site": spec.site[0],
                "primary_site_label": spec.site[1],
                "histology": spec.site[2],
                "stage": "IV",
                "performance_status": 1,
                "reason": spec.reason,
                "question": spec.question,
                "urgency": Urgency.URGENT if spec.urgent_reason else Urgency.STANDARD,
                "urgency_reason": spec.urgent_reason,
                "history": "HTA traitée.",
                "patient_informed": True,
                "patient_informed_on": today - dt.timedelta(days=spec.days_ago + 1),
            },
            lines=[line],
            toxicities=toxicities,
        )
        created.append(case)
        when = now - dt.timedelta(days=spec.days_ago, hours=3)
        if spec.status == S.DRAFT:
            Case.objects.filter(pk=case.pk).update(created_at=when, updated_at=when)
            continue
        case = case_submit(case=case, by=requester)
        if spec.status == S.INFO_REQUESTED:
            CaseMessage.objects.create(
                case=case, kind=CaseMessage.Kind.INFO_REQUEST, author=secretariat, body=SECRETARIAT_QUESTION
            )
            case_transition(case=case, to=S.INFO_REQUESTED, by=secretariat, reason="Bilan hormonal et IRM manquants")
        elif spec.status == S.ACCEPTED:
            case_transition(case=case, to=S.ACCEPTED, by=secretariat)
        elif spec.status == S.DECLINED:
            case_transition(
                case=case,
                to=S.DECLINED,
                by=secretariat,
                reason="Toxicité de grade 1 relevant de la prise en charge habituelle ; pas de question pour la RCP.",
            )
        elif spec.status == S.WITHDRAWN:
            case_withdraw(case=case, by=requester, reason="Résolution spontanée sous budésonide.")
        _shift(case, when)
    if stdout is not None:
        stdout.write(f"Demandes : {len(created)} demandes de démonstration créées.\n")
    return created
