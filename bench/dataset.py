"""A synthetic, reproducible dataset for the benchmark, loaded with bulk inserts.

Default size: 3 CHUs and 20 hospitals, 50 referents, 100,000 historical requests with 1-3 drugs and 1-3
toxicities each, 500 past meetings, and a next meeting with 60 accepted requests. Invented people only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from cases.models import (
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
from meetings.models import AgendaItem, Meeting
from referents.models import Coverage, OrganCategory, Referent, ToxicityEvent
from tigre.accounts.models import Centre, User
from tigre.accounts.roles import Role

PARIS = ZoneInfo("Europe/Paris")
BENCH_PASSWORD = "bench-password-not-for-production"  # noqa: S105 (synthetic bench accounts)
BENCH_DOMAIN = "bench.tigre"
# Bumped whenever the generated data changes: a database loaded by an older version is loaded again.
DATASET_VERSION = 2

LAST_NAMES = [
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefèvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Müller",
    "Lefebvre",
    "Faure",
    "André",
]
FIRST_NAMES = [
    "Jeanne",
    "Louis",
    "Camille",
    "Hélène",
    "Étienne",
    "Chloé",
    "Mathéo",
    "Zoé",
    "Noël",
    "Maëlle",
    "François",
    "Agnès",
    "Jérôme",
    "Inès",
    "Benoît",
    "Léa",
    "Gaëlle",
    "Loïc",
    "Anaïs",
    "Raphaël",
]


@dataclass(frozen=True)
class Size:
    cases: int = 100_000
    past_meetings: int = 500
    next_meeting_cases: int = 60
    clinicians: int = 400
    heavy_clinician_cases: int = 200
    referents: int = 50
    hospitals: int = 20
    open_cases: int = 600

    @classmethod
    def tiny(cls) -> Size:
        return cls(
            cases=300,
            past_meetings=12,
            next_meeting_cases=12,
            clinicians=10,
            heavy_clinician_cases=20,
            referents=15,
            hospitals=4,
            open_cases=30,
        )


@dataclass
class Dataset:
    size: Size
    seed: int
    next_meeting: Meeting
    heavy_clinician: User
    secretariat: User
    coordinator: User
    referent_users: list[User]
    sample_case: Case


def is_loaded(size: Size, seed: int) -> bool:
    marker = f"bench-{seed}-{size.cases}-{DATASET_VERSION}"
    meetings = Meeting.objects.filter(video_url__endswith=marker)
    # Loaded, and its next meeting (the first planned one) still ahead: else the agenda would be in the past.
    return (
        meetings.exists()
        and not meetings.filter(status=Meeting.Status.PLANNED, starts_at__date__lt=timezone.localdate()).exists()
    )


def _wipe() -> None:
    """Empty every table of the project (the bench database only)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'django_migrations'"
            " AND tablename NOT IN ('django_content_type', 'auth_permission', 'auth_group',"
            " 'auth_group_permissions', 'referents_organcategory', 'referents_toxicityevent', 'cases_drug')"
        )
        tables = [row[0] for row in cursor.fetchall()]
        if tables:
            cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")


def _csv_value(field: Any, value: Any) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def copy_rows(model: Any, rows: list[dict[str, Any]]) -> None:
    """COPY rows (dicts keyed by attname, ids included) into the model's table; other columns get their
    model default. Then move the id sequence past the last id."""
    if not rows:
        return
    fields = list(model._meta.concrete_fields)
    defaults = {}
    for f in fields:
        if f.has_default():
            defaults[f.attname] = f.get_default()
        else:
            defaults[f.attname] = "" if f.empty_strings_allowed and not f.null else None
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = timezone.now()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([_csv_value(f, row.get(f.attname, defaults[f.attname])) for f in fields])
    buffer.seek(0)
    table = model._meta.db_table
    columns = ", ".join(f'"{f.column}"' for f in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY \"{table}\" ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)
        # Table names come from the models, never from input.
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT MAX(id) FROM \"{table}\"))"  # noqa: S608
        )


def next_wednesday(today: dt.date) -> dt.date:
    days = (2 - today.weekday()) % 7 or 7
    return today + dt.timedelta(days=days)


@transaction.atomic
def load(*, size: Size, seed: int, today: dt.date | None = None) -> Dataset:
    rng = random.Random(seed)  # noqa: S311 (reproducible synthetic data, not security)
    today = today or timezone.localdate()
    _wipe()
    groups = {g.name: g for g in Group.objects.all()}
    password = make_password(BENCH_PASSWORD)

    # Centres
    centres = [
        Centre(name="CHU de Reims", city="Reims", kind=Centre.Kind.COORDINATING_CHU),
        Centre(name="CHU de Strasbourg", city="Strasbourg", kind=Centre.Kind.COORDINATING_CHU),
        Centre(name="CHRU de Nancy", city="Nancy", kind=Centre.Kind.COORDINATING_CHU),
    ] + [Centre(name=f"Centre hospitalier n°{i + 1}", city=f"Ville {i + 1}") for i in range(size.hospitals)]
    Centre.objects.bulk_create(centres)

    # Users
    def person(i: int, prefix: str) -> User:
        return User(
            email=f"{prefix}{i}@{BENCH_DOMAIN}",
            first_name=FIRST_NAMES[i % len(FIRST_NAMES)],
            last_name=LAST_NAMES[(i * 7) % len(LAST_NAMES)],
            password=password,
            specialty="oncology",
            centre=centres[i % len(centres)],
        )

    clinicians = [person(i, "clinicien") for i in range(size.clinicians)]
    referent_users = [person(i, "referent") for i in range(size.referents)]
    secretariat = User(
        email=f"secretariat@{BENCH_DOMAIN}",
        first_name="Sophie",
        last_name="Secrétaire",
        password=password,
        centre=centres[2],
    )
    coordinators = [person(i, "coordinateur") for i in range(2)]
    crpv = User(
        email=f"crpv@{BENCH_DOMAIN}",
        first_name="Valérie",
        last_name="Pharmaco",
        password=password,
        specialty="pharmacology",
        centre=centres[2],
    )
    admin = User(
        email=f"admin@{BENCH_DOMAIN}",
        first_name="Adèle",
        last_name="Admin",
        password=password,
        is_staff=True,
        is_superuser=True,
    )
    User.objects.bulk_create([*clinicians, *referent_users, secretariat, *coordinators, crpv, admin])
    through = User.groups.through
    memberships = [through(user_id=u.pk, group_id=groups[Role.CLINICIAN].pk) for u in clinicians]
    memberships += [through(user_id=u.pk, group_id=groups[Role.REFERENT].pk) for u in referent_users]
    memberships += [through(user_id=u.pk, group_id=groups[Role.COORDINATOR].pk) for u in coordinators]
    memberships += [
        through(user_id=secretariat.pk, group_id=groups[Role.SECRETARIAT].pk),
        through(user_id=crpv.pk, group_id=groups[Role.PHARMACOVIGILANCE].pk),
        through(user_id=admin.pk, group_id=groups[Role.ADMINISTRATOR].pk),
    ]
    through.objects.bulk_create(memberships)

    # Referents: every category gets primaries and backups.
    categories = list(OrganCategory.objects.order_by("position"))
    referents = [
        Referent(
            user=u, specialty=categories[i % len(categories)].specialty, centre=centres[i % 3], phone="03 00 00 00 00"
        )
        for i, u in enumerate(referent_users)
    ]
    Referent.objects.bulk_create(referents)
    coverages = []
    for i, ref in enumerate(referents):
        coverages.append(
            Coverage(
                referent=ref,
                category=categories[i % len(categories)],
                rank=Coverage.Rank.PRIMARY if i < len(categories) * 2 else Coverage.Rank.BACKUP,
            )
        )
    Coverage.objects.bulk_create(coverages)

    events = list(ToxicityEvent.objects.select_related("category"))
    drugs = list(Drug.objects.all())

    # Meetings: 500 past Wednesdays, and the next eight.
    wednesday = next_wednesday(today)
    marker = f"bench-{seed}-{size.cases}-{DATASET_VERSION}"

    def meeting_at(day: dt.date, status: str) -> Meeting:
        start = dt.datetime.combine(day, dt.time(17, 0), tzinfo=PARIS)
        return Meeting(
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=90),
            status=status,
            video_url=f"https://visio.tigre.invalid/{marker}",
        )

    past = [
        meeting_at(wednesday - dt.timedelta(weeks=k), Meeting.Status.VALIDATED)
        for k in range(size.past_meetings, 0, -1)
    ]
    upcoming = [meeting_at(wednesday + dt.timedelta(weeks=k), Meeting.Status.PLANNED) for k in range(8)]
    Meeting.objects.bulk_create([*past, *upcoming])
    next_meeting = upcoming[0]
    Meeting.coordinators.through.objects.bulk_create(
        [Meeting.coordinators.through(meeting_id=m.pk, user_id=c.pk) for m in upcoming for c in coordinators]
    )

    # Cases: historical (closed), a few open ones, the next meeting's accepted ones, the heavy clinician's.
    # The big tables are written with COPY (rows as dicts, ids given here): model instances and bulk_create
    # cost most of the time at this size.
    total = size.cases
    heavy = clinicians[0]
    first_day = timezone.now() - dt.timedelta(days=round(365.25 * 12))  # 12 years: < 10,000 references a year
    history_end = next_meeting.starts_at - dt.timedelta(days=10)
    span = (history_end - first_day).total_seconds()
    first_meeting = past[0].starts_at
    meeting_span = (history_end - first_meeting).total_seconds()
    per_year: dict[int, int] = defaultdict(int)
    cutoff_ok = dt.datetime.combine(wednesday - dt.timedelta(days=4), dt.time(10, 0), tzinfo=PARIS)
    patient_rows: list[dict[str, Any]] = []
    case_rows: list[dict[str, Any]] = []
    line_rows: list[dict[str, Any]] = []
    line_drug_rows: list[dict[str, Any]] = []
    toxicity_rows: list[dict[str, Any]] = []
    item_rows: list[dict[str, Any]] = []
    positions: dict[int, int] = defaultdict(int)
    heavy_every = max(1, total // size.heavy_clinician_cases)
    now = timezone.now()
    for i in range(total):
        pk = i + 1
        meeting = None
        if i < size.next_meeting_cases:
            status, submitted = CaseStatus.ACCEPTED, cutoff_ok - dt.timedelta(hours=i)
        elif i < size.next_meeting_cases + size.open_cases:
            # Waiting for triage: the next meeting's accepted requests are exactly the ones above.
            status = rng.choice([CaseStatus.SUBMITTED, CaseStatus.INFO_REQUESTED])
            submitted = cutoff_ok - dt.timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 1440))
        else:
            submitted = first_day + dt.timedelta(seconds=rng.random() * span)
            status = rng.choices(
                [CaseStatus.CLOSED, CaseStatus.AVIS_VALIDATED, CaseStatus.WITHDRAWN, CaseStatus.DECLINED],
                weights=[70, 20, 5, 5],
            )[0]
            if submitted >= first_meeting and status in (CaseStatus.CLOSED, CaseStatus.AVIS_VALIDATED):
                index = int((submitted - first_meeting).total_seconds() / meeting_span * len(past))
                meeting = past[min(index, len(past) - 1)]
        others = clinicians[1:] or clinicians
        requester = heavy if i % heavy_every == 0 else others[i % len(others)]
        year = timezone.localtime(submitted).year
        per_year[year] += 1
        birth = dt.date(1930 + rng.randint(0, 70), rng.randint(1, 12), rng.randint(1, 28))
        patient_rows.append(
            {
                "id": pk,
                "birth_name": f"{LAST_NAMES[rng.randrange(len(LAST_NAMES))]}{i}",
                "first_names": FIRST_NAMES[rng.randrange(len(FIRST_NAMES))],
                "sex": rng.choice([Sex.FEMALE, Sex.MALE]),
                "birth_date": birth,
                "treating_centre_id": requester.centre_id,
                "created_at": submitted,
            }
        )
        urgent = rng.random() < 0.08
        start = (submitted - dt.timedelta(days=rng.randint(30, 400))).date()
        grades = [rng.choices([1, 2, 3, 4, 5], weights=[20, 40, 28, 10, 2])[0] for _ in range(rng.randint(1, 3))]
        case_rows.append(
            {
                "id": pk,
                "reference": f"TIGRE-{year}-{per_year[year]:04d}",
                "status": status,
                "patient_id": pk,
                "requester_id": requester.pk,
                "requester_centre_id": requester.centre_id,
                "primary_site": "C34",
                "primary_site_label": "Poumon",
                "histology": "Adénocarcinome",
                "stage": "IV",
                "performance_status": rng.randint(0, 2),
                "reason": rng.choice(list(RequestReason.values)),
                "question": f"Conduite à tenir pour la toxicité n°{i} ?",
                "urgency": Urgency.URGENT if urgent else Urgency.STANDARD,
                "urgency_reason": "Grade 4" if urgent else "",
                "highest_grade": max(grades),
                "created_at": submitted,
                "updated_at": submitted,
                "submitted_at": submitted,
            }
        )
        for position in range(rng.randint(1, 3)):
            line_id = len(line_rows) + 1
            line_rows.append(
                {
                    "id": line_id,
                    "case_id": pk,
                    "regimen": ImmunotherapyLine.Regimen.MONO,
                    "setting": ImmunotherapyLine.Setting.METASTATIC,
                    "start_date": start,
                    "cycles": rng.randint(1, 20),
                    "status": ImmunotherapyLine.LineStatus.ONGOING,
                    "position": position,
                }
            )
            for drug in rng.sample(drugs, rng.randint(1, 2)):
                line_drug_rows.append(
                    {"id": len(line_drug_rows) + 1, "immunotherapyline_id": line_id, "drug_id": drug.pk}
                )
        for position, grade in enumerate(grades):
            toxicity_rows.append(
                {
                    "id": len(toxicity_rows) + 1,
                    "case_id": pk,
                    "event_id": events[rng.randrange(len(events))].pk,
                    "grade": grade,
                    "onset_date": start + dt.timedelta(days=rng.randint(1, 25)),
                    "description": "Description synthétique",
                    "position": position,
                }
            )
        if meeting is not None:
            positions[meeting.pk] += 1
            item_rows.append(
                {
                    "id": len(item_rows) + 1,
                    "meeting_id": meeting.pk,
                    "case_id": pk,
                    "kind": AgendaItem.Kind.STANDARD,
                    "position": positions[meeting.pk],
                    "outcome": AgendaItem.Outcome.DISCUSSED,
                    "added_at": now,
                }
            )
    with connection.cursor() as cursor:
        # The rows are consistent by construction: skip the per-row foreign-key triggers (bench database only).
        cursor.execute("SET LOCAL session_replication_role = replica")
    copy_rows(Patient, patient_rows)
    copy_rows(Case, case_rows)
    copy_rows(ImmunotherapyLine, line_rows)
    copy_rows(ImmunotherapyLine.drugs.through, line_drug_rows)
    copy_rows(Toxicity, toxicity_rows)
    copy_rows(AgendaItem, item_rows)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = origin")
    CaseSequence.objects.bulk_create([CaseSequence(year=y, last_number=n) for y, n in per_year.items()])

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Dataset(
        size=size,
        seed=seed,
        next_meeting=next_meeting,
        heavy_clinician=heavy,
        secretariat=secretariat,
        coordinator=coordinators[0],
        referent_users=referent_users,
        sample_case=Case.objects.get(pk=total),
    )


def existing(*, size: Size, seed: int, today: dt.date | None = None) -> Dataset:
    """The handles of an already-loaded dataset (same seed and size)."""
    today = today or timezone.localdate()
    marker = f"bench-{seed}-{size.cases}-{DATASET_VERSION}"
    # The first planned one: on a Wednesday, today's meeting is one of the past (validated) ones load() made.
    next_meeting = (
        Meeting.objects.filter(video_url__endswith=marker, status=Meeting.Status.PLANNED, starts_at__date__gte=today)
        .order_by("starts_at")
        .first()
    )
    sample_case = Case.objects.order_by("-pk").first()
    if next_meeting is None or sample_case is None:
        raise LookupError("the benchmark dataset is not loaded (or its next meeting has passed): load it again")
    return Dataset(
        size=size,
        seed=seed,
        next_meeting=next_meeting,
        heavy_clinician=User.objects.get(email=f"clinicien0@{BENCH_DOMAIN}"),
        secretariat=User.objects.get(email=f"secretariat@{BENCH_DOMAIN}"),
        coordinator=User.objects.get(email=f"coordinateur0@{BENCH_DOMAIN}"),
        referent_users=list(User.objects.filter(email__startswith="referent", email__endswith=BENCH_DOMAIN)),
        sample_case=sample_case,
    )
