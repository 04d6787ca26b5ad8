"""The urgent TAG track: alert at once, first acknowledgement wins, urgent opinion, escalation once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings

from cases.messages import Kind
from cases.models import CaseStatus, StatusChange
from cases.tasks import escalate_unacknowledged_urgent_cases
from cases.urgent.services import (
    UrgentError,
    urgent_acknowledge,
    urgent_case_alert,
    urgent_escalate_overdue,
    urgent_opinion_record,
)
from meetings.models import AgendaItem, Participant
from tests.factories.accounts import UserFactory
from tests.factories.referents import AbsenceFactory
from tests.urgent_world import NOW
from tigre.notifications import services
from tigre.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_and_no_broker(monkeypatch: Any) -> Any:
    monkeypatch.setattr(services, "enqueue_deliveries", lambda ids: len(ids))
    with time_machine.travel(NOW, tick=False):
        yield


def recipients(kind: str, case: Any) -> set[str]:
    return set(Notification.objects.filter(kind=kind, case=case).values_list("recipient__email", flat=True))


def test_urgent_case_alerts_coordinators_referents_and_secretariat_at_once(
    urgent_case: Any, meeting: Any, cora: Any, sam: Any, cardio_primary: Any, cardio_backup: Any, cardio_no_urgent: Any
) -> None:
    other_coordinator = UserFactory(email="odile@chu-nancy.test", roles=["coordinator"])  # not on this meeting
    urgent_case_alert(case=urgent_case)
    got = recipients(Kind.URGENT_ALERT, urgent_case)
    assert {cora.email, sam.email, cardio_primary.user.email, cardio_backup.user.email} <= got
    assert cardio_no_urgent.user.email not in got  # does not take urgent requests
    assert other_coordinator.email not in got  # the coming meeting has its coordinators
    urgent_case.refresh_from_db()
    assert urgent_case.urgent_alerted_at == NOW


def test_urgent_alert_falls_back_to_all_coordinators_without_a_meeting(urgent_case: Any, cora: Any) -> None:
    other = UserFactory(email="odile@chu-nancy.test", roles=["coordinator"])
    urgent_case_alert(case=urgent_case)
    assert {cora.email, other.email} <= recipients(Kind.URGENT_ALERT, urgent_case)


def test_an_absent_referent_is_not_alerted(urgent_case: Any, cardio_primary: Any) -> None:
    AbsenceFactory(referent=cardio_primary, start=NOW.date(), end=NOW.date() + dt.timedelta(days=3))
    urgent_case_alert(case=urgent_case)
    assert cardio_primary.user.email not in recipients(Kind.URGENT_ALERT, urgent_case)


def test_urgent_alert_twice_alerts_once(urgent_case: Any, cora: Any) -> None:
    urgent_case_alert(case=urgent_case)
    urgent_case_alert(case=urgent_case)
    assert Notification.objects.filter(kind=Kind.URGENT_ALERT, recipient=cora).count() == 1


def test_first_acknowledgement_wins_and_the_others_see_who(
    urgent_case: Any, meeting: Any, cora: Any, cardio_primary: Any, alice: Any
) -> None:
    urgent_case_alert(case=urgent_case)
    case, mine = urgent_acknowledge(case=urgent_case, by=cardio_primary.user)
    assert mine and case.urgent_acknowledged_by == cardio_primary.user and case.urgent_acknowledged_at == NOW
    case, mine = urgent_acknowledge(case=urgent_case, by=cora)
    assert not mine and case.urgent_acknowledged_by_id == cardio_primary.user.pk
    # The requester and the others alerted are told who took it, once.
    told = recipients(Kind.URGENT_ACKNOWLEDGED, urgent_case)
    assert {alice.email, cora.email} <= told and cardio_primary.user.email not in told


def test_a_referent_not_alerted_cannot_acknowledge(urgent_case: Any, rita: Any, bob: Any) -> None:
    urgent_case_alert(case=urgent_case)
    for user in (rita, bob):
        with pytest.raises(UrgentError):
            urgent_acknowledge(case=urgent_case, by=user)


def test_urgent_opinion_tells_the_requester_accepts_and_puts_on_the_agenda_for_ratification(
    urgent_case: Any, meeting: Any, cardio_primary: Any, alice: Any
) -> None:
    urgent_case_alert(case=urgent_case)
    urgent_acknowledge(case=urgent_case, by=cardio_primary.user)
    urgent_opinion_record(case=urgent_case, by=cardio_primary.user, opinion="Arrêt définitif, méthylprednisolone 1 g/j")
    urgent_case.refresh_from_db()
    assert urgent_case.urgent_opinion.startswith("Arrêt définitif") and urgent_case.urgent_opinion_at == NOW
    assert recipients(Kind.URGENT_OPINION, urgent_case) == {alice.email}
    steps = list(StatusChange.objects.filter(case=urgent_case).values_list("to_status", flat=True))
    assert steps[-2:] == [CaseStatus.ACCEPTED, CaseStatus.SCHEDULED]
    item = AgendaItem.objects.get(case=urgent_case)
    assert item.meeting == meeting and item.kind == AgendaItem.Kind.URGENT_RATIFICATION


def test_the_opinion_s_author_is_stored_and_invited_to_its_ratification(
    urgent_case: Any, meeting: Any, cardio_primary: Any, cardio_backup: Any
) -> None:
    urgent_case_alert(case=urgent_case)
    urgent_acknowledge(case=urgent_case, by=cardio_backup.user)
    urgent_opinion_record(case=urgent_case, by=cardio_backup.user, opinion="Méthylprednisolone 1 g/j, USIC")
    urgent_case.refresh_from_db()
    assert urgent_case.urgent_opinion_by == cardio_backup.user
    invited = dict(Participant.objects.filter(meeting=meeting, invited=True).values_list("user_id", "role"))
    # The primary is invited for the heart; the backup who gave the opinion is invited to ratify it.
    assert invited[cardio_backup.user.pk] == Participant.Role.REFERENT
    assert cardio_primary.user.pk in invited


def test_only_the_acknowledging_physician_gives_the_opinion(urgent_case: Any, cora: Any, cardio_primary: Any) -> None:
    urgent_case_alert(case=urgent_case)
    urgent_acknowledge(case=urgent_case, by=cardio_primary.user)
    with pytest.raises(UrgentError):
        urgent_opinion_record(case=urgent_case, by=cora, opinion="Avis de quelqu'un d'autre")
    with pytest.raises(UrgentError, match="Rédigez"):
        urgent_opinion_record(case=urgent_case, by=cardio_primary.user, opinion="   ")


@override_settings(TIGRE={**settings.TIGRE, "URGENT_ESCALATION_MINUTES": 120})
def test_escalation_after_two_hours_goes_to_all_coordinators_and_backups_once(
    urgent_case: Any, meeting: Any, cora: Any, cardio_primary: Any, cardio_backup: Any
) -> None:
    other_coordinator = UserFactory(email="odile@chu-nancy.test", roles=["coordinator"])
    urgent_case_alert(case=urgent_case)
    with time_machine.travel(NOW + dt.timedelta(minutes=119), tick=False):
        assert escalate_unacknowledged_urgent_cases() == 0
    with time_machine.travel(NOW + dt.timedelta(minutes=121), tick=False):
        assert escalate_unacknowledged_urgent_cases() == 1
        assert escalate_unacknowledged_urgent_cases() == 0  # once only
    got = recipients(Kind.URGENT_ESCALATION, urgent_case)
    assert got == {cora.email, other_coordinator.email, cardio_backup.user.email}
    urgent_case.refresh_from_db()
    assert urgent_case.urgent_escalated_at == NOW + dt.timedelta(minutes=121)


def test_no_escalation_once_acknowledged(urgent_case: Any, cardio_primary: Any) -> None:
    urgent_case_alert(case=urgent_case)
    urgent_acknowledge(case=urgent_case, by=cardio_primary.user)
    assert urgent_escalate_overdue(now=NOW + dt.timedelta(hours=5)) == []
    assert not Notification.objects.filter(kind=Kind.URGENT_ESCALATION).exists()
