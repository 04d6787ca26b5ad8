"""What the messages about meetings say: their kinds, subjects, links and context (docs/architecture.md).

Messages about a request on a meeting (scheduled, postponed, avis available) are built by the requests' own
``case_message`` with the meeting's date added; messages about a meeting (agenda published, reminder, cut-off)
carry the meeting's date, time and video link. Written in French, the language of every e-mail.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cases.messages import case_message, in_french
from cases.models import Case
from tigre.accounts.models import User
from tigre.notifications.models import Notification
from tigre.notifications.services import Message, notify_many

from .models import AgendaItem, AgendaItemReferent, Meeting
from .scheduling import meeting_date_label, paris, time_label


class Kind(models.TextChoices):
    """The messages this app sends (codes stored in the outbox)."""

    SCHEDULED = "scheduled", _("Demande inscrite à une RCP")
    POSTPONED = "postponed", _("Demande reportée")
    AVIS_AVAILABLE = "avis_available", _("Avis disponible")
    AGENDA_PUBLISHED = "agenda_published", _("Ordre du jour publié")
    MEETING_REMINDER = "meeting_reminder", _("Rappel de la RCP de demain")
    INCOMPLETE_BEFORE_CUTOFF = "incomplete_before_cutoff", _("Demandes incomplètes avant la date limite")
    CUTOFF_SUMMARY = "cutoff_summary", _("Bilan de la date limite")


SUBJECTS: dict[str, Any] = {
    Kind.SCHEDULED: _("Demande %(ref)s inscrite à la %(meeting)s"),
    Kind.POSTPONED: _("Demande %(ref)s reportée"),
    Kind.AVIS_AVAILABLE: _("Avis de la RCP disponible pour la demande %(ref)s"),
    Kind.AGENDA_PUBLISHED: _("Ordre du jour publié : %(meeting)s"),
    Kind.MEETING_REMINDER: _("Rappel : %(meeting)s, demain"),
    Kind.INCOMPLETE_BEFORE_CUTOFF: _("Demandes à compléter avant la date limite (%(meeting)s)"),
    Kind.CUTOFF_SUMMARY: _("Bilan de la date limite : %(meeting)s"),
}


def meeting_title(meeting: Meeting) -> str:
    """ "RCP du mercredi 2 décembre 2026", in French."""
    return in_french(str(meeting))


def meeting_context(meeting: Meeting | None) -> dict[str, Any]:
    """The meeting's date, start time and video link as the e-mails write them (none for no meeting)."""
    if meeting is None:
        return {}
    return {
        "meeting_date": meeting_date_label(meeting, with_time=False),
        "meeting_time": date_format(timezone.localtime(meeting.starts_at, paris()), "H:i"),
        "video_url": meeting.video_url,
    }


def slot_label(item: AgendaItem | None) -> str:
    """When an item is discussed, "17:20"."""
    return time_label(item.slot_start) if item is not None else ""


def meeting_link(meeting: Meeting) -> str:
    return reverse("meetings:detail", args=[meeting.pk])


def case_at_meeting_message(
    *,
    kind: str,
    case: Case,
    meeting: Meeting | None,
    key: str,
    context: dict[str, Any] | None = None,
    recipient: User | None = None,
) -> Message:
    """A message to the requester (or ``recipient``) about their request on a meeting (None: no date yet)."""
    return case_message(
        kind=kind,
        case=case,
        recipient=recipient or case.requester,
        key=key,
        subject=SUBJECTS[kind],
        subject_values={"meeting": meeting_title(meeting) if meeting is not None else ""},
        context={**meeting_context(meeting), **(context or {})},
    )


def notify_meeting(
    *,
    kind: str,
    meeting: Meeting,
    recipients: Iterable[User],
    key: str = "",
    context: dict[str, Any] | None = None,
    per_recipient: dict[int, dict[str, Any]] | None = None,
    link: str = "",
    actor: User | None = None,
) -> list[Notification]:
    """A message about a meeting to each recipient; ``per_recipient`` adds context by user id; ``actor``'s own copy
    is a receipt, e-mailed only."""
    subject = in_french(SUBJECTS[kind], meeting=meeting_title(meeting))
    shared = {**meeting_context(meeting), **(context or {})}
    return notify_many(
        kind=kind,
        actor=actor,
        messages=[
            Message(
                recipient=user,
                key=key or f"meeting{meeting.pk}",
                subject=subject,
                about=meeting,
                link=link or meeting_link(meeting),
                context={**shared, **(per_recipient or {}).get(user.pk, {})},
            )
            for user in recipients
        ],
    )


def referent_items(*, meeting: Meeting, user_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Each referent's own cases on the meeting's agenda (their AgendaItemReferent rows, nothing else), as the
    context ``items`` of their agenda and reminder e-mails. One query whatever the number of referents."""
    rows = (
        AgendaItemReferent.objects.filter(item__meeting=meeting, referent__user_id__in=list(user_ids))
        .select_related("item__case__patient", "category", "referent")
        .order_by("item__position", "item__pk", "category__position")
    )
    per_user: dict[int, dict[int, dict[str, Any]]] = {}
    for row in rows:
        item = row.item
        entry = per_user.setdefault(row.referent.user_id, {}).setdefault(
            item.pk,
            {
                "reference": item.case.reference or "",
                "pseudonym": item.case.patient.pseudonym,
                "grade": item.case.highest_grade,
                "urgent": item.case.is_urgent,
                "slot": slot_label(item),
                "categories": [],
                "url": settings.SITE_URL.rstrip("/") + reverse("cases:detail", args=[item.case_id]),
            },
        )
        entry["categories"].append(str(row.category.label))
    return {uid: {"items": list(items.values())} for uid, items in per_user.items()}
