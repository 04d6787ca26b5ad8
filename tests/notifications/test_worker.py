"""Integration: a real Celery worker (subprocess) on the real Redis, a real SMTP server on 127.0.0.1.

The worker consumes a queue of its own (a fresh name per run, purged first), so stray messages of other tests
never reach it, and it reads the same test database as pytest (transactional tests: data is committed).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import os
import queue as queue_module
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection, transaction

from cases.messages import Kind
from cases.models import Case, CaseStatus, Urgency
from cases.pharmacovigilance.tasks import remind_pv_to_declare
from tests.factories.cases import CaseFactory, DrugFactory, ImmunotherapyLineFactory, PatientFactory, ToxicityFactory
from tigre.celery import app
from tigre.notifications.models import Notification
from tigre.notifications.services import notify
from tigre.notifications.tasks import sweep_pending_notifications

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 20.0


class Mailbox:
    """aiosmtpd handler: records what it accepts; can answer 451 (temporary) or 550 (permanent)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[Any] = []
        self.refuse_next = 0  # answer 451 to the next N DATA commands
        self.refused = 0
        self.unknown: set[str] = set()  # answer 550 to these recipients
        self.hang: set[str] = set()  # never answer DATA for these recipients (the sender waits)
        self.hung: queue_module.Queue[int] = queue_module.Queue()  # the client port of each session left hanging

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.refuse_next = self.refused = 0
            self.unknown.clear()
            self.hang.clear()
            self.hung = queue_module.Queue()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address in self.unknown:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.hang.intersection(envelope.rcpt_tos):
            self.hung.put(session.peer[1])
            await asyncio.sleep(60)  # the test kills the sender meanwhile
            return "451 4.3.0 Too late"
        with self.lock:
            if self.refuse_next > 0:
                self.refuse_next -= 1
                self.refused += 1
                return "451 4.3.0 Mailbox busy, try again later"
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"

    def notification_keys(self) -> list[str]:
        with self.lock:
            return [m["X-TIGRE-Notification"] for m in self.messages]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture(scope="module")
def worker(django_db_setup: Any, django_db_blocker: Any, mailbox: tuple[Mailbox, int]) -> Iterator[str]:
    """Start `celery -A tigre worker` on a queue of its own; stop it at the end."""
    import redis

    _box, port = mailbox
    queue = f"tigre-test-notifications-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    broker = settings.CELERY_BROKER_URL
    redis.Redis.from_url(broker).delete(queue, "celery")  # purge first
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": broker,
        "TIGRE_TEST_SMTP_PORT": str(port),
        "TIGRE_TEST_QUEUE": queue,
        "PYTHONPATH": str(ROOT),
    }
    celery = str(Path(sys.executable).with_name("celery"))
    log = open(f"/tmp/tigre-test-worker-{queue}.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [
            celery,
            "-A",
            "tigre",
            "worker",
            "-Q",
            queue,
            "-c",
            "2",
            "-P",
            "prefork",
            "-l",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    old_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(Path(log.name).read_text()[-3000:])
            if "ready." in Path(log.name).read_text():
                break
            time.sleep(0.2)
        else:
            raise RuntimeError("worker did not start:\n" + Path(log.name).read_text()[-3000:])
        yield queue
    finally:
        app.conf.task_default_queue = old_queue
        proc.send_signal(signal.SIGQUIT)  # cold shutdown: the tests are over, nothing is in flight
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        redis.Redis.from_url(broker).delete(queue)


@pytest.fixture
def box(mailbox: tuple[Mailbox, int], worker: str) -> Mailbox:
    mailbox[0].reset()
    return mailbox[0]


def send(task: Any) -> None:
    """Enqueue on a fresh connection (as the app's own enqueue does), not on the app's shared pool, which
    another test may have closed."""
    with app.connection_for_write() as conn:
        task.apply_async(connection=conn)


def wait_for(check: Callable[[], bool], timeout: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def states(ids: list[int]) -> set[str]:
    return set(Notification.objects.filter(pk__in=ids).values_list("state", flat=True))


def urgent_draft(requester: Any, event: Any) -> Any:
    patient = PatientFactory(birth_name="Durand", first_names="Jeanne", treating_centre=requester.centre)
    case = CaseFactory(
        patient=patient,
        requester=requester,
        requester_centre=requester.centre,
        urgency=Urgency.URGENT,
        urgency_reason="Myocardite grade 4, troponine en hausse",
    )
    ImmunotherapyLineFactory(case=case, start_date=dt.date(2026, 1, 5), drugs=[DrugFactory(name="pembrolizumab")])
    ToxicityFactory(case=case, event=event, grade=4, onset_date=dt.date(2026, 3, 1))
    return case


def submit(case: Any, by: Any) -> None:
    from cases.services import case_submit

    with transaction.atomic():
        case_submit(case=case, by=by)


def test_urgent_submission_reaches_coordinators_and_referents_and_ends_sent(
    box: Mailbox, alice: Any, cora: Any, sam: Any, meeting: Any, cardio_primary: Any, myocarditis: Any
) -> None:
    case = urgent_draft(alice, myocarditis)
    submit(case, alice)
    alerts = Notification.objects.filter(case=case, kind=Kind.URGENT_ALERT)
    assert set(alerts.values_list("recipient__email", flat=True)) == {cora.email, sam.email, cardio_primary.user.email}
    ids = list(Notification.objects.filter(case=case).values_list("pk", flat=True))  # alerts + "request received"
    assert wait_for(lambda: states(ids) == {Notification.State.SENT})
    assert sorted(box.notification_keys()) == sorted(
        Notification.objects.filter(pk__in=ids).values_list("key", flat=True)
    )
    body = box.messages[0].get_payload()[0].get_payload(decode=True).decode()
    assert "Durand" not in body and "Jeanne" not in body  # no patient name by e-mail


def test_broker_down_at_submission_then_the_sweep_delivers_each_once(
    box: Mailbox, alice: Any, cora: Any, sam: Any, meeting: Any, cardio_primary: Any, myocarditis: Any
) -> None:
    case = urgent_draft(alice, myocarditis)
    real_broker = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:9/0"  # nothing listens there
    try:
        started = time.monotonic()
        submit(case, alice)
        assert time.monotonic() - started < 5  # the request does not hang on a dead broker
    finally:
        app.conf.broker_url = real_broker
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.reference
    rows = Notification.objects.filter(case=case)
    ids = list(rows.values_list("pk", flat=True))
    assert len(ids) == 4  # received + 3 alerts
    time.sleep(0.5)
    assert states(ids) == {Notification.State.PENDING} and box.notification_keys() == []
    # The broker is back; a minute later the sweep runs (twice, as two beats or a retry would).
    rows.update(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2))
    send(sweep_pending_notifications)
    send(sweep_pending_notifications)
    assert wait_for(lambda: states(ids) == {Notification.State.SENT})
    send(sweep_pending_notifications)
    time.sleep(0.5)
    keys = box.notification_keys()
    assert sorted(keys) == sorted(rows.values_list("key", flat=True))  # exactly once each
    assert Case.objects.filter(pk=case.pk, status=CaseStatus.SUBMITTED).exists()


def test_a_rolled_back_transaction_sends_nothing(box: Mailbox, alice: Any) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(kind=Kind.REQUEST_RECEIVED, recipients=[alice], key="rolled-back", subject="Objet")
        raise RuntimeError("the business change failed")
    committed = notify(
        kind=Kind.INFO_ANSWERED, recipients=[alice], key="committed", subject="Objet"
    )  # autocommit: sent at once
    assert wait_for(lambda: states([committed[0].pk]) == {Notification.State.SENT})
    assert not Notification.objects.filter(key__contains="rolled-back").exists()
    assert [k for k in box.notification_keys() if "rolled-back" in k] == []


def test_a_reminder_run_twice_sends_once(box: Mailbox, victor: Any) -> None:
    from tests.factories.pharmacovigilance import PvFollowUpFactory

    PvFollowUpFactory(status="to_declare", status_changed_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=10))
    send(remind_pv_to_declare)
    send(remind_pv_to_declare)
    assert wait_for(lambda: Notification.objects.filter(kind=Kind.PV_REMINDER, state="sent").exists())
    time.sleep(0.5)
    assert Notification.objects.filter(kind=Kind.PV_REMINDER).count() == 1
    assert len(box.notification_keys()) == 1 and box.messages[0]["To"] == victor.email


def test_smtp_failures_are_retried_and_end_sent_or_failed_with_the_error(box: Mailbox, alice: Any, bob: Any) -> None:
    box.refuse_next = 2  # "451 try again later" twice, then accepted
    box.unknown.add(bob.email)  # "550 no such user": permanent
    flaky = notify(kind=Kind.REQUEST_RECEIVED, recipients=[alice], key="flaky-smtp", subject="Objet")[0]
    refused = notify(kind=Kind.REQUEST_RECEIVED, recipients=[bob], key="unknown-mailbox", subject="Objet")[0]
    assert wait_for(lambda: states([flaky.pk]) == {Notification.State.SENT})
    assert wait_for(lambda: states([refused.pk]) == {Notification.State.FAILED})
    flaky.refresh_from_db()
    refused.refresh_from_db()
    assert box.refused == 2 and flaky.attempts == 3
    assert "451" in flaky.last_error  # the refusals are kept on record
    assert refused.attempts == 1 and "550" in refused.last_error  # not retried: it would not get better
    assert box.notification_keys() == [flaky.key]


def _worker_process_with_connection(client_port: int, smtp_port: int, queue: str) -> int:
    """The pid of this test's worker process that holds the SMTP connection from ``client_port`` (Linux /proc)."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if local_port == client_port and remote_port == smtp_port:
                inode = fields[9]
    assert inode is not None, f"no connection from port {client_port}"
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if queue not in (proc / "cmdline").read_text():  # only this test's worker (parent and pool children)
                continue
            if any(os.readlink(fd) == f"socket:[{inode}]" for fd in (proc / "fd").iterdir()):
                return int(proc.name)
        except OSError:  # gone meanwhile, or not ours to read
            continue
    raise AssertionError(f"no worker process holds socket {inode}")


def test_a_send_killed_mid_way_counts_and_the_message_ends_failed_in_the_admin(
    box: Mailbox, mailbox: tuple[Mailbox, int], worker: str, alice: Any, adam: Any, client: Any
) -> None:
    """A message whose sending kills its worker (SIGKILL while the mail server has it) is counted at each try,
    re-delivered (at least once), and ends FAILED after MAX_ATTEMPTS instead of looping for ever."""
    _box, smtp_port = mailbox
    max_attempts = 4  # tests/notifications/worker_settings.py
    box.hang.add(alice.email)
    row = notify(kind=Kind.REQUEST_RECEIVED, recipients=[alice], key="kills-its-worker", subject="Objet")[0]
    kills = 0
    while kills < max_attempts:
        client_port = box.hung.get(timeout=TIMEOUT)  # a worker process is sending it, and waits for the server
        row.refresh_from_db()
        assert row.attempts == kills + 1 and row.state == Notification.State.PENDING  # counted before sending
        os.kill(_worker_process_with_connection(client_port, smtp_port, worker), signal.SIGKILL)
        kills += 1
    assert wait_for(lambda: states([row.pk]) == {Notification.State.FAILED})
    row.refresh_from_db()
    assert row.attempts == max_attempts
    assert "Interrupted" in row.last_error
    assert box.hung.empty() and box.notification_keys() == []  # not sent a fifth time
    from tests.helpers import login

    login(client, adam)  # with the second factor the admin requires
    page = client.get("/admin/notifications/notification/", {"state__exact": "failed"})
    assert page.status_code == 200
    assert f"/admin/notifications/notification/{row.pk}/change/" in page.content.decode()


def test_healthz_sees_the_worker(worker: str, client: Any) -> None:
    response = client.get("/healthz")
    assert response.json() == {"database": "ok", "broker": "ok", "worker": "ok"}
    assert response.status_code == 200
