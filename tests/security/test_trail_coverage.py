"""Every access to a patient's data through a page, a PDF, an attachment or an export writes exactly one row of
the access trail per case shown, with the right action (who, what, which case, from where)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.helpers import login
from tigre.audit.models import AccessLog

pytestmark = pytest.mark.django_db
A = AccessLog.Action

# (URL name, kwargs from the world, role, expected action, a case of the world is named)
ACCESSES = [
    ("cases:detail", lambda w: {"pk": w.case.pk}, "coordinator", A.VIEW_CASE, True),
    ("cases:detail", lambda w: {"pk": w.case.pk}, "referent", A.VIEW_CASE, True),
    (
        "cases:attachment_download",
        lambda w: {"pk": w.case.pk, "attachment_pk": w.attachment.pk},
        "clinician",
        A.DOWNLOAD_ATTACHMENT,
        True,
    ),
    ("documents:fiche_pdf", lambda w: {"pk": w.avis.pk}, "clinician", A.DOWNLOAD_PDF, True),
    ("documents:fiche_pdf", lambda w: {"pk": w.avis.pk}, "referent", A.DOWNLOAD_PDF, True),
    ("exports:frcp", lambda w: {"pk": w.avis.pk}, "clinician", A.EXPORT, True),
    ("exports:fhir", lambda w: {"pk": w.avis.pk}, "clinician", A.EXPORT, True),
    ("exports:xdm", lambda w: {"pk": w.avis.pk}, "coordinator", A.EXPORT, True),
    # A meeting's document: one row per request it contains, with its case and patient.
    ("documents:agenda_pdf", lambda w: {"pk": w.meeting.pk}, "referent", A.DOWNLOAD_PDF, True),
    ("pharmacovigilance:sheet", lambda w: {"pk": w.pv.pk}, "pharmacovigilance", A.VIEW_PV, True),
    ("pharmacovigilance:sheet_pdf", lambda w: {"pk": w.pv.pk}, "pharmacovigilance", A.EXPORT, True),
    ("pharmacovigilance:e2b", lambda w: {"case_pk": w.case.pk}, "pharmacovigilance", A.EXPORT, True),
    ("pharmacovigilance:registry_csv", lambda w: {}, "pharmacovigilance", A.EXPORT, False),  # counts only
    ("meetings:session_item", lambda w: {"pk": w.meeting.pk, "item_pk": w.item.pk}, "coordinator", A.VIEW_CASE, True),
    ("cases:follow_up_answer", lambda w: {"pk": w.avis.follow_up.pk}, "clinician", A.VIEW_CASE, True),
    # Lists: one row per request shown.
    ("pharmacovigilance:list", lambda w: {}, "pharmacovigilance", A.VIEW_CASE, True),
    ("cases:my_cases", lambda w: {}, "clinician", A.VIEW_CASE, True),
    ("cases:triage", lambda w: {}, "secretariat", A.VIEW_CASE, "other_case"),  # the world's case is scheduled
    ("meetings:detail", lambda w: {"pk": w.meeting.pk}, "secretariat", A.VIEW_CASE, True),
    ("meetings:session", lambda w: {"pk": w.meeting.pk}, "coordinator", A.VIEW_CASE, True),
]

# Every URL of the project is either above (it shows a patient's data: checked) or here, with the reason it shows
# none, or is tested for its trail elsewhere. A new URL must be put in one list or the other
# (test_every_url_is_classified).
NO_PATIENT_DATA = {
    # accounts, language, health, notifications (reference and pseudonym only), the directory, statistics
    *("home", "healthz", "set_language", "dev_outbox", "notifications:inbox", "notifications:mark_read"),
    *("statistics:dashboard", "statistics:report_request", "statistics:report_panel", "statistics:report_download"),
    "pharmacovigilance:registry",  # counts by drug, organ and grade
    # meetings without their cases: lists, management, calendars, document panels
    *("meetings:list", "meetings:create_ahead", "meetings:manage", "meetings:cancel", "meetings:move"),
    *("meetings:coordinators", "meetings:ics", "meetings:calendar_settings", "meetings:calendar_feed"),
    *("meetings:my_meetings", "meetings:attendance", "meetings:participant_search", "meetings:participant_add"),
    *("documents:meeting_panel", "documents:retry", "documents:case_panel"),
    # form helpers without a patient (the duplicate check is trailed by its own tests)
    *("cases:line_row", "cases:toxicity_row", "cases:tag_check", "cases:duplicate_check", "cases:create"),
    "cases:autosave",  # a write of the user's own draft, answered with its address only
}
# Writes (POST) and pages whose reads are trailed and tested in their own modules.
TRAILED_ELSEWHERE = {
    *("cases:edit", "cases:delete", "cases:answer", "cases:withdraw", "cases:attachment_add"),
    *("cases:attachment_delete", "cases:triage_accept", "cases:triage_request_info", "cases:triage_decline"),
    *("urgent:list", "urgent:take", "urgent:opinion"),  # tests/security/test_trail_coverage.py (urgent list)
    *("pharmacovigilance:bulk", "pharmacovigilance:sheet_edit", "pharmacovigilance:status_change"),
    "pharmacovigilance:case_status",
    *("meetings:schedule_case", "meetings:agenda_build", "meetings:agenda_publish", "meetings:agenda_reorder"),
    *("meetings:agenda_add", "meetings:agenda_candidates", "meetings:agenda_item_actions", "meetings:agenda_shift"),
    *("meetings:agenda_move", "meetings:agenda_remove", "meetings:postpone", "meetings:validate"),
    *("meetings:agenda_carry_over", "cases:present_again"),  # a carry-over (POST); present again (view trails it)
    "meetings:my_meeting",  # a published agenda: tests/meetings/test_referent_view.py
    "documents:minutes_pdf",  # a validated meeting: test_minutes_download_writes_one_row_per_case
    "exports:mssante_send",
    *("privacy:log", "privacy:patient_export"),  # the trail itself; the GDPR export (tests/cases/test_gdpr*.py)
}


def test_every_url_is_classified() -> None:
    from tests.test_url_walk import PUBLIC_URL_NAMES, all_urls

    names = {n for p, n in all_urls() if not p.startswith("admin/") and n not in PUBLIC_URL_NAMES}
    # The user's own account and the referents' directory: professionals, no patient data.
    names -= {n for n in names if n.startswith(("accounts:", "referents:"))}
    classified = {a[0] for a in ACCESSES} | NO_PATIENT_DATA | TRAILED_ELSEWHERE
    assert names - classified == set(), "classify these URLs in tests/security/test_trail_coverage.py"


@pytest.mark.parametrize(
    ("name", "kwargs", "role", "action", "names_case"), ACCESSES, ids=[f"{a[0]}-{a[2]}" for a in ACCESSES]
)
def test_each_access_writes_one_row(world, name, kwargs, role, action, names_case) -> None:
    user = world.users[role]
    client = login(Client(), user)
    url = reverse(name, kwargs=kwargs(world))
    response = client.get(url, REMOTE_ADDR="10.20.30.40")
    assert response.status_code == 200
    rows = list(AccessLog.objects.all())
    assert rows, "nothing written to the trail"
    for row in rows:
        assert (row.user, row.action, row.ip_address, row.path) == (user, action, "10.20.30.40", url)
        if names_case:
            assert row.case_id is not None and row.patient_id is not None, (row.case_id, row.target)
    if names_case:
        case = world.other_case if names_case == "other_case" else world.case
        mine = [r for r in rows if r.case_id == case.pk]
        assert len(mine) == 1, [(r.action, r.case_id, r.target) for r in rows]
        assert mine[0].patient_id == case.patient_id
        assert len({r.case_id for r in rows}) == len(rows)  # one row per request
    else:
        assert len(rows) == 1


def test_the_urgent_list_writes_one_row_per_case_shown(world) -> None:
    from cases.models import Urgency

    case = world.case
    case.urgency, case.urgent_alerted_at = Urgency.URGENT, timezone.now()
    case.save(update_fields=["urgency", "urgent_alerted_at"])
    client = login(Client(), world.users["coordinator"])
    assert client.get(reverse("urgent:list")).status_code == 200
    rows = list(AccessLog.objects.filter(case_id=case.pk))
    assert len(rows) == 1 and rows[0].patient_id == case.patient_id


def test_minutes_download_writes_one_row_per_case(world) -> None:
    from meetings.models import Meeting

    Meeting.objects.filter(pk=world.meeting.pk).update(status=Meeting.Status.VALIDATED, validated_at=timezone.now())
    client = login(Client(), world.users["coordinator"])
    url = reverse("documents:minutes_pdf", args=[world.meeting.pk])
    response = client.get(url)
    if response.status_code == 202:  # queued for the worker: make it now, then download
        from meetings.documents.models import GeneratedDocument
        from meetings.documents.services import document_generate

        document_generate(document_id=GeneratedDocument.objects.get(kind="minutes", meeting=world.meeting).pk)
        response = client.get(url)
    assert response.status_code == 200
    rows = list(AccessLog.objects.filter(action=A.DOWNLOAD_PDF))
    assert [(r.case_id, r.patient_id) for r in rows] == [(world.case.pk, world.case.patient_id)]


def test_a_refused_access_writes_nothing(world, bob) -> None:
    client = login(Client(), bob)
    for url in (
        reverse("cases:detail", args=[world.case.pk]),
        reverse("documents:fiche_pdf", args=[world.avis.pk]),
        reverse("pharmacovigilance:sheet", args=[world.pv.pk]),
    ):
        assert client.get(url).status_code in (403, 404)
    assert not AccessLog.objects.exists()
