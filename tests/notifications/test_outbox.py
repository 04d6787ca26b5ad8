"""The outbox: rows in the caller's transaction, delivery after commit, idempotent, retried, swept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import override_settings

from cases.messages import Kind as CaseKind
from meetings.messages import Kind as MeetingKind
from tests.factories.accounts import UserFactory
from tests.factories.notifications import NotificationFactory
from tests.urgent_world import NOW
from tigre.notifications import delivery, services
from tigre.notifications.delivery import TemporaryDeliveryError, notification_deliver, notifications_sweep
from tigre.notifications.models import Notification
from tigre.notifications.services import Message, notify
from tigre.notifications.tasks import deliver_notification

from . import backends

pytestmark = pytest.mark.django_db
FLAKY = "tests.notifications.backends.FlakyBackend"


@pytest.fixture(autouse=True)
def _no_failures() -> Any:
    backends.FAILURES.clear()
    yield
    backends.FAILURES.clear()


@pytest.fixture
def enqueued(monkeypatch: Any) -> list[list[int]]:
    """Records what would be handed to the broker (the broker itself is exercised in test_worker.py)."""
    calls: list[list[int]] = []
    record = lambda ids: calls.append(list(ids)) or len(ids)  # noqa: E731
    monkeypatch.setattr(services, "enqueue_deliveries", record)  # after a notify
    monkeypatch.setattr(delivery, "enqueue_deliveries", record)  # after a sweep
    return calls


def test_notify_writes_one_row_per_recipient_and_enqueues_after_commit(
    alice: Any, bob: Any, enqueued: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows = notify(kind=CaseKind.REQUEST_RECEIVED, recipients=[alice, bob, alice], key="case1", subject="Objet")
        assert enqueued == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert {r.recipient_id for r in rows} == {alice.pk, bob.pk}
    assert enqueued == [[r.pk for r in rows]]
    assert all(r.state == Notification.State.PENDING for r in rows)
    assert rows[0].subject == "Objet" and rows[0].template == "emails/request_received"  # the prefix is the mail's


def test_notify_twice_with_the_same_key_creates_nothing_more(alice: Any, enqueued: Any) -> None:
    first = notify(kind=CaseKind.REQUEST_RECEIVED, recipients=[alice], key="case1", subject="Objet")
    again = notify(kind=CaseKind.REQUEST_RECEIVED, recipients=[alice], key="case1", subject="Objet")
    other_kind = notify(kind=MeetingKind.SCHEDULED, recipients=[alice], key="case1", subject="Objet")
    assert len(first) == 1 and again == [] and len(other_kind) == 1
    assert Notification.objects.filter(recipient=alice).count() == 2


def test_notify_skips_inactive_users(alice: Any, enqueued: Any) -> None:
    gone = UserFactory(is_active=False)
    rows = notify(kind=CaseKind.REQUEST_RECEIVED, recipients=[alice, gone, None], key="case1", subject="Objet")
    assert [r.recipient_id for r in rows] == [alice.pk]


def test_notify_in_a_rolled_back_transaction_leaves_nothing(
    alice: Any, enqueued: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(kind=CaseKind.REQUEST_RECEIVED, recipients=[alice], key="case1", subject="Objet")
        raise RuntimeError("business change failed")
    assert callbacks == []
    assert enqueued == []
    assert not Notification.objects.exists()


def test_notify_many_is_constant_in_queries(enqueued: Any, django_assert_max_num_queries: Any) -> None:
    users = UserFactory.create_batch(12)
    with django_assert_max_num_queries(3):
        rows = services.notify_many(
            kind=MeetingKind.SCHEDULED, messages=[Message(recipient=u, key=f"c{u.pk}", subject="Objet") for u in users]
        )
    assert len(rows) == 12


def test_delivery_sends_once_and_records_it(alice: Any) -> None:
    n = NotificationFactory(recipient=alice)
    assert notification_deliver(notification_id=n.pk) == "sent"
    assert notification_deliver(notification_id=n.pk) == "skipped"
    n.refresh_from_db()
    assert n.state == Notification.State.SENT and n.attempts == 1 and n.sent_at is not None
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert msg.to == [alice.email]
    assert msg.alternatives and msg.alternatives[0][1] == "text/html"
    assert msg.extra_headers["X-TIGRE-Notification"] == n.key


def test_a_failed_row_is_never_resent(alice: Any) -> None:
    n = NotificationFactory(recipient=alice, state=Notification.State.FAILED)
    assert notification_deliver(notification_id=n.pk) == "skipped"
    assert mail.outbox == []


@override_settings(EMAIL_BACKEND=FLAKY)
def test_temporary_smtp_error_counts_an_attempt_and_backs_off(alice: Any) -> None:
    n = NotificationFactory(recipient=alice)
    backends.FAILURES.append(backends.temporary())
    with time_machine.travel(NOW, tick=False), pytest.raises(TemporaryDeliveryError):
        notification_deliver(notification_id=n.pk)
    n.refresh_from_db()
    assert n.state == Notification.State.PENDING
    assert n.attempts == 1
    assert "451" in n.last_error
    assert n.next_attempt_at == NOW + dt.timedelta(seconds=delivery.backoff_seconds(1))
    # The next attempt goes through; the error of the first is kept as history.
    assert notification_deliver(notification_id=n.pk) == "sent"
    n.refresh_from_db()
    assert n.state == Notification.State.SENT and n.attempts == 2 and "451" in n.last_error
    assert len(mail.outbox) == 1


@override_settings(EMAIL_BACKEND=FLAKY)
def test_permanent_smtp_error_fails_at_once(alice: Any) -> None:
    n = NotificationFactory(recipient=alice)
    backends.FAILURES.append(backends.permanent())
    assert notification_deliver(notification_id=n.pk) == "failed"
    n.refresh_from_db()
    assert n.state == Notification.State.FAILED and n.attempts == 1
    assert "550" in n.last_error


@override_settings(EMAIL_BACKEND=FLAKY, NOTIFICATIONS={"MAX_ATTEMPTS": 3})
def test_task_retries_then_marks_failed_with_the_last_error(alice: Any) -> None:
    n = NotificationFactory(recipient=alice)
    backends.FAILURES.extend(backends.temporary() for _ in range(5))
    # Eager run: Celery's autoretry re-runs the task in process; the row's attempt cap ends it.
    deliver_notification.apply(args=[n.pk])
    n.refresh_from_db()
    assert n.state == Notification.State.FAILED
    assert n.attempts == 3
    assert "SMTPDataError" in n.last_error and "451" in n.last_error
    assert mail.outbox == []


def test_backoff_grows_exponentially_up_to_a_cap() -> None:
    with override_settings(NOTIFICATIONS={"RETRY_BACKOFF_SECONDS": 30, "RETRY_BACKOFF_MAX_SECONDS": 200}):
        assert [delivery.backoff_seconds(a) for a in (1, 2, 3, 4, 5)] == [30, 60, 120, 200, 200]


def test_sweep_takes_old_pending_rows_only_and_leases_them(alice: Any, enqueued: Any) -> None:
    with time_machine.travel(NOW - dt.timedelta(minutes=5), tick=False):
        old = NotificationFactory(recipient=alice)
        sent = NotificationFactory(recipient=alice, state=Notification.State.SENT)
        backing_off = NotificationFactory(recipient=alice, next_attempt_at=NOW + dt.timedelta(minutes=1))
    with time_machine.travel(NOW - dt.timedelta(seconds=20), tick=False):
        young = NotificationFactory(recipient=alice)
    with time_machine.travel(NOW, tick=False):
        assert notifications_sweep() == [old.pk]
    # A minute later the backoff is over and the young row is old enough; the swept row is leased.
    assert sorted(notifications_sweep(now=NOW + dt.timedelta(minutes=1))) == sorted([backing_off.pk, young.pk])
    assert notifications_sweep(now=NOW + dt.timedelta(minutes=4)) == []
    # The lease ends: a row whose delivery message was lost again is swept again.
    assert notifications_sweep(now=NOW + dt.timedelta(minutes=5, seconds=1)) == [old.pk]
    assert sent.pk not in enqueued_ids(enqueued)
    assert enqueued == []  # no transaction commit in this test: nothing handed to the broker


def enqueued_ids(calls: list[list[int]]) -> set[int]:
    return {pk for ids in calls for pk in ids}


def test_sweep_then_delivery_sends_each_row_exactly_once(
    alice: Any, bob: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The broker was down: rows pending. Two sweeps and a duplicate delivery message still send each once."""
    with time_machine.travel(NOW - dt.timedelta(minutes=3), tick=False):
        rows = [NotificationFactory(recipient=u) for u in (alice, bob)]
    results: list[str] = []
    monkeypatch.setattr(
        delivery,
        "enqueue_deliveries",
        lambda ids: results.extend(notification_deliver(notification_id=i) for i in ids),
    )
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            swept = notifications_sweep()
        with django_capture_on_commit_callbacks(execute=True):
            assert notifications_sweep() == []  # leased: a second sweep takes nothing
        results.extend(notification_deliver(notification_id=pk) for pk in swept)  # duplicate messages
    assert sorted(swept) == sorted(r.pk for r in rows)
    assert sorted(results) == ["sent", "sent", "skipped", "skipped"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, bob.email])
    assert Notification.objects.filter(state=Notification.State.SENT).count() == 2


@pytest.mark.django_db(transaction=True)
@override_settings(EMAIL_BACKEND="tests.notifications.backends.SlowBackend")
def test_two_workers_given_the_same_row_send_it_once(alice: Any) -> None:
    import threading

    from django.db import connection

    n = NotificationFactory(recipient=alice)
    results: list[str] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        try:
            barrier.wait()
            results.append(notification_deliver(notification_id=n.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["sent", "skipped"]
    assert len(mail.outbox) == 1
    n.refresh_from_db()
    assert n.state == Notification.State.SENT and n.attempts == 1


def test_delivery_task_is_safe_against_lost_workers_and_hangs() -> None:
    assert deliver_notification.acks_late and deliver_notification.reject_on_worker_lost
    assert deliver_notification.time_limit and deliver_notification.soft_time_limit
    assert deliver_notification.autoretry_for == (TemporaryDeliveryError,)
    assert deliver_notification.retry_backoff and deliver_notification.max_retries >= 1
