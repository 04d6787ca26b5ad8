"""The GDPR export page in Chromium: a coordinator finds a person by INS with a reason (a POST: the INS is in no
URL), sees both of their requests, downloads the JSON; accessible (axe), nothing cut on a desktop or a phone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.actors import open_as, screenshots
from tests.factories.cases import PatientFactory, SubmittedCaseFactory
from tests.helpers import totp_device
from tigre.audit.models import AccessLog

pytestmark = pytest.mark.django_db(transaction=True)
INS = "269054958815780"


def test_a_coordinator_exports_a_person_with_two_requests(
    browser: Any, browser_context_args: dict[str, Any], live_server: Any, axe_check: Any, cora: Any, password: str
) -> None:
    base = live_server.url
    first = SubmittedCaseFactory(patient=PatientFactory(birth_name="Lefebvre", first_names="Odette", ins=INS))
    second = SubmittedCaseFactory(patient=PatientFactory(birth_name="LEFEBVRE", first_names="Odette", ins=INS))
    totp_device(cora)
    page = open_as(browser, browser_context_args, base, cora, password, axe_check)
    page.goto(base + "/journal/export-patient/")
    page.get_by_label("INS du patient").fill("2 69 05 49 588 157 80")
    page.get_by_label("Motif de la demande").fill("Courrier du patient reçu le 2 décembre")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("body")).to_contain_text(first.reference)
    expect(page.locator("body")).to_contain_text(second.reference)
    assert INS not in page.url and "ins=" not in page.url
    axe_check(page, "gdpr-export-found")
    screenshots(page, "gdpr-export-found")
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger l'export (JSON)").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert sorted(c["id"] for c in data["records"]["cases.Case"]) == sorted([first.pk, second.pk])
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == 2
    page.context.close()
