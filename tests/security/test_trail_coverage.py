"""Every access to a patient's data through a page, a PDF, an attachment or an export writes exactly one row of
the access trail per case shown, with the right action (who, what, which case, from where)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

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
    ("exports:frcp", lambda w: {"pk": w.avis.pk}, "clinician", A.EXPORT, True),
    ("exports:fhir", lambda w: {"pk": w.avis.pk}, "clinician", A.EXPORT, True),
    ("exports:xdm", lambda w: {"pk": w.avis.pk}, "coordinator", A.EXPORT, True),
    ("documents:agenda_pdf", lambda w: {"pk": w.meeting.pk}, "referent", A.DOWNLOAD_PDF, False),
    ("pharmacovigilance:sheet", lambda w: {"pk": w.pv.pk}, "pharmacovigilance", A.VIEW_PV, True),
    ("pharmacovigilance:sheet_pdf", lambda w: {"pk": w.pv.pk}, "pharmacovigilance", A.EXPORT, True),
    ("pharmacovigilance:e2b", lambda w: {"case_pk": w.case.pk}, "pharmacovigilance", A.EXPORT, True),
    ("pharmacovigilance:registry_csv", lambda w: {}, "pharmacovigilance", A.EXPORT, False),
    ("meetings:session_item", lambda w: {"pk": w.meeting.pk, "item_pk": w.item.pk}, "coordinator", A.VIEW_CASE, True),
]


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
    assert len(rows) == 1, [(r.action, r.case_id, r.target) for r in rows]
    row = rows[0]
    assert (row.user, row.action, row.ip_address, row.path) == (user, action, "10.20.30.40", url)
    if names_case:
        assert (row.case_id, row.patient_id) == (world.case.pk, world.case.patient_id)


def test_a_refused_access_writes_nothing(world, bob) -> None:
    client = login(Client(), bob)
    for url in (
        reverse("cases:detail", args=[world.case.pk]),
        reverse("documents:fiche_pdf", args=[world.avis.pk]),
        reverse("pharmacovigilance:sheet", args=[world.pv.pk]),
    ):
        assert client.get(url).status_code in (403, 404)
    assert not AccessLog.objects.exists()
