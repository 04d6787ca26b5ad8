"""Every write to the directory. Keyword-only, atomic; views and the CSV import call these."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tigre.accounts.activation import activation_enqueue
from tigre.accounts.models import Centre
from tigre.accounts.roles import Role

from .models import Absence, Coverage, Guideline, OrganCategory, Referent

# The versioned guideline summaries (docs/domain.md#guidelines-beside-the-avis).
GUIDELINES_FILE = Path(__file__).resolve().parent / "fixtures" / "guidelines.json"

REFERENT_FIELDS = ("specialty", "centre", "takes_urgent", "phone", "email", "notes")
USER_FIELDS = ("first_name", "last_name", "title")


def referent_role_group() -> Group:
    return Group.objects.get_or_create(name=str(Role.REFERENT))[0]


def coverages_set(
    *,
    referent: Referent,
    primary: Iterable[OrganCategory],
    backup: Iterable[OrganCategory],
) -> None:
    """Make the referent's coverages exactly `primary` + `backup` (a category in both counts as primary)."""
    wanted: dict[int, str] = {c.pk: Coverage.Rank.BACKUP for c in backup}
    wanted.update({c.pk: Coverage.Rank.PRIMARY for c in primary})
    existing = {c.category_id: c for c in referent.coverages.all()}
    referent.coverages.exclude(category_id__in=wanted).delete()
    to_create = []
    to_update = []
    for category_id, rank in wanted.items():
        coverage = existing.get(category_id)
        if coverage is None:
            to_create.append(Coverage(referent=referent, category_id=category_id, rank=rank))
        elif coverage.rank != rank:
            coverage.rank = rank
            to_update.append(coverage)
    Coverage.objects.bulk_create(to_create)
    Coverage.objects.bulk_update(to_update, ["rank"])


@transaction.atomic
def referent_create(
    *,
    email: str,
    first_name: str,
    last_name: str,
    title: str,
    specialty: str,
    centre: Centre,
    primary: Iterable[OrganCategory] = (),
    backup: Iterable[OrganCategory] = (),
    takes_urgent: bool = True,
    phone: str = "",
    contact_email: str = "",
    notes: str = "",
) -> Referent:
    """Add a referent: reuse the account with this e-mail if there is one (it must not already be a referent),
    otherwise create it without a usable password and send it an activation mail (tigre/accounts/activation.py)."""
    User = get_user_model()
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, first_name=first_name, last_name=last_name, title=title, centre=centre)
        user.specialty = specialty
        user.set_unusable_password()
        user.save()
        activation_enqueue([user.pk])  # a set-password link that expires (tigre/accounts/activation.py)
    elif Referent.objects.filter(user=user).exists():
        raise ValidationError(_("Cette personne est déjà dans l'annuaire des référents."), code="duplicate")
    user.groups.add(referent_role_group())
    referent = Referent.objects.create(
        user=user,
        specialty=specialty,
        centre=centre,
        takes_urgent=takes_urgent,
        phone=phone,
        email=contact_email,
        notes=notes,
    )
    coverages_set(referent=referent, primary=primary, backup=backup)
    return referent


@transaction.atomic
def referent_update(
    *,
    referent: Referent,
    primary: Iterable[OrganCategory] | None = None,
    backup: Iterable[OrganCategory] | None = None,
    **fields: Any,
) -> Referent:
    """Change a referent's directory entry (and the names/title of its account); coverages when given."""
    unknown = set(fields) - set(REFERENT_FIELDS) - set(USER_FIELDS) - {"contact_email"}
    if unknown:
        raise TypeError(f"referent_update() got unexpected fields {sorted(unknown)}")
    if "contact_email" in fields:
        fields["email"] = fields.pop("contact_email")
    referent_changed = [f for f in REFERENT_FIELDS if f in fields and getattr(referent, f) != fields[f]]
    for name in referent_changed:
        setattr(referent, name, fields[name])
    if referent_changed:
        referent.save(update_fields=[*referent_changed, "updated_at"])
    user = referent.user
    user_changed = [f for f in USER_FIELDS if f in fields and getattr(user, f) != fields[f]]
    for name in user_changed:
        setattr(user, name, fields[name])
    if user_changed:
        user.save(update_fields=user_changed)
    if primary is not None or backup is not None:
        coverages_set(referent=referent, primary=primary or (), backup=backup or ())
    return referent


@transaction.atomic
def referent_set_active(*, referent: Referent, active: bool) -> Referent:
    """Deactivate (or reactivate) a referent: an inactive referent is never chosen nor listed in the directory.
    The account itself stays: the person may still submit requests as a clinician."""
    if referent.is_active != active:
        referent.is_active = active
        referent.save(update_fields=["is_active", "updated_at"])
    return referent


@transaction.atomic
def absence_create(*, referent: Referent, start: datetime.date, end: datetime.date, reason: str = "") -> Absence:
    if end < start:
        raise ValidationError(_("La date de fin précède la date de début."), code="absence_order")
    return Absence.objects.create(referent=referent, start=start, end=end, reason=reason.strip())


@transaction.atomic
def absence_delete(*, absence: Absence) -> None:
    absence.delete()


def guidelines_load(
    *, path: Path = GUIDELINES_FILE, guideline_model: Any = Guideline, category_model: Any = OrganCategory
) -> int:
    """Write the guideline summaries of the versioned file: a row (one organ category, grade range and source)
    is created, or replaced when the file's version differs from the row's; a row already at the file's version
    is left as the administrators may have corrected it. Categories missing from the taxonomy are skipped.
    Returns how many rows were written. The data migration passes its historical models."""
    data = json.loads(path.read_text(encoding="utf-8"))
    version = data["version"]
    categories = {c.code: c for c in category_model.objects.all()}
    written = 0
    with transaction.atomic():
        for position, row in enumerate(data["guidelines"], start=1):
            category = categories.get(row["category"])
            if category is None:
                continue
            key = {"category": category, "grade_min": row["grade_min"], "grade_max": row["grade_max"]}
            current = guideline_model.objects.filter(**key, source=row["source"]).first()
            if current is not None and current.version == version:
                continue
            values = {"section": row["section"], "summary": row["summary"], "version": version, "position": position}
            guideline_model.objects.update_or_create(**key, source=row["source"], defaults=values)
            written += 1
    return written
