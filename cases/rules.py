"""What a request must hold before it is submitted, stated once.

The request form (in submit mode, field by field for the clinician) and ``case_completeness`` (the service's
last word inside ``case_submit``) both read these tables and helpers, so they refuse the same things with the same
French messages; a rule added here applies to both. Pure: no query, no write.

Parts are named by the form's prefixes (``patient``, ``case``, ``line``, ``tox``), so that a rule's field is both
the form field and the model field of that part.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import FATAL_GRADE, RequestReason, Urgency

PATIENT, CASE, LINE, TOXICITY = "patient", "case", "line", "tox"
MAX_AGE_YEARS = 120
GRADES = range(1, 6)  # CTCAE v5.0 and v6.0 alike; 5 is death
GRADE_MESSAGE = gettext_lazy("Le grade CTCAE va de 1 à 5.")


@dataclass(frozen=True)
class RequiredField:
    """``field`` of ``part`` must be filled in; only ``when`` (field, value) of the same part holds, if given."""

    part: str
    field: str
    message: Promise
    when: tuple[str, str] | None = None


@dataclass(frozen=True)
class RequiredRows:
    """``part`` needs at least one row, unless the request's (field, value) ``unless`` holds."""

    part: str
    message: Promise
    unless: tuple[str, str] | None = None


REQUIRED_FIELDS: tuple[RequiredField, ...] = (
    RequiredField(PATIENT, "birth_name", gettext_lazy("Le nom de naissance du patient est obligatoire.")),
    RequiredField(PATIENT, "first_names", gettext_lazy("Le prénom du patient est obligatoire.")),
    RequiredField(PATIENT, "sex", gettext_lazy("Le sexe du patient est obligatoire.")),
    RequiredField(PATIENT, "birth_date", gettext_lazy("La date de naissance du patient est obligatoire.")),
    RequiredField(CASE, "primary_site_label", gettext_lazy("La localisation du cancer est obligatoire.")),
    RequiredField(CASE, "reason", gettext_lazy("Le motif de la demande est obligatoire.")),
    RequiredField(CASE, "question", gettext_lazy("La question posée à la RCP est obligatoire.")),
    RequiredField(
        CASE,
        "urgency_reason",
        gettext_lazy("Indiquez pourquoi la demande est urgente."),
        when=("urgency", Urgency.URGENT),
    ),
    RequiredField(
        CASE,
        "patient_informed",
        gettext_lazy("Indiquez si le patient est informé que son dossier est présenté en RCP."),
    ),
    RequiredField(LINE, "drugs", gettext_lazy("Choisissez au moins un médicament.")),
    RequiredField(LINE, "regimen", gettext_lazy("Le schéma de la ligne est obligatoire.")),
    RequiredField(LINE, "setting", gettext_lazy("La situation (métastatique, adjuvant…) est obligatoire.")),
    RequiredField(LINE, "start_date", gettext_lazy("La date de début de la ligne est obligatoire.")),
    RequiredField(TOXICITY, "event", gettext_lazy("Choisissez l'événement.")),
    RequiredField(TOXICITY, "grade", gettext_lazy("Le grade CTCAE est obligatoire.")),
    RequiredField(TOXICITY, "onset_date", gettext_lazy("La date d'apparition est obligatoire.")),
)

REQUIRED_ROWS: tuple[RequiredRows, ...] = (
    RequiredRows(LINE, gettext_lazy("Au moins une ligne d'immunothérapie est obligatoire.")),
    RequiredRows(
        TOXICITY,
        gettext_lazy(
            "Au moins une toxicité est obligatoire (sauf pour le motif « instauration d'un ICI malgré une maladie "
            "préexistante »)."
        ),
        unless=("reason", RequestReason.PRE_EXISTING),
    ),
)


def is_blank(value: Any) -> bool:
    """Nothing typed: None, text of spaces only, or an empty list of choices."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, set, frozenset)):
        return not value
    return False


def submit_required(part: str) -> frozenset[str]:
    """The fields of ``part`` required at submission whatever else is typed (marked with an asterisk)."""
    return frozenset(rule.field for rule in REQUIRED_FIELDS if rule.part == part and rule.when is None)


def rule_fields(part: str) -> frozenset[str]:
    """Every field the rules of ``part`` read: the required ones and their conditions (for the request's part,
    also the fields that waive a section's rows)."""
    names = {rule.field for rule in REQUIRED_FIELDS if rule.part == part}
    names |= {rule.when[0] for rule in REQUIRED_FIELDS if rule.part == part and rule.when is not None}
    if part == CASE:
        names |= {rule.unless[0] for rule in REQUIRED_ROWS if rule.unless is not None}
    return frozenset(names)


def missing_fields(part: str, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, French message) for each required field of ``part`` that ``values`` leave blank."""
    missing = []
    for rule in REQUIRED_FIELDS:
        if rule.part != part:
            continue
        if rule.when is not None and values.get(rule.when[0]) != rule.when[1]:
            continue
        if is_blank(values.get(rule.field)):
            missing.append((rule.field, str(rule.message)))
    return missing


def missing_rows(part: str, count: int, case_values: Mapping[str, Any]) -> str | None:
    """The French message when ``part`` has no row and the request needs one, else None."""
    for rule in REQUIRED_ROWS:
        if rule.part != part or count:
            continue
        if rule.unless is not None and case_values.get(rule.unless[0]) == rule.unless[1]:
            continue
        return str(rule.message)
    return None


def stored_values(obj: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """The values of a saved row for the rules: a many-to-many as a list, a foreign key as its id (no query)."""
    values: dict[str, Any] = {}
    for name in names:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            values[name] = list(getattr(obj, name).all())
        elif field.is_relation:
            values[name] = getattr(obj, field.attname)  # type: ignore[union-attr]
        else:
            values[name] = getattr(obj, name)
    return values


# --- Values that cannot be right ------------------------------------------------------------------------------


def birth_date_error(birth_date: date | None, today: date | None = None) -> str | None:
    if birth_date is None:
        return None
    today = today or timezone.localdate()
    if birth_date > today:
        return _("La date de naissance ne peut pas être dans le futur.")
    age = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
    if age > MAX_AGE_YEARS:
        return _("La date de naissance donne un âge de plus de 120 ans : vérifiez-la.")
    return None


def future_date_error(value: date | None, today: date | None = None) -> str | None:
    if value is not None and value > (today or timezone.localdate()):
        return _("Cette date est dans le futur.")
    return None


def line_dates_error(start: date | None, last_dose: date | None) -> str | None:
    if start and last_dose and last_dose < start:
        return _("La dernière administration précède le début de la ligne.")
    return None


def grade_error(grade: int | None) -> str | None:
    if grade is not None and grade not in GRADES:
        return str(GRADE_MESSAGE)
    return None


def onset_error(onset: date | None, first_dose: date | None, pre_existing: bool) -> str | None:
    if onset and first_dose and not pre_existing and onset < first_dose:
        return _(
            "L'apparition (%(onset)s) précède la première administration d'immunothérapie (%(first)s) : "
            "corrigez la date ou cochez « préexistant »."
        ) % {"onset": onset.strftime("%d/%m/%Y"), "first": first_dose.strftime("%d/%m/%Y")}
    return None


# --- The urgent TAG suggestion ---------------------------------------------------------------------------------


def tag_qualifying(toxicities: Iterable[Any]) -> list[tuple[Any, int | None]]:
    """The toxicities that meet the TAG rule, as (event, grade): grade 3 or 4, or an event urgent at any grade
    (myocarditis, myasthenia...). Grade 5 is the patient's death: it calls for no urgent opinion
    (docs/domain.md#ctcae-grades). Accepts Toxicity rows or mappings with ``event`` and ``grade``."""
    found = []
    for tox in toxicities:
        grade = tox.get("grade") if isinstance(tox, Mapping) else tox.grade
        event = tox.get("event") if isinstance(tox, Mapping) else tox.event
        if grade is not None and int(grade) >= FATAL_GRADE:
            continue
        if (grade is not None and int(grade) >= 3) or (event is not None and event.urgent_at_any_grade):
            found.append((event, grade))
    return found


def tag_suggested(toxicities: Iterable[Any]) -> bool:
    """Suggest TAG when a toxicity is grade 3 or 4, or its event is urgent at any grade (never for grade 5)."""
    return bool(tag_qualifying(toxicities))
