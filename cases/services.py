"""Every write on a request (demande d'avis): drafts, submission, answers, withdrawal, attachments.

The rules a submitted request must satisfy are stated once in ``cases.rules``; the form checks them field by field
for the clinician, and ``case_completeness`` checks them again on what is stored, inside ``case_submit``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tigre import formats
from tigre.accounts.models import User
from tigre.accounts.roles import Role

from . import rules
from .messages import Kind, notify_case
from .models import (
    OPEN_STATUSES,
    Attachment,
    Avis,
    Case,
    CaseMessage,
    CaseSequence,
    CaseStatus,
    ImmunotherapyLine,
    Patient,
    PresentedAgain,
    Toxicity,
)
from .rules import stored_values
from .urgent.services import urgent_case_alert
from .workflow import case_transition

# Fields a clinician fills in through the form (services ignore anything else they are given).
PATIENT_FIELDS = (
    "birth_name",
    "used_name",
    "first_names",
    "sex",
    "birth_date",
    "ins",
    "ins_status",
    "treating_centre",
    "weight_kg",
    "height_cm",
    "gp_name",
    "gp_mssante",
)
CASE_FIELDS = (
    "primary_site",
    "primary_site_label",
    "histology",
    "stage",
    "diagnosis_date",
    "performance_status",
    "history",
    "autoimmune_history",
    "comorbidities",
    "key_results",
    "reason",
    "reason_detail",
    "question",
    "urgency",
    "urgency_reason",
    "patient_informed",
    "patient_informed_on",
)
LINE_FIELDS = ("regimen", "setting", "start_date", "last_dose_date", "cycles", "status", "dose")
TOXICITY_FIELDS = (
    "event",
    "grade",
    "ctcae_version",
    "onset_date",
    "pre_existing",
    "description",
    "management_hold",
    "steroids_mg_per_kg",
    "other_immunosuppressants",
    "management_notes",
)

ALLOWED_ATTACHMENT_TYPES = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
# Statuses in which the requester may still add attachments.
ATTACHABLE_STATUSES = frozenset({CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.INFO_REQUESTED})


class CaseAlreadySubmitted(ValidationError):
    """The request is no longer a draft: it was submitted meanwhile (a double click, the same draft in two tabs)."""


class CaseIncomplete(ValidationError):
    """Raised by ``case_submit``; ``missing`` lists (field, French message)."""

    def __init__(self, missing: list[tuple[str, str]]) -> None:
        self.missing = missing
        super().__init__([message for _field, message in missing])


# --------------------------------------------------------------------------------------------------------------
# Drafts
# --------------------------------------------------------------------------------------------------------------


def _apply(obj: Any, data: Mapping[str, Any] | None, allowed: Sequence[str]) -> list[str]:
    changed = []
    for name, value in (data or {}).items():
        if name in allowed:
            setattr(obj, name, "" if value is None and _is_text(obj, name) else value)
            changed.append(name)
    return changed


def _is_text(obj: Any, name: str) -> bool:
    field = obj._meta.get_field(name)
    return field.get_internal_type() in ("CharField", "TextField") and not field.null


def _replace_lines(case: Case, lines: Iterable[Mapping[str, Any]]) -> list[ImmunotherapyLine]:
    case.lines.all().delete()
    rows = list(lines)
    created = ImmunotherapyLine.objects.bulk_create(
        [
            ImmunotherapyLine(case=case, position=i, **{k: row[k] for k in LINE_FIELDS if k in row})
            for i, row in enumerate(rows)
        ]
    )
    through = ImmunotherapyLine.drugs.through
    through.objects.bulk_create(
        [
            through(immunotherapyline_id=line.pk, drug_id=drug.pk)
            for line, row in zip(created, rows, strict=True)
            for drug in row.get("drugs") or []
        ]
    )
    return created


def _replace_toxicities(
    case: Case, toxicities: Iterable[Mapping[str, Any]], lines: list[ImmunotherapyLine] | None = None
) -> None:
    """Replace the toxicities; a row's ``line_index`` ties it to the line at that position (``lines``, by default
    the stored ones)."""
    case.toxicities.all().delete()
    if lines is None:
        lines = list(case.lines.order_by("position", "pk"))

    def line_of(row: Mapping[str, Any]) -> ImmunotherapyLine | None:
        index = row.get("line_index")
        return lines[index] if isinstance(index, int) and 0 <= index < len(lines) else None

    Toxicity.objects.bulk_create(
        [
            Toxicity(case=case, position=i, line=line_of(row), **{k: row[k] for k in TOXICITY_FIELDS if k in row})
            for i, row in enumerate(toxicities)
        ]
    )


def _refresh_highest_grade(case: Case) -> None:
    grade = case.toxicities.aggregate(m=Max("grade"))["m"]
    if grade != case.highest_grade:
        case.highest_grade = grade
        case.save(update_fields=["highest_grade", "updated_at"])


@transaction.atomic
def case_create(
    *,
    by: User,
    patient: Mapping[str, Any] | None = None,
    fields: Mapping[str, Any] | None = None,
    lines: Iterable[Mapping[str, Any]] = (),
    toxicities: Iterable[Mapping[str, Any]] = (),
    co_requesters: Iterable[User] = (),
    raw_data: Mapping[str, Any] | None = None,
    form_token: uuid.UUID | None = None,
) -> Case:
    """Create a draft request for ``by``. Any part may be missing: completeness is checked at submission."""
    patient_obj = Patient(treating_centre=getattr(by, "centre", None))
    _apply(patient_obj, patient, PATIENT_FIELDS)
    patient_obj.save()
    case = Case(patient=patient_obj, requester=by, requester_centre=getattr(by, "centre", None))
    _apply(case, fields, CASE_FIELDS)
    case.draft_data = dict(raw_data or {})
    case.form_token = form_token
    case.save()
    co = [u for u in co_requesters if u.pk != by.pk]
    if co:
        case.co_requesters.add(*co)
    created = _replace_lines(case, lines)
    _replace_toxicities(case, toxicities, created)
    _refresh_highest_grade(case)
    return case


def case_create_once(*, by: User, form_token: uuid.UUID | None, **fields: Any) -> tuple[Case, bool]:
    """``case_create``, once per new-request form: returns (the request, whether it was created now).

    The same form sent again with its ``form_token`` (a double click, a second tab, "back" then send) returns
    the request the first sending created. Two sendings at the same instant: the unique index on the token
    makes the second insert wait for the first transaction, then fail; the second then finds the first's request.
    """
    if form_token is None:  # a form rendered before tokens existed
        return case_create(by=by, **fields), True
    existing = Case.objects.filter(form_token=form_token, requester=by).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return case_create(by=by, form_token=form_token, **fields), True
    except IntegrityError:
        existing = Case.objects.filter(form_token=form_token).first()
        if existing is None:  # another constraint failed: not a second sending
            raise
        if existing.requester_id != by.pk:
            raise ValidationError(_("Ce formulaire n'est plus valable : ouvrez une nouvelle demande.")) from None
        return existing, False


@transaction.atomic
def case_save_draft(
    *,
    case: Case,
    by: User,
    patient: Mapping[str, Any] | None = None,
    fields: Mapping[str, Any] | None = None,
    lines: Iterable[Mapping[str, Any]] | None = None,
    toxicities: Iterable[Mapping[str, Any]] | None = None,
    co_requesters: Iterable[User] | None = None,
    raw_data: Mapping[str, Any] | None = None,
) -> Case:
    """Store what the requester typed in a draft. ``lines``/``toxicities`` given replace the existing rows."""
    locked = Case.objects.select_for_update().only("pk", "status").get(pk=case.pk)
    if locked.status != CaseStatus.DRAFT:
        raise CaseAlreadySubmitted(_("Seul un brouillon peut être modifié."))
    if not user_is_requester(case, by):
        raise ValidationError(_("Seul le demandeur peut modifier ce brouillon."))
    patient_fields = _apply(case.patient, patient, PATIENT_FIELDS)
    if patient_fields:
        case.patient.save(update_fields=patient_fields)
    case_fields = _apply(case, fields, CASE_FIELDS)
    if raw_data is not None:
        case.draft_data = dict(raw_data)
        case_fields.append("draft_data")
    case.save(update_fields=[*case_fields, "updated_at"])
    if co_requesters is not None:
        case.co_requesters.set([u for u in co_requesters if u.pk != case.requester_id])
    created = _replace_lines(case, lines) if lines is not None else None
    if toxicities is not None:
        _replace_toxicities(case, toxicities, created)
    _refresh_highest_grade(case)
    return case


# --------------------------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------------------------


def case_completeness(case: Case) -> list[tuple[str, str]]:
    """What a request still lacks before it can be submitted, as (form field name, French message).

    The rules and messages are those of ``cases.rules``, which the form checks too. Field names are those of the
    request form (``patient-birth_date``, ``line-0-drugs``, ``tox-1-grade``...), plus ``lines`` and ``toxicities``
    for the sections as a whole; a row's number is its position among the stored rows.
    """
    missing: list[tuple[str, str]] = []
    p = case.patient
    patient = stored_values(p, rules.rule_fields(rules.PATIENT))
    missing += [(f"patient-{name}", message) for name, message in rules.missing_fields(rules.PATIENT, patient)]
    if (err := rules.birth_date_error(p.birth_date)) is not None:
        missing.append(("patient-birth_date", err))
    if p.ins:
        try:
            p._meta.get_field("ins").run_validators(p.ins)
        except ValidationError as exc:
            missing.append(("patient-ins", exc.messages[0]))
    fields = stored_values(case, rules.rule_fields(rules.CASE))
    missing += [(f"case-{name}", message) for name, message in rules.missing_fields(rules.CASE, fields)]
    if (err := rules.future_date_error(case.diagnosis_date)) is not None:
        missing.append(("case-diagnosis_date", err))

    lines = list(case.lines.all())
    if (message := rules.missing_rows(rules.LINE, len(lines), fields)) is not None:
        missing.append(("lines", message))
    for i, line in enumerate(lines):
        values = stored_values(line, rules.rule_fields(rules.LINE))
        missing += [(f"line-{i}-{name}", message) for name, message in rules.missing_fields(rules.LINE, values)]
        for name in ("start_date", "last_dose_date"):
            if (err := rules.future_date_error(getattr(line, name))) is not None:
                missing.append((f"line-{i}-{name}", err))
        if (err := rules.line_dates_error(line.start_date, line.last_dose_date)) is not None:
            missing.append((f"line-{i}-last_dose_date", err))
    first_dose = min((line.start_date for line in lines if line.start_date), default=None)

    toxicities = list(case.toxicities.all())
    if (message := rules.missing_rows(rules.TOXICITY, len(toxicities), fields)) is not None:
        missing.append(("toxicities", message))
    for i, tox in enumerate(toxicities):
        values = stored_values(tox, rules.rule_fields(rules.TOXICITY))
        missing += [(f"tox-{i}-{name}", message) for name, message in rules.missing_fields(rules.TOXICITY, values)]
        if (err := rules.grade_error(tox.grade)) is not None:
            missing.append((f"tox-{i}-grade", err))
        if (err := rules.future_date_error(tox.onset_date)) is not None:
            missing.append((f"tox-{i}-onset_date", err))
        if (err := rules.onset_error(tox.onset_date, first_dose, tox.pre_existing)) is not None:
            missing.append((f"tox-{i}-onset_date", err))
    return missing


# --------------------------------------------------------------------------------------------------------------
# Submission and the requester's actions
# --------------------------------------------------------------------------------------------------------------


def _next_reference(year: int) -> str:
    """Sequential per year; the row lock serialises concurrent submissions (PostgreSQL SELECT ... FOR UPDATE)."""
    CaseSequence.objects.get_or_create(year=year)  # race on creation is settled by the primary key
    seq = CaseSequence.objects.select_for_update().get(year=year)
    seq.last_number += 1
    seq.save(update_fields=["last_number"])
    return f"TIGRE-{year}-{seq.last_number:04d}"


@transaction.atomic
def case_submit(*, case: Case, by: User) -> Case:
    """Check completeness, give the reference, move to SUBMITTED and acknowledge (outbox, same transaction)."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.status != CaseStatus.DRAFT:
        raise CaseAlreadySubmitted(_("Cette demande a déjà été soumise."))
    if not user_is_requester(locked, by):
        raise ValidationError(_("Seul le demandeur peut soumettre cette demande."))
    case = (
        Case.objects.select_related("patient", "requester")
        .prefetch_related("lines__drugs", "toxicities__event")
        .get(pk=case.pk)
    )
    missing = case_completeness(case)
    if missing:
        raise CaseIncomplete(missing)
    now = timezone.now()
    if not case.reference:
        case.reference = _next_reference(timezone.localdate(now).year)
    case.submitted_at = now
    case.draft_data = {}
    case.highest_grade = max((t.grade for t in case.toxicities.all()), default=None)
    case.save(update_fields=["reference", "submitted_at", "draft_data", "highest_grade", "updated_at"])
    case_transition(case=case, to=CaseStatus.SUBMITTED, by=by)
    notify_case(
        kind=Kind.REQUEST_RECEIVED,
        case=case,
        recipients=[case.requester],
        context={"is_urgent": case.is_urgent},
        actor=by,
    )
    if case.is_urgent:
        urgent_case_alert(case=case)
    return case


def user_is_requester(case: Case, user: User) -> bool:
    """The requester or a colleague named co-requester (they act on the request)."""
    if case.requester_id == user.pk:
        return True
    return case.co_requesters.filter(pk=user.pk).exists()


@transaction.atomic
def case_answer_info_request(*, case: Case, by: User, body: str) -> CaseMessage:
    """The requester answers the secretariat's question: the case goes back to SUBMITTED."""
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("La réponse ne peut pas être vide."))
    if not user_is_requester(case, by):
        raise ValidationError(_("Seul le demandeur peut répondre à cette demande d'informations."))
    if case.status != CaseStatus.INFO_REQUESTED:
        raise ValidationError(_("Aucune demande d'informations n'est en attente sur cette demande."))
    message = CaseMessage.objects.create(case=case, kind=CaseMessage.Kind.ANSWER, author=by, body=body)
    case_transition(case=case, to=CaseStatus.SUBMITTED, by=by, reason=_("Réponse du demandeur"))
    secretariat = User.objects.filter(is_active=True, groups__name=Role.SECRETARIAT).distinct()
    notify_case(
        kind=Kind.INFO_ANSWERED, case=case, recipients=secretariat, key=f"case{case.pk}-msg{message.pk}", actor=by
    )
    return message


@transaction.atomic
def case_withdraw(*, case: Case, by: User, reason: str) -> Case:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Indiquez pourquoi vous retirez la demande."))
    if not user_is_requester(case, by):
        raise ValidationError(_("Seul le demandeur peut retirer cette demande."))
    case_transition(case=case, to=CaseStatus.WITHDRAWN, by=by, reason=reason)
    return case


@transaction.atomic
def case_delete_draft(*, case: Case, by: User) -> None:
    """A draft never submitted can be thrown away by its requester (nothing was shared yet)."""
    locked = Case.objects.select_for_update().only("pk", "status", "reference").get(pk=case.pk)
    if locked.status != CaseStatus.DRAFT or locked.reference:
        raise ValidationError(_("Seul un brouillon jamais soumis peut être supprimé."))
    if case.requester_id != by.pk:
        raise ValidationError(_("Seul le demandeur peut supprimer ce brouillon."))
    for attachment in case.attachments.all():
        attachment.file.delete(save=False)
    patient = case.patient
    case.delete()
    if not patient.cases.exists():
        patient.delete()


# --------------------------------------------------------------------------------------------------------------
# Attachments
# --------------------------------------------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


def attachment_name_error(name: str) -> str | None:
    if not name or not name.strip():
        return _("Le fichier n'a pas de nom.")
    if _UNSAFE_NAME.search(name) or ".." in name:
        return _("Nom de fichier refusé : il ne doit contenir ni chemin (« / », « .. ») ni caractère de contrôle.")
    if len(name) > 200:
        return _("Nom de fichier trop long (200 caractères au plus).")
    return None


def sanitise_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name).strip().replace('"', "'")
    return re.sub(r"\s+", " ", name)[:200]


@transaction.atomic
def attachment_add(*, case: Case, by: User, uploaded: UploadedFile, description: str = "") -> Attachment:
    """Check and store one file. Refused: another type than PDF/PNG/JPEG (by content), empty, too large,
    one too many, or a name carrying a path or control characters. Nothing is stored when refused."""
    limits = settings.TIGRE
    locked = Case.objects.select_for_update().only("pk", "status").get(pk=case.pk)
    if locked.status not in ATTACHABLE_STATUSES:
        raise ValidationError(_("On ne peut plus ajouter de pièce jointe à cette demande."))
    if not user_is_requester(case, by):
        raise ValidationError(_("Seul le demandeur peut ajouter une pièce jointe."))
    if (err := attachment_name_error(getattr(uploaded, "name", "") or "")) is not None:
        raise ValidationError(err)
    size = uploaded.size or 0
    if size == 0:
        raise ValidationError(_("Le fichier est vide."))
    if size > limits["ATTACHMENT_MAX_BYTES"]:
        raise ValidationError(
            _("Le fichier dépasse la taille maximale (%(mb)s Mo).")
            % {"mb": limits["ATTACHMENT_MAX_BYTES"] // (1024 * 1024)}
        )
    if case.attachments.count() >= limits["ATTACHMENT_MAX_COUNT"]:
        raise ValidationError(
            _("Nombre maximal de pièces jointes atteint (%(n)s par demande).") % {"n": limits["ATTACHMENT_MAX_COUNT"]}
        )
    uploaded.seek(0)
    content = uploaded.read()
    if len(content) != size or len(content) > limits["ATTACHMENT_MAX_BYTES"]:
        raise ValidationError(_("Le fichier n'a pas pu être lu entièrement."))
    kind = filetype.guess(content)
    mime = kind.mime if kind else ""
    if mime not in ALLOWED_ATTACHMENT_TYPES:
        raise ValidationError(_("Type de fichier refusé : seuls les PDF, PNG et JPEG sont acceptés (contenu vérifié)."))
    attachment = Attachment(
        case=case,
        original_name=sanitise_name(uploaded.name or ""),
        content_type=mime,
        size=size,
        sha256=hashlib.sha256(content).hexdigest(),
        description=(description or "").strip()[:200],
        uploaded_by=by,
    )
    # The stored name is random: the original name never reaches the file system.
    attachment.file.save(f"{uuid.uuid4().hex}.{ALLOWED_ATTACHMENT_TYPES[mime]}", ContentFile(content), save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, by: User) -> None:
    case = attachment.case
    if case.status != CaseStatus.DRAFT:
        raise ValidationError(_("Une pièce jointe ne peut être supprimée que d'un brouillon."))
    if not user_is_requester(case, by):
        raise ValidationError(_("Seul le demandeur peut supprimer une pièce jointe."))
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --------------------------------------------------------------------------------------------------------------
# Presenting a patient again
# --------------------------------------------------------------------------------------------------------------

# What a new request copies from the earlier one: the patient, the cancer and the context that still hold. The
# reason, question, urgency and the patient's information are the new request's own; the key results are dated,
# so typed again.
NOT_COPIED_WHEN_PRESENTED_AGAIN = {
    "key_results",
    "reason",
    "reason_detail",
    "question",
    "urgency",
    "urgency_reason",
    "patient_informed",
    "patient_informed_on",
}
PRESENT_AGAIN_CASE_FIELDS = tuple(f for f in CASE_FIELDS if f not in NOT_COPIED_WHEN_PRESENTED_AGAIN)


@transaction.atomic
def case_present_again(*, case: Case, by: User) -> Case:
    """A new draft for ``by`` started from ``case``, an earlier request of theirs whose course is over: the
    patient's identity, cancer, history, immunotherapy lines and toxicities copied; the question and the avis
    not. The history notes the earlier request and its avis (docs/domain.md#a-patients-history)."""
    if not user_is_requester(case, by):
        raise ValidationError(_("Seul le demandeur de cette demande peut la présenter à nouveau."))
    if not case.reference or case.status in OPEN_STATUSES:
        raise ValidationError(
            _("La demande %(ref)s est encore en cours : attendez l'avis de la RCP avant de la présenter à nouveau.")
            % {"ref": case.reference or case.pk}
        )
    patient = {name: getattr(case.patient, name) for name in PATIENT_FIELDS}
    fields = {name: getattr(case, name) for name in PRESENT_AGAIN_CASE_FIELDS}
    avis = case.avis_set.filter(state=Avis.State.VALIDATED).order_by("-meeting_at").first()
    if avis is not None:
        decision = f" — {avis.get_ici_decision_display()}" if avis.ici_decision else ""
        note = _("Demande antérieure %(ref)s : avis de la RCP du %(day)s%(decision)s.") % {
            "ref": case.reference,
            "day": formats.day(avis.meeting_at),
            "decision": decision,
        }
    else:
        note = _("Demande antérieure %(ref)s (%(status)s).") % {
            "ref": case.reference,
            "status": case.get_status_display(),
        }
    fields["history"] = "\n".join(part for part in (note, case.history) if part)
    lines = [
        {**{name: getattr(line, name) for name in LINE_FIELDS}, "drugs": list(line.drugs.all())}
        for line in case.lines.prefetch_related("drugs")
    ]
    toxicities = [{name: getattr(tox, name) for name in TOXICITY_FIELDS} for tox in case.toxicities.all()]
    new = case_create(by=by, patient=patient, fields=fields, lines=lines, toxicities=toxicities)
    PresentedAgain.objects.create(case=new, earlier=case, by=by)
    return new
