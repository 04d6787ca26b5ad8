"""The activity report made by a real Celery worker (a subprocess on the real Redis), as in production: the page
asks for it, the worker computes, renders and stores it while the progress shows on the row, the coordinators get
their e-mail, and the files are downloaded."""

from __future__ import annotations

import datetime as dt
import re
from email.header import decode_header, make_header

import pytest
from django.urls import reverse

from meetings.models import AgendaItem
from meetings.statistics.models import ActivityReport
from tests.documents.pdfutil import flat, pdf_text
from tests.helpers import login
from tests.notifications.test_worker import mailbox, wait_for, worker  # noqa: F401  (fixtures)
from tigre.notifications.models import Notification

from .conftest import item, meeting, request

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_makes_the_report_and_the_coordinators_are_told(client, worker, mailbox, cora, sam) -> None:  # noqa: F811
    box, _port = mailbox
    box.reset()
    held = meeting(dt.date(2026, 10, 14))
    for days in (2, 6):
        item(held, request(held.starts_at - dt.timedelta(days=days)))
    item(held, request(held.starts_at - dt.timedelta(days=9)), AgendaItem.Outcome.POSTPONED)
    login(client, sam)

    response = client.post(
        reverse("statistics:report_request"),
        {"periode": "month", "annee": "2026", "mois": "10"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "every 2s" in response.content.decode()
    report = ActivityReport.objects.get()

    def ready() -> bool:
        report.refresh_from_db()
        return report.status in (ActivityReport.Status.READY, ActivityReport.Status.FAILED)

    assert wait_for(ready, timeout=60), (report.status, report.progress, report.step)
    assert report.status == ActivityReport.Status.READY, report.error
    assert (report.progress, report.pages > 0) == (100, True)
    panel = client.get(reverse("statistics:report_panel")).content.decode()
    assert "every 2s" not in panel and reverse("statistics:report_download", args=[report.pk, "pdf"]) in panel

    pdf = client.get(reverse("statistics:report_download", args=[report.pk, "pdf"]))
    text = flat(pdf_text(b"".join(pdf.streaming_content)))
    # Each label carries its footnote's number before the value.
    assert re.search(r"Taux de report ?\d+ 33,3 %", text), text[:2000]
    assert re.search(r"Soumission → première discussion, médiane ?\d+ 4,0 j", text)
    table = b"".join(client.get(reverse("statistics:report_download", args=[report.pk, "csv"])).streaming_content)
    assert ";Taux de report;;33,3;%;;1;3;" in table.decode("utf-8-sig")

    told = Notification.objects.filter(kind="activity_report_ready")
    assert wait_for(lambda: set(told.values_list("state", flat=True)) == {Notification.State.SENT}, timeout=30)
    assert {m["To"] for m in box.messages} == {cora.email, sam.email}
    subjects = {str(make_header(decode_header(m["Subject"]))) for m in box.messages}
    assert subjects == {"[TIGRE] Rapport d'activité prêt : octobre 2026"}
