"""A Redis that accepts connections and never answers: the clinician's submission still succeeds within seconds,
its messages wait in the outbox, and a real worker delivers each of them once Redis is back."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from cases.models import Case, CaseStatus, Drug
from tests.cases.test_form import form_data
from tests.factories.cases import DrugFactory
from tests.factories.referents import OrganCategoryFactory, ToxicityEventFactory
from tests.helpers import login
from tests.notifications.test_worker import Mailbox, send, states, wait_for
from tests.ops.hanging import HangingServer
from tigre.celery import app
from tigre.notifications.models import Notification
from tigre.notifications.tasks import sweep_pending_notifications

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def drugs(db: Any) -> tuple[Drug, Drug]:
    return DrugFactory(name="nivolumab"), DrugFactory(name="ipilimumab", target=Drug.Target.CTLA4)


@pytest.fixture
def colitis(db: Any) -> Any:
    gi = OrganCategoryFactory(code="gastrointestinal", label="Digestif", specialty="gastroenterology")
    return ToxicityEventFactory(category=gi, code="colitis", label="Colite")


@pytest.fixture
def hanging() -> Iterator[HangingServer]:
    with HangingServer() as server:
        yield server


def test_a_submission_with_a_hanging_redis_succeeds_and_is_delivered_once_redis_is_back(
    box: Mailbox,
    client: Any,
    alice: Any,
    drugs: Any,
    colitis: Any,
    hanging: HangingServer,
) -> None:
    login(client, alice)
    token = re.search(
        r'name="form_token" value="([0-9a-f-]{36})"', client.get(reverse("cases:create")).content.decode()
    )
    assert token
    real_broker = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{hanging.port}/0"
    try:
        started = time.monotonic()
        response = client.post(reverse("cases:create"), form_data(drugs, colitis, form_token=token.group(1)))
        elapsed = time.monotonic() - started
    finally:
        app.conf.broker_url = real_broker
    case = Case.objects.get()
    assert hanging.connections >= 1  # the publish did reach the Redis that never answers
    assert elapsed < 4, f"the submission took {elapsed:.1f} s"
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.status == CaseStatus.SUBMITTED and case.reference
    rows = Notification.objects.filter(case=case)
    ids = list(rows.values_list("pk", flat=True))
    assert ids and states(ids) == {Notification.State.PENDING}
    time.sleep(0.5)
    assert box.notification_keys() == []
    # Redis is back; a minute later the sweep runs (twice, as a retry or a second beat would).
    rows.update(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2))
    send(sweep_pending_notifications)
    send(sweep_pending_notifications)
    assert wait_for(lambda: states(ids) == {Notification.State.SENT})
    time.sleep(0.5)
    assert sorted(box.notification_keys()) == sorted(rows.values_list("key", flat=True))  # each exactly once
