"""A patient's history: the requests of one person, linked by the app (docs/domain.md#a-patients-history).

Each request keeps its own ``Patient`` row (the identity as the requester typed it that day); rows are never merged.
Two requests concern the same person when their patients share the INS, or the same birth name, first name(s) and
date of birth once normalised (case, accents, spaces, hyphens and apostrophes ignored). The link is a query, so it
holds for requests open or closed, old or new, without any stored key to keep up to date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Func, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Lower, Replace
from django.utils import timezone

from tigre.audit.models import AccessLog
from tigre.lib.sql import RegexpReplace, Translate

from .models import OPEN_STATUSES, Avis, Case, CaseStatus, Patient

# Letters folded to their base letter, upper and lower case both (PostgreSQL's lower() folds only ASCII letters
# under a C collation, so accented capitals are folded here before lowering). Python and SQL use the same table.
_ACCENTED = "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝŸýÿ"
_PLAIN = "AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOOooooooUUUUuuuuYYyy"
_LIGATURES = (("Œ", "OE"), ("œ", "oe"), ("Æ", "AE"), ("æ", "ae"))
_TABLE = str.maketrans(_ACCENTED, _PLAIN)
assert len(_ACCENTED) == len(_PLAIN)


def identity_key(text: str | None) -> str:
    """A name as the app compares it: "Le Gall-Müller" and "LEGALL MULLER" both give "legallmuller"."""
    value = text or ""
    for ligature, letters in _LIGATURES:
        value = value.replace(ligature, letters)
    return "".join(c for c in value.translate(_TABLE).lower() if "a" <= c <= "z")


def identity_key_sql(field_name: str) -> Func:
    """``identity_key`` computed by the database on a column (same table, same result; tigre/lib/sql.py)."""
    expr: Any = F(field_name)
    for ligature, letters in _LIGATURES:
        expr = Replace(expr, Value(ligature), Value(letters))
    expr = Lower(Translate(expr, Value(_ACCENTED), Value(_PLAIN)))
    return RegexpReplace(expr, Value("[^a-z]"), Value(""), Value("g"))


@dataclass(frozen=True)
class Identity:
    """What links two requests: the INS, or the three identity traits."""

    ins: str = ""
    birth_name: str = ""
    first_names: str = ""
    birth_date: date | None = None

    @classmethod
    def of(cls, patient: Patient) -> Identity:
        return cls(patient.ins, patient.birth_name, patient.first_names, patient.birth_date)

    @property
    def has_traits(self) -> bool:
        return bool(self.birth_date and identity_key(self.birth_name) and identity_key(self.first_names))

    def link_keys(self) -> set[tuple[Any, ...]]:
        """What links this identity to another, compared in Python as ``matching_cases`` compares it in SQL: the
        INS, and the three traits once normalised. Two identities are the same person when they share one."""
        keys: set[tuple[Any, ...]] = set()
        if self.ins:
            keys.add(("ins", self.ins))
        if self.has_traits:
            keys.add(("traits", self.birth_date, identity_key(self.birth_name), identity_key(self.first_names)))
        return keys

    def matching_cases(self) -> Q | None:
        """A filter on requests aliased by ``same_patient`` (the name keys); None when nothing can link."""
        match = Q()
        if self.ins:
            match |= Q(patient__ins=self.ins)
        if self.has_traits:
            match |= Q(
                patient__birth_date=self.birth_date,
                birth_name_key=identity_key(self.birth_name),
                first_names_key=identity_key(self.first_names),
            )
        return match or None


def same_patient(identity: Identity) -> QuerySet[Case]:
    """Every request of the person ``identity`` describes, drafts included (callers narrow it)."""
    match = identity.matching_cases()
    if match is None:
        return Case.objects.none()
    return Case.objects.alias(
        birth_name_key=identity_key_sql("patient__birth_name"),
        first_names_key=identity_key_sql("patient__first_names"),
    ).filter(match)


def linked_cases(case: Case) -> QuerySet[Case]:
    """The other requests of ``case``'s patient, open or closed, the most recent first; drafts never submitted are
    their author's alone (docs/domain.md#a-patients-history) and left out."""
    return (
        same_patient(Identity.of(case.patient))
        .exclude(pk=case.pk)
        .exclude(status=CaseStatus.DRAFT)
        .order_by(F("submitted_at").desc(nulls_last=True), "-pk")
    )


def other_requests_count(cases: Sequence[Case]) -> dict[int, int]:
    """For each of ``cases`` (patients loaded), how many other submitted requests its patient has, open or closed,
    linked as ``same_patient`` links them: the triage list's mark. One query whatever their number: the candidates
    share an INS or a date of birth (both indexed), and are linked here by ``Identity.link_keys``."""
    identities = {case.pk: Identity.of(case.patient) for case in cases}
    ins = {i.ins for i in identities.values() if i.ins}
    dates = {i.birth_date for i in identities.values() if i.has_traits}
    if not ins and not dates:
        return {}
    candidates = (
        Case.objects.exclude(status=CaseStatus.DRAFT)
        .filter(Q(patient__ins__in=ins) | Q(patient__birth_date__in=dates))
        .values_list("pk", "patient__ins", "patient__birth_name", "patient__first_names", "patient__birth_date")
    )
    by_key: dict[tuple[Any, ...], set[int]] = {}
    for pk, their_ins, birth_name, first_names, birth_date in candidates:
        for key in Identity(their_ins, birth_name, first_names, birth_date).link_keys():
            by_key.setdefault(key, set()).add(pk)
    counts = {}
    for pk, person in identities.items():
        linked = set().union(*(by_key.get(key, set()) for key in person.link_keys())) - {pk}
        if linked:
            counts[pk] = len(linked)
    return counts


@dataclass
class HistoryEntry:
    """One other request of the patient, as a history panel shows it."""

    case: Case
    avis: Avis | None
    # How the app linked it: the same INS, or the same identity traits (the secretariat checks the latter).
    by_ins: bool
    # Submitted after the request the panel is on (a request presented again later).
    later: bool
    # The requester's answer at the réévaluation date (cases/followup/), if given.
    follow_up: Any = None


def patient_history(case: Case, *, scope: QuerySet[Case] | None = None, limit: int = 20) -> list[HistoryEntry]:
    """The patient's other requests with their latest validated avis, in a constant number of queries.

    ``scope``: only the requests the viewer may open (``selectors.cases_visible_to``); a request outside it is not
    even mentioned (docs/domain.md#a-patients-history). None: all of them (the board at its meeting)."""
    qs = linked_cases(case)
    if scope is not None:
        qs = qs.filter(pk__in=scope.values("pk"))
    rows = list(
        qs.select_related("requester", "patient").prefetch_related(
            Prefetch(
                "avis_set",
                queryset=Avis.objects.filter(state=Avis.State.VALIDATED).order_by("-meeting_at"),
                to_attr="validated_avis",
            ),
            "follow_ups__answered_by",
        )[:limit]
    )
    ins = case.patient.ins
    since = case.submitted_at or case.created_at
    return [
        HistoryEntry(
            case=row,
            avis=next(iter(row.validated_avis), None),  # type: ignore[attr-defined]
            by_ins=bool(ins) and row.patient.ins == ins,
            later=bool(row.submitted_at and since and row.submitted_at > since),
            follow_up=next((f for f in row.follow_ups.all() if f.is_answered), None),  # type: ignore[attr-defined]
        )
        for row in rows
    ]


# --- The request form's identity look-up (the duplicate check) --------------------------------------------------


@dataclass
class DuplicateCheck:
    """What the request form learns of an identity typed in it (docs/domain.md#a-patients-history).

    ``mine``: the requests of that person the clinician made or co-requested, the only ones ever shown; ``found``:
    (request id, patient id) of every request of that person, shown or not, for the access trail only."""

    mine: list[Case]
    found: list[tuple[int, int]]


def duplicates_for(user: Any, identity: Identity, *, exclude_pk: int | None = None) -> DuplicateCheck:
    """The requests of the person ``identity`` describes: those of ``user`` to show, all of them to trail."""
    qs = same_patient(identity)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    found = list(qs.order_by("-pk").values_list("pk", "patient_id")[:20])
    if not found:
        return DuplicateCheck(mine=[], found=[])
    co_requested = Case.co_requesters.through.objects.filter(user=user).values("case_id")
    mine = list(
        Case.objects.filter(pk__in=[pk for pk, _patient in found])
        .filter(Q(requester=user) | Q(pk__in=co_requested))
        .order_by(F("submitted_at").desc(nulls_last=True), "-pk")
    )
    return DuplicateCheck(mine=mine, found=found)


def duplicate_checks_left(user: Any) -> bool:
    """Whether ``user`` may look up another identity now: at most TIGRE["DUPLICATE_CHECKS_PER_WINDOW"] look-ups
    in the last TIGRE["DUPLICATE_CHECK_WINDOW_MINUTES"]. The access trail is the counter (one row without a
    request per look-up): shared by every process, kept across restarts."""
    since = timezone.now() - timedelta(minutes=settings.TIGRE["DUPLICATE_CHECK_WINDOW_MINUTES"])
    done = AccessLog.objects.filter(
        user=user, action=AccessLog.Action.DUPLICATE_CHECK, case_id__isnull=True, at__gte=since
    ).count()
    return done < settings.TIGRE["DUPLICATE_CHECKS_PER_WINDOW"]


def can_present_again(case: Case) -> bool:
    """A request whose course is over may start a new one for the same patient ("Présenter à nouveau")."""
    return bool(case.reference) and case.status not in OPEN_STATUSES
