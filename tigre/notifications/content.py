"""What each kind of message says: its subject, its link and the context its templates get.

No patient name ever leaves the app by e-mail: templates get the case reference and the patient's pseudonym
(initials and year of birth) only. Every template pair lives in ``templates/emails/<kind>.{txt,html}``.

Context keys callers may pass to ``notify`` (all optional, JSON):
``message`` (INFO_REQUESTED: the question asked), ``reason`` (POSTPONED, DECLINED), ``by`` (display name of
the person who acted). Everything else is read from the database at delivery time, so the e-mail shows the
current slot, agenda and state.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Kind, Notification


def _subject_text(kind: str, *, ref: str, meeting: str) -> str:
    subjects = {
        Kind.REQUEST_RECEIVED: _("Demande %(ref)s reçue"),
        Kind.INFO_REQUESTED: _("Demande %(ref)s : informations demandées"),
        Kind.INFO_ANSWERED: _("Demande %(ref)s : le demandeur a répondu"),
        Kind.SCHEDULED: _("Demande %(ref)s inscrite à la %(meeting)s"),
        Kind.POSTPONED: _("Demande %(ref)s reportée"),
        Kind.DECLINED: _("Demande %(ref)s non retenue"),
        Kind.AVIS_AVAILABLE: _("Avis de la RCP disponible pour la demande %(ref)s"),
        Kind.AGENDA_PUBLISHED: _("Ordre du jour publié : %(meeting)s"),
        Kind.MEETING_REMINDER: _("Rappel : %(meeting)s, demain"),
        Kind.URGENT_ALERT: _("URGENT — demande %(ref)s à prendre en charge"),
        Kind.URGENT_ACKNOWLEDGED: _("Demande urgente %(ref)s prise en charge"),
        Kind.URGENT_OPINION: _("Avis urgent rendu pour la demande %(ref)s"),
        Kind.URGENT_ESCALATION: _("ESCALADE — demande urgente %(ref)s toujours sans prise en charge"),
        Kind.INCOMPLETE_BEFORE_CUTOFF: _("Demandes à compléter avant la date limite (%(meeting)s)"),
        Kind.CUTOFF_SUMMARY: _("Bilan de la date limite : %(meeting)s"),
        Kind.PV_REMINDER: _("Rappel : déclarations de pharmacovigilance en attente"),
    }
    template: str = subjects.get(kind, "%(kind)s")  # type: ignore[call-overload]
    return "[TIGRE] " + template % {"ref": ref, "meeting": meeting, "kind": kind}


def subject_for(*, kind: str, case: Any = None, meeting: Any = None) -> str:
    ref = (case.reference or _("brouillon")) if case is not None else ""
    return _subject_text(kind, ref=ref, meeting=str(meeting) if meeting is not None else _("prochaine RCP"))[:300]


def _reverse(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a page of another part not installed in this build
        return None


URGENT_KINDS = frozenset({Kind.URGENT_ALERT, Kind.URGENT_ESCALATION, Kind.URGENT_ACKNOWLEDGED})


def link_for(n: Notification) -> str:
    """The in-app page a message points to (relative URL)."""
    path: str | None = None
    requester_id = n.case.requester_id if n.case_id and n.case is not None else None
    if n.kind in URGENT_KINDS and n.recipient_id != requester_id:
        path = _reverse("notifications:urgent_list")  # the requester follows the case page instead
    elif n.kind == Kind.INCOMPLETE_BEFORE_CUTOFF:
        path = _reverse("cases:my_cases")
    elif n.kind == Kind.CUTOFF_SUMMARY:
        path = _reverse("cases:triage")
    elif n.kind == Kind.PV_REMINDER:
        path = _reverse("pharmacovigilance:list")
    elif n.kind in (Kind.AGENDA_PUBLISHED, Kind.MEETING_REMINDER) and n.meeting_id:
        path = _reverse("meetings:detail", n.meeting_id)
    if path is None and n.case_id:
        path = _reverse("cases:detail", n.case_id)
    if path is None and n.meeting_id:
        path = _reverse("meetings:detail", n.meeting_id)
    return path or _reverse("notifications:inbox") or "/"


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _local(value: Any, fmt: str) -> str:
    return date_format(timezone.localtime(value), fmt) if value else ""


def _referent_items(meeting_id: int, user_id: int) -> list[dict[str, Any]]:
    """The recipient's own cases on the meeting's agenda (AgendaItemReferent rows), nothing else."""
    from meetings.models import AgendaItemReferent

    rows = (
        AgendaItemReferent.objects.filter(item__meeting_id=meeting_id, referent__user_id=user_id)
        .select_related("item__case__patient", "category")
        .order_by("item__position", "item__pk", "category__position")
    )
    items: dict[int, dict[str, Any]] = {}
    for row in rows:
        item = row.item
        entry = items.setdefault(
            item.pk,
            {
                "reference": item.case.reference or "",
                "pseudonym": item.case.patient.pseudonym,
                "grade": item.case.highest_grade,
                "urgent": item.case.is_urgent,
                "slot": _local(item.slot_start, "H:i"),
                "categories": [],
                "url": absolute(_reverse("cases:detail", item.case_id) or "/"),
            },
        )
        entry["categories"].append(row.category.label)
    return list(items.values())


def _slot(meeting_id: int, case_id: int) -> str:
    from meetings.models import AgendaItem

    item = AgendaItem.objects.filter(meeting_id=meeting_id, case_id=case_id).only("slot_start").first()
    return _local(item.slot_start, "H:i") if item and item.slot_start else ""


def _last_info_request(case_id: int) -> str:
    from cases.models import CaseMessage

    msg = (
        CaseMessage.objects.filter(case_id=case_id, kind=CaseMessage.Kind.INFO_REQUEST)
        .order_by("-created_at", "-pk")
        .values_list("body", flat=True)
        .first()
    )
    return msg or ""


def _last_reason(case_id: int, *, to_status: str) -> str:
    from cases.models import StatusChange

    reason = (
        StatusChange.objects.filter(case_id=case_id, to_status=to_status)
        .order_by("-at", "-pk")
        .values_list("reason", flat=True)
        .first()
    )
    return reason or ""


def render_context(n: Notification) -> dict[str, Any]:
    """Everything the e-mail templates of ``n`` need, read now (the notification's related rows loaded)."""
    ctx: dict[str, Any] = dict(n.context or {})
    case = n.case
    meeting = n.meeting
    ctx.update(
        {
            "n": n,
            "recipient": n.recipient,
            "case": case,
            "meeting": meeting,
            "site_url": settings.SITE_URL,
            "url": absolute(link_for(n)),
            "inbox_url": absolute(_reverse("notifications:inbox") or "/"),
        }
    )
    if case is not None:
        ctx["reference"] = case.reference or ""
        ctx["pseudonym"] = case.patient.pseudonym
    if meeting is not None:
        ctx["meeting_date"] = _local(meeting.starts_at, "l j F Y")
        ctx["meeting_time"] = _local(meeting.starts_at, "H:i")
        ctx["video_url"] = meeting.video_url
    if n.kind == Kind.SCHEDULED and case is not None and meeting is not None:
        ctx.setdefault("slot", _slot(meeting.pk, case.pk))
    if n.kind == Kind.INFO_REQUESTED and case is not None and not ctx.get("message"):
        ctx["message"] = ctx.get("question") or _last_info_request(case.pk)
    if n.kind == Kind.DECLINED and case is not None and not ctx.get("reason"):
        ctx["reason"] = _last_reason(case.pk, to_status="declined")
    if n.kind in (Kind.AGENDA_PUBLISHED, Kind.MEETING_REMINDER) and meeting is not None:
        ctx["items"] = _referent_items(meeting.pk, n.recipient_id)
    if n.kind in (Kind.URGENT_ALERT, Kind.URGENT_ESCALATION, Kind.URGENT_ACKNOWLEDGED) and case is not None:
        ctx["grade"] = case.highest_grade
        ctx["alerted_at"] = _local(case.urgent_alerted_at, "j F Y à H:i")
        acknowledger = case.urgent_acknowledged_by
        ctx["acknowledged_by"] = acknowledger.display_name if acknowledger else ctx.get("by", "")
    if n.kind == Kind.URGENT_OPINION and case is not None:
        # The opinion itself stays in the app (health data): the e-mail says who gave it and when.
        ctx["opinion_at"] = _local(case.urgent_opinion_at, "j F Y à H:i")
        acknowledger = case.urgent_acknowledged_by
        ctx["acknowledged_by"] = acknowledger.display_name if acknowledger else ctx.get("by", "")
    return ctx
