"""In Chromium: the coordinator finds the structured exports under the fiche on the case page, downloads the FRCP
(valid for the ANS validators) and sends the fiche over MSSanté; the requester downloads but does not send; an
identity that is not qualified shows why. Screenshots at both sizes (/tmp/h9-exports-*.png)."""

from __future__ import annotations

from typing import Any

import pytest

from cases.models import Patient
from meetings.exports.services import KIND_MSSANTE
from tests.e2e.actors import open_as, screenshots
from tests.exports.conftest import board  # noqa: F401  (fixture)
from tests.exports.standards import validate_frcp
from tests.helpers import totp_device
from tigre.notifications import services as outbox
from tigre.notifications.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch: Any) -> None:
    monkeypatch.setattr(outbox, "enqueue_deliveries", lambda ids: len(ids))


def test_the_coordinator_downloads_the_frcp_and_sends_it_over_mssante(
    board: Any,  # noqa: F811  (the fixture imported above)
    browser: Any,
    browser_context_args: Any,
    live_server: Any,
    password: str,
    axe_check: Any,
) -> None:
    base = live_server.url
    totp_device(board.coordinator)  # a staff role: its second factor is enrolled
    page = open_as(browser, browser_context_args, base, board.coordinator, password)
    page.goto(f"{base}/demandes/{board.case.pk}/")
    page.get_by_role("link", name="FRCP (CDA)").wait_for()
    axe_check(page, "case-exports-coordinator")
    screenshots(page, "exports-case-coordinator")

    with page.expect_download() as download:
        page.get_by_role("link", name="FRCP (CDA)").click()
    xml = open(download.value.path(), "rb").read()  # noqa: SIM115
    assert download.value.suggested_filename.startswith("fiche-rcp-TIGRE-")
    report = validate_frcp(xml)
    assert report.ok, report.format()

    page.get_by_role("button", name="Envoyer par MSSanté").click()
    page.wait_for_load_state()
    page.get_by_text("Fiche RCP envoyée par MSSanté à Dr Jean Moreau").wait_for()
    page.get_by_role("link", name="FRCP (CDA)").wait_for()
    screenshots(page, "exports-sent")
    assert Notification.objects.filter(kind=KIND_MSSANTE).count() == 2


def test_the_requester_downloads_and_an_unqualified_identity_says_why(
    board: Any,  # noqa: F811  (the fixture imported above)
    browser: Any,
    browser_context_args: Any,
    live_server: Any,
    password: str,
    axe_check: Any,
) -> None:
    base = live_server.url
    page = open_as(browser, browser_context_args, base, board.requester, password)
    page.goto(f"{base}/demandes/{board.case.pk}/")
    page.get_by_role("link", name="FHIR R4").wait_for()
    assert page.get_by_role("button", name="Envoyer par MSSanté").count() == 0
    screenshots(page, "exports-case-requester")

    Patient.objects.filter(pk=board.case.patient_id).update(ins_status=Patient.InsStatus.RECOVERED)
    page.reload()
    page.get_by_text("Formats structurés (FRCP, FHIR, MSSanté) indisponibles").wait_for()
    assert page.get_by_role("link", name="FRCP (CDA)").count() == 0
    axe_check(page, "case-exports-refused")
    screenshots(page, "exports-case-unqualified")
