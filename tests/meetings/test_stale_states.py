"""States that no longer hold once a meeting is validated (issue 19): the referent's count of cases awaiting
their avis, the agenda's referent warnings."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Avis
from meetings.models import Meeting
from tests.factories.session import AvisFactory, make_session
from tests.helpers import login

pytestmark = pytest.mark.django_db


def test_a_validated_avis_is_no_longer_awaited(client: Any, cora: Any) -> None:
    session = make_session(coordinator=cora, cases=2)
    login(client, session.cardiologist)
    url = reverse("meetings:my_meeting", args=[session.meeting.pk])
    assert "2 dossiers pour lesquels votre avis est attendu" in client.get(url).content.decode()
    first = session.items[0]
    AvisFactory(case=first.case, meeting=session.meeting, state=Avis.State.VALIDATED, validated_at=timezone.now())
    html = client.get(url).content.decode()
    assert "1 dossier pour lequel votre avis est attendu" in html
    second = session.items[1]
    AvisFactory(case=second.case, meeting=session.meeting, state=Avis.State.VALIDATED, validated_at=timezone.now())
    html = client.get(url).content.decode()
    assert "votre avis est attendu" not in html
    assert "avis validés" in html


@pytest.mark.parametrize(("status", "warned"), [(Meeting.Status.PUBLISHED, True), (Meeting.Status.VALIDATED, False)])
def test_referent_warnings_only_while_the_agenda_can_change(client: Any, sam: Any, cora: Any, status, warned) -> None:
    session = make_session(coordinator=cora, cases=1)
    session.items[0].needed_referents.all().delete()  # nobody covers its organ any more
    Meeting.objects.filter(pk=session.meeting.pk).update(status=status)
    login(client, sam)
    html = client.get(reverse("meetings:detail", args=[session.meeting.pk])).content.decode()
    assert ("Aucun référent" in html) is warned
