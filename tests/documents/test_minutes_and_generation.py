"""Minutes of a validated meeting; stored generation by the task, regenerated only when the data change."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from cases.models import Avis
from meetings.documents import services, tasks
from meetings.documents.models import GeneratedDocument
from meetings.documents.selectors import minutes_document_data
from meetings.models import AgendaItem, Participant
from tests.documents.pdfutil import flat, pdf_text
from tests.factories.accounts import UserFactory
from tests.factories.documents import build_meeting, validate_meeting
from tests.helpers import login
from tigre.audit.models import AccessLog
from tigre.celery import app as celery_app
from tigre.pdf.rendering import render_pdf_pages

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def validated(cora):
    meeting = build_meeting(4, coordinators=[cora], with_avis=True, drafted_by=cora)
    postponed = meeting.items.order_by("position").last()
    Avis.objects.filter(case=postponed.case, agenda_item__meeting=meeting).delete()
    postponed.outcome = AgendaItem.Outcome.POSTPONED
    postponed.postponed_reason = "Référent néphrologue absent"
    postponed.save(update_fields=["outcome", "postponed_reason"])
    for specialty in ("nephrology", "dermatology"):
        Participant.objects.create(
            meeting=meeting, user=UserFactory(specialty=specialty), role=Participant.Role.REFERENT
        )
    absent = UserFactory(first_name="Aurélien", last_name="Absent", specialty="neurology")
    Participant.objects.create(meeting=meeting, user=absent, role=Participant.Role.REFERENT, present=False)
    validate_meeting(meeting, by=cora, absent=(absent,))
    return meeting


def test_minutes_hold_attendance_quorum_and_every_avis(validated, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        data = minutes_document_data(validated)
    pdf, pages = render_pdf_pages(template_name="pdf/minutes.html", context={"doc": data}, stylesheet="pdf/minutes.css")
    text = flat(pdf_text(pdf))
    assert 1 <= pages <= 6
    assert "Compte rendu de réunion" in text
    assert "Quorum atteint" in text
    assert "Néphrologie" in text and "Dermatologie" in text
    assert "Aurélien ABSENT" in text and "absent" in text
    for item in data["items"]:
        assert item["reference"] in text
    assert text.count("Arrêt définitif du pembrolizumab ; corticothérapie 1 mg/kg/j") == 3
    assert "Dossier reporté : Référent néphrologue absent" in text
    assert (data["discussed_count"], data["postponed_count"], data["pv_count"]) == (3, 1, 3)
    # Pseudonymised like the agenda.
    for item in validated.items.select_related("case__patient"):
        # (the full name: a random birth name such as "Jean" may also be someone's first name)
        assert item.case.patient.full_name not in text


def test_generation_is_sent_by_the_name_of_the_worker_s_task(
    validated, monkeypatch, django_capture_on_commit_callbacks
):
    """The services send the task by name (tasks.py imports them): the name must be the registered task's."""
    sent = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, args=(), **kw: sent.append((name, tuple(args))))
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_request(kind=GeneratedDocument.Kind.MINUTES, meeting=validated)
    assert sent == [(services.GENERATE_TASK, (document.pk,))]
    assert services.GENERATE_TASK in celery_app.tasks and tasks.generate_document.name == services.GENERATE_TASK


def test_task_stores_the_document_and_does_not_regenerate_unchanged_data(validated, monkeypatch):
    document = GeneratedDocument.objects.create(kind="minutes", meeting=validated)
    calls = []
    real = services.render_pdf_pages

    def counting(**kwargs):
        calls.append(kwargs["template_name"])
        return real(**kwargs)

    monkeypatch.setattr(services, "render_pdf_pages", counting)
    assert tasks.generate_document(document.pk) == "ready"
    document.refresh_from_db()
    assert document.is_ready and document.pages >= 1 and document.size > 1000
    assert default_storage.exists(document.file.name)
    assert document.file.name.startswith("documents/")
    with document.file.open("rb") as fh:
        assert fh.read(4) == b"%PDF"
    first = (document.file.name, document.fingerprint, document.generated_at)

    assert tasks.generate_document(document.pk) == "ready"
    document.refresh_from_db()
    assert (document.file.name, document.fingerprint, document.generated_at) == first
    assert calls == ["pdf/minutes.html"]

    # Changed data: regenerated, the old file removed once committed.
    avis = Avis.objects.filter(agenda_item__meeting=validated).first()
    avis.answer = "Réponse corrigée."
    avis.save(update_fields=["answer"])
    tasks.generate_document(document.pk)
    document.refresh_from_db()
    assert document.fingerprint != first[1]
    assert len(calls) == 2
    assert "Réponse corrigée." in flat(pdf_text(document.file.open("rb").read()))


def test_request_enqueues_once_after_commit(validated, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(services, "generation_enqueue", lambda pk: queued.append(pk))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        document = services.document_request(kind="minutes", meeting=validated)
        assert queued == []  # not before commit
    assert len(callbacks) == 1
    assert queued == [document.pk]
    assert document.status == GeneratedDocument.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        services.document_request(kind="minutes", meeting=validated)
    assert queued == [document.pk]  # already queued: not again
    tasks.generate_document(document.pk)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.document_request(kind="minutes", meeting=validated)
    assert again.is_ready and queued == [document.pk]


def test_failed_generation_is_reported_and_can_be_retried(validated, monkeypatch, client, cora):
    def broken(**kwargs):
        raise services.PdfRenderingError("boom")

    monkeypatch.setattr(services, "render_pdf_pages", broken)
    document = GeneratedDocument.objects.create(kind="minutes", meeting=validated)
    assert tasks.generate_document(document.pk) == "failed"
    document.refresh_from_db()
    assert document.error == "boom"
    login(client, cora)
    response = client.get(reverse("documents:minutes_pdf", args=[validated.pk]))
    assert response.status_code == 503
    assert "a échoué" in response.content.decode()
    queued = []
    monkeypatch.setattr(services, "generation_enqueue", lambda pk: queued.append(pk))
    response = client.post(reverse("documents:retry", args=[validated.pk, "minutes"]))
    assert response.status_code == 200
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.PENDING


def test_minutes_page_shows_preparation_then_the_link(client, validated, cora, monkeypatch):
    queued = []
    monkeypatch.setattr(services, "generation_enqueue", lambda pk: queued.append(pk))
    login(client, cora)
    url = reverse("documents:minutes_pdf", args=[validated.pk])
    response = client.get(url)
    assert response.status_code == 202
    assert "en préparation" in response.content.decode()
    assert not AccessLog.objects.exists()
    document = GeneratedDocument.objects.get(kind="minutes", meeting=validated)
    tasks.generate_document(document.pk)
    panel = client.get(reverse("documents:meeting_panel", args=[validated.pk]), HTTP_HX_REQUEST="true")
    assert url in panel.content.decode()
    assert "every" not in panel.content.decode()  # polling stops once ready
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # One row per request of the minutes, with its case and patient.
    rows = AccessLog.objects.filter(user=cora, action=AccessLog.Action.DOWNLOAD_PDF)
    assert {(r.case_id, r.patient_id) for r in rows} == set(validated.items.values_list("case_id", "case__patient_id"))
    assert rows.count() == validated.items.count()


def test_large_agenda_is_made_by_the_worker(client, sam, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "SYNC_AGENDA_MAX_ITEMS", 2)
    queued = []
    monkeypatch.setattr(services, "generation_enqueue", lambda pk: queued.append(pk))
    meeting = build_meeting(3)
    login(client, sam)
    with django_capture_on_commit_callbacks(execute=True):
        panel = client.get(reverse("documents:meeting_panel", args=[meeting.pk])).content.decode()
    assert "en préparation" in panel and "every 3s" in panel
    assert len(queued) == 1
    assert client.get(reverse("documents:agenda_pdf", args=[meeting.pk])).status_code == 202


@pytest.mark.parametrize("who,status", [("cora", 202), ("sam", 202), ("victor", 202), ("rita", 403), ("alice", 403)])
def test_minutes_access(client, request, validated, monkeypatch, who, status):
    monkeypatch.setattr(services, "generation_enqueue", lambda pk: None)
    Participant.objects.get_or_create(
        meeting=validated, user=request.getfixturevalue("rita"), defaults={"role": "referent"}
    )
    login(client, request.getfixturevalue(who))
    assert client.get(reverse("documents:minutes_pdf", args=[validated.pk])).status_code == status


def test_no_minutes_before_validation(client, cora):
    meeting = build_meeting(1)
    login(client, cora)
    assert client.get(reverse("documents:minutes_pdf", args=[meeting.pk])).status_code == 404
    panel = client.get(reverse("documents:meeting_panel", args=[meeting.pk])).content.decode()
    assert reverse("documents:minutes_pdf", args=[meeting.pk]) not in panel
    assert reverse("documents:agenda_pdf", args=[meeting.pk]) in panel


def test_retry_refuses_unknown_kinds_and_get(client, cora):
    meeting = build_meeting(0)
    login(client, cora)
    assert client.post(reverse("documents:retry", args=[meeting.pk, "nope"])).status_code == 404
    assert client.get(reverse("documents:retry", args=[meeting.pk, "agenda"])).status_code == 405


def test_after_validation_the_minutes_and_final_fiches_are_queued(
    validated, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(services, "generation_enqueue", lambda pk: queued.append(pk))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.documents_after_validation(meeting_id=validated.pk) == 4  # minutes + 3 fiches
    documents = GeneratedDocument.objects.filter(meeting=validated)
    assert sorted(documents.values_list("kind", flat=True)) == ["fiche"] * 3 + ["minutes"]
    assert sorted(queued) == sorted(documents.values_list("pk", flat=True))
    assert {d.case_id for d in documents if d.kind == "fiche"} == set(
        Avis.objects.filter(agenda_item__meeting=validated, state=Avis.State.VALIDATED).values_list(
            "case_id", flat=True
        )
    )
    with django_capture_on_commit_callbacks(execute=True):  # already queued: nothing more
        assert services.documents_after_validation(meeting_id=validated.pk) == 4
    assert len(queued) == 4


def test_validating_a_session_queues_its_documents_after_commit(cora, monkeypatch, django_capture_on_commit_callbacks):
    from meetings.session import services as session
    from tests.factories.session import make_session

    s = make_session(coordinator=cora, cases=1)
    session.avis_save(
        item=s.items[0],
        by=cora,
        data={"answer": "Arrêt définitif de l'immunothérapie.", "ici_decision": Avis.IciDecision.STOP},
    )
    sent = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, args=(), **kw: sent.append((name, tuple(args))))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        session.meeting_validate(meeting=s.meeting, by=cora)
    assert sent == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert [task for task in sent if task[0].startswith("documents.")] == [
        (services.AFTER_VALIDATION_TASK, (s.meeting.pk,))
    ]
    assert tasks.documents_after_validation_task.name == services.AFTER_VALIDATION_TASK


def test_a_refused_broker_after_validation_keeps_the_validation(
    cora, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    """The broker refusing the publish after the commit must not turn a saved validation into an error."""
    from meetings.session import services as session
    from tests.factories.session import make_session

    s = make_session(coordinator=cora, cases=1)
    session.avis_save(item=s.items[0], by=cora, data={"answer": "Reprise possible.", "ici_decision": ""})

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(celery_app, "send_task", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        session.meeting_validate(meeting=s.meeting, by=cora)
    s.meeting.refresh_from_db()
    assert s.meeting.status == s.meeting.Status.VALIDATED
    assert "not published" in caplog.text


def test_after_validation_a_stale_message_prepares_nothing(cora):
    from tests.factories.meetings import MeetingFactory

    planned = MeetingFactory()
    assert services.documents_after_validation(meeting_id=planned.pk) == 0
    assert services.documents_after_validation(meeting_id=987654) == 0
    assert not GeneratedDocument.objects.exists()
