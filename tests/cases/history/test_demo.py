"""The demo shows a patient presented again (earlier request closed, with its avis and answered follow-up) and a
follow-up due today; loading it twice adds nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases.followup.models import FollowUp
from cases.history import patient_history
from cases.models import CaseStatus, PresentedAgain
from tests.helpers import login
from tigre.accounts.models import User
from tigre.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_demo_presents_a_patient_again_and_has_a_follow_up_due(client: Any) -> None:
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    link = PresentedAgain.objects.select_related("case", "earlier").get()
    assert link.earlier.status == CaseStatus.CLOSED and link.case.status == CaseStatus.ACCEPTED
    history = patient_history(link.case)
    assert [entry.case for entry in history] == [link.earlier]
    assert history[0].avis is not None and history[0].follow_up is not None
    claire = User.objects.get(email="clinicien@demo.tigre")
    assert FollowUp.objects.filter(case__requester=claire, answered_at__isnull=True).count() == 1
    assert Notification.objects.filter(kind="follow_up", recipient=claire).count() == 2
    login(client, User.objects.get(email="secretariat@demo.tigre"))
    body = client.get(reverse("cases:detail", args=[link.case.pk])).content.decode()
    assert "Demandes antérieures de ce patient" in body and link.earlier.reference in body
