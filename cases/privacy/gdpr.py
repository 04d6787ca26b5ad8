"""GDPR for health data (docs/domain.md#health-data): the right of access (export everything held about one patient)
and the retention limit (anonymise the patients whose requests are all closed for longer than
TIGRE["CASE_RETENTION_YEARS"]).

Both walk the data generically from the patient: every model that points at the patient, then at what points at
those rows, and so on (only "children": a case's requester, centre or meeting are not the patient's data).
One query per model reached, never per row. A model added later by another part of the app is therefore
exported and anonymised without anyone remembering to come back here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import TruncYear
from django.utils import timezone

from tigre.accounts.models import User
from tigre.audit.models import AccessLog
from tigre.lib.validators import normalize_ins

from ..models import Case, CaseStatus, Patient

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "tigre-export-patient/1"
ANONYMISED_NAME = "ANONYME"
ANONYMISED_TEXT = "[anonymisé]"
TERMINAL_STATUSES = (CaseStatus.CLOSED, CaseStatus.WITHDRAWN, CaseStatus.DECLINED)
# Models never walked into: the access trail has its own section of the export, and is itself kept append-only.
SKIPPED_MODELS = {"audit.AccessLog"}
# Short, structured texts without choices that describe the disease, not the person: kept by anonymisation.
KEPT_CHAR_FIELDS = {
    "reference",
    "primary_site",
    "primary_site_label",
    "histology",
    "stage",
    "content_type",
    "sha256",
    "key",
    "kind",
    "state",
}
MAX_DEPTH = 5


def _children(model: type[models.Model]) -> Iterator[tuple[type[models.Model], str]]:
    """(child model, name of its foreign key to ``model``) for every model that points at ``model``."""
    for rel in model._meta.related_objects:
        if rel.many_to_many:
            continue  # M2M from a child (e.g. an avis' contributors) point at users, not at this row's children
        child = rel.related_model
        if isinstance(child, str) or child._meta.label in SKIPPED_MODELS:
            continue
        yield child, rel.field.name


def _walk(patient_ids: list[int]) -> Iterator[tuple[type[models.Model], models.QuerySet[Any]]]:
    """Every (model, queryset of its rows) that belongs to these patients, parents before children."""
    frontier: list[tuple[type[models.Model], models.QuerySet[Any], int]] = [
        (Patient, Patient.objects.filter(pk__in=patient_ids), 0)
    ]
    seen: set[str] = set()
    while frontier:
        model, qs, depth = frontier.pop(0)
        if model._meta.label in seen:
            continue
        seen.add(model._meta.label)
        yield model, qs
        if depth >= MAX_DEPTH:
            continue
        for child, fk_name in _children(model):
            frontier.append((child, child._default_manager.filter(**{f"{fk_name}__in": qs.values("pk")}), depth + 1))


def _row(obj: models.Model) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        value = f.value_from_object(obj)
        if isinstance(f, models.FileField):
            value = value.name if value else ""
        data[f.attname] = value
        if f.choices and value not in (None, ""):
            data[f"{f.name}_label"] = str(dict(f.flatchoices).get(value, value))
    return data


def patient_export(
    *, patient: Patient | None = None, patients: list[Patient] | None = None, by: User | None = None
) -> dict[str, Any]:
    """Everything held about one person, as JSON-ready data (dates as ISO strings): their identity, every row of
    every model reached from it, and the access trail about them or their requests.

    A person may have several patient rows (each request records its own patient): ``patients`` are all of them
    (``patients_find``); ``patient`` alone is a shorthand for one. ``patient`` in the result is the first row,
    ``patients`` every one."""
    people = list(patients or []) or ([patient] if patient is not None else [])
    if not people:
        raise ValueError("patient_export needs at least one patient")
    ids = [p.pk for p in people]
    records: dict[str, list[dict[str, Any]]] = {}
    for model, qs in _walk(ids):
        if model is Patient:
            continue
        m2m = [f.name for f in model._meta.many_to_many]
        rows = []
        for obj in qs.order_by("pk").prefetch_related(*m2m):
            row = _row(obj)
            for name in m2m:
                row[name] = sorted(o.pk for o in getattr(obj, name).all())
            rows.append(row)
        records[model._meta.label] = rows
    case_ids = [row["id"] for row in records.get("cases.Case", [])]
    trail = (
        AccessLog.objects.filter(Q(patient_id__in=ids) | Q(case_id__in=case_ids))
        .select_related("user")
        .order_by("at", "pk")
    )
    return {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now(),
        "generated_by": getattr(by, "email", None),
        "patient": _row(people[0]),
        "patients": [_row(p) for p in people],
        "records": records,
        "access_trail": [
            {
                "at": log.at,
                "user": log.user.display_name if log.user else None,
                "action": log.action,
                "action_label": log.get_action_display(),
                "case_id": log.case_id,
                "target": log.target,
            }
            for log in trail
        ],
    }


def export_json(data: dict[str, Any]) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def patients_find(
    *,
    reference: str = "",
    ins: str = "",
    birth_name: str = "",
    first_name: str = "",
    birth_date: date | None = None,
) -> list[Patient]:
    """Every patient row of one person (docs/privacy.md#gdpr-export), found by a request's reference, by INS
    (Corsican 2A/2B included), or by birth name, first name and date of birth; then widened to the rows that share
    the INS or those three traits (each request records its own patient row)."""
    seeds = Patient.objects.none()
    if reference.strip():
        seeds = Patient.objects.filter(cases__reference__iexact=reference.strip())
    elif ins.strip():
        seeds = Patient.objects.filter(ins=normalize_ins(ins))
    elif birth_name.strip() and first_name.strip() and birth_date is not None:
        seeds = Patient.objects.filter(_traits(birth_name, first_name, birth_date))
    found = list(seeds.distinct().only("pk", "ins", "birth_name", "first_names", "birth_date"))
    if not found:
        return []
    same_person = Q(pk__in=[p.pk for p in found])
    for p in found:
        if p.ins:
            same_person |= Q(ins=p.ins)
        if p.birth_date is not None:
            # The same traits, on rows without an INS or with the same one (never another person's INS).
            same_person |= _traits(p.birth_name, p.first_names.split(" ")[0], p.birth_date) & (Q(ins="") | Q(ins=p.ins))
    return list(Patient.objects.filter(same_person).order_by("pk"))


def _traits(birth_name: str, first_name: str, birth_date: date) -> Q:
    """Birth name (or used name) and first name without case, and the exact date of birth."""
    name, first = birth_name.strip(), first_name.strip()
    return (
        (Q(birth_name__iexact=name) | Q(used_name__iexact=name))
        & (Q(first_names__iexact=first) | Q(first_names__istartswith=f"{first} "))
        & Q(birth_date=birth_date)
    )


def patients_for_query(query: str) -> list[Patient]:
    """The same from one typed key: a request's reference or an INS (``manage.py export_patient``)."""
    query = query.strip()
    if not query:
        return []
    by_reference = patients_find(reference=query)
    return by_reference or patients_find(ins=query)


# --- Retention ----------------------------------------------------------------------------------------------


@dataclass
class RetentionPlan:
    cutoff: datetime
    patients: list[Patient] = field(default_factory=list)
    case_references: dict[int, list[str]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        if not self.patients:
            return [f"Aucun patient à anonymiser (demandes clôturées avant le {self.cutoff:%d/%m/%Y})."]
        out = [f"{len(self.patients)} patient(s) à anonymiser (demandes clôturées avant le {self.cutoff:%d/%m/%Y}) :"]
        for p in self.patients:
            refs = ", ".join(self.case_references.get(p.pk, [])) or "—"
            out.append(f"  patient n°{p.pk} : {refs}")
        return out


def retention_plan(*, now: datetime | None = None) -> RetentionPlan:
    """The patients not yet anonymised whose every request ended (closed, withdrawn or declined) more than
    TIGRE["CASE_RETENTION_YEARS"] years ago. A patient with a recent or open request keeps their identity."""
    now = now or timezone.now()
    years = settings.TIGRE["CASE_RETENTION_YEARS"]
    try:
        cutoff = now.replace(year=now.year - years)
    except ValueError:  # 29 February
        cutoff = now.replace(year=now.year - years, day=28)
    recent_or_open = Case.objects.filter(patient=OuterRef("pk")).filter(
        ~Q(status__in=TERMINAL_STATUSES) | Q(closed_at__isnull=True) | Q(closed_at__gte=cutoff)
    )
    patients = list(
        Patient.objects.filter(anonymised_at__isnull=True, cases__isnull=False)
        .filter(~Exists(recent_or_open))
        .distinct()
        .order_by("pk")
    )
    refs: dict[int, list[str]] = {}
    for pk, ref in (
        Case.objects.filter(patient__in=patients).order_by("patient_id", "pk").values_list("patient_id", "reference")
    ):
        refs.setdefault(pk, []).append(ref or "brouillon")
    return RetentionPlan(cutoff=cutoff, patients=patients, case_references=refs)


def _blank_value(f: models.Field) -> Any:
    if isinstance(f, models.JSONField):
        return None if f.null else {}
    if isinstance(f, models.FileField):
        return ""
    if f.null:
        return None
    if f.blank or (f.max_length is not None and f.max_length < len(ANONYMISED_TEXT)):
        return ""
    return ANONYMISED_TEXT


def _anonymisable(f: models.Field) -> bool:
    """Free text: every TextField and JSONField, every CharField without choices that is not unique nor one of
    the structured codes kept, and file references (the files themselves are deleted)."""
    if f.primary_key or f.is_relation or f.choices or f.unique:
        return False
    if isinstance(f, (models.TextField, models.JSONField, models.FileField)):
        return True
    return isinstance(f, models.CharField) and f.editable and f.name not in KEPT_CHAR_FIELDS


@transaction.atomic
def cases_anonymise_closed(*, now: datetime | None = None, dry_run: bool = False) -> RetentionPlan:
    """Anonymise what ``retention_plan`` lists: the patient's identity goes (names, INS, exact birth date kept as
    the 1st of January of the year, general practitioner), free texts of every row reached from the patient are
    blanked, attached files are deleted from disk. Structured data (toxicities, grades, drugs, decisions) stay
    for the registry. Idempotent: a patient is anonymised once (``anonymised_at``)."""
    now = now or timezone.now()
    plan = retention_plan(now=now)
    if dry_run or not plan.patients:
        return plan
    ids = [p.pk for p in plan.patients]
    files: list[tuple[Any, str]] = []
    for model, qs in _walk(ids):
        if model is Patient:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                storage = f.storage
                files += [(storage, name) for name in qs.exclude(**{f.attname: ""}).values_list(f.attname, flat=True)]
        updates = {f.attname: _blank_value(f) for f in model._meta.concrete_fields if _anonymisable(f)}
        if updates:
            qs.update(**updates)
    Patient.objects.filter(pk__in=ids).update(
        birth_name=ANONYMISED_NAME,
        used_name="",
        first_names=ANONYMISED_NAME,
        birth_date=TruncYear("birth_date", output_field=models.DateField()),  # the year stays, for age statistics
        ins="",
        ins_status=Patient.InsStatus.NONE,
        gp_name="",
        gp_mssante="",
        weight_kg=None,
        height_cm=None,
        anonymised_at=now,
    )

    def delete_files() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(delete_files)  # a rolled-back anonymisation keeps its files
    logger.info("Retention: %d patient(s) anonymised, %d file(s) deleted", len(ids), len(files))
    return plan
