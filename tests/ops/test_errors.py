"""Server errors reach the ADMINS by mail, without patient data; the error pages say only what is true."""

from __future__ import annotations

import html
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tigre.ops import errors

ROOT = Path(__file__).resolve().parents[2]
PATIENT = {"patient-birth_name": "Durand", "patient-first_names": "Jeanne", "patient-ins": "2580412345678"}
ADMINS = [("Équipe technique", "tech@tigre.test")]


@pytest.fixture(autouse=True)
def _routes(settings: Any) -> Iterator[None]:
    settings.ROOT_URLCONF = "tests.ops.urls"
    settings.ADMINS = ADMINS
    handler = next(h for h in logging.getLogger("django.request").handlers if isinstance(h, errors.AdminMailHandler))
    handler._last_sent.clear()  # the throttle is per process: each test starts afresh
    handler._held_back.clear()
    yield
    errors.flush()


@pytest.fixture
def web() -> Client:
    return Client(raise_request_exception=False)


def _mails() -> list[Any]:
    assert errors.flush(), "the error mails were not sent"
    return list(mail.outbox)


@pytest.mark.django_db
def test_a_server_error_mails_the_admins_where_it_failed_without_patient_data(web: Client) -> None:
    response = web.post("/test-boom/?q=Durand", PATIENT)
    assert response.status_code == 500
    page = html.unescape(response.content.decode())
    assert "Une erreur est survenue" in page and "signalée automatiquement à l'équipe technique" in page
    assert "Durand" not in page
    [message] = _mails()
    assert message.to == ["tech@tigre.test"]
    assert message.subject == "[TIGRE e-RCP] ERROR ValueError POST /test-boom/"
    body = message.body
    assert "builtins.ValueError" in body and "Request: POST /test-boom/" in body
    assert 'tests/ops/urls.py", line' in body and "in boom" in body  # where it failed
    for secret in ("of Durand", "Jeanne", "2580412345678", "q="):  # (the source line itself may be quoted)
        assert secret not in body, secret
    assert "INS [INS masqué]" not in body  # not even the message as the log has it
    assert not message.alternatives  # no HTML report (it would carry the variables)


@pytest.mark.django_db
def test_one_mail_per_kind_of_error_and_the_next_one_counts_those_held_back(web: Client) -> None:
    for _ in range(3):
        assert web.post("/test-boom/", PATIENT).status_code == 500
    assert len(_mails()) == 1
    assert web.get("/test-other-boom/").status_code == 500  # another kind: mailed
    assert [m.subject for m in _mails()][-1] == "[TIGRE e-RCP] ERROR KeyError GET /test-other-boom/"
    handler = next(h for h in logging.getLogger("django.request").handlers if isinstance(h, errors.AdminMailHandler))
    handler._last_sent.clear()  # ten minutes later
    web.post("/test-boom/", PATIENT)
    assert "2 more of the same kind since the previous mail" in _mails()[-1].body


@pytest.mark.django_db
def test_without_admins_the_page_does_not_claim_anyone_was_told(web: Client, settings: Any) -> None:
    settings.ADMINS = []
    response = web.post("/test-boom/", PATIENT)
    page = html.unescape(response.content.decode())
    assert response.status_code == 500
    assert "équipe technique" not in page and "signalez-la au secrétariat" in page
    assert _mails() == []


@pytest.mark.django_db
def test_a_database_outage_gives_a_french_503_page(web: Client) -> None:
    response = web.get("/test-database-down/")
    assert response.status_code == 503
    page = html.unescape(response.content.decode())
    assert "Service momentanément indisponible" in page and "La base de données" in page
    assert "Ce qui était enregistré avant l'incident est conservé" in page


SENTRY_SCRIPT = r"""
import json, os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "tigre.settings.test"
django.setup()
from django.conf import settings
settings.ROOT_URLCONF = "tests.ops.urls"
from tigre.ops import sentry
events = []

def capture(event):  # a function as transport: given each event as Sentry would send it
    events.append(event)

sentry.init("http://public@127.0.0.1:9/1", environment="test", transport=capture)
from django.test import Client
Client(raise_request_exception=False).post("/test-boom/?q=Durand", json.loads(sys.argv[1]))
import sentry_sdk
sentry_sdk.flush(5)
print(json.dumps(events, default=str))
"""


def test_sentry_events_carry_no_patient_data() -> None:
    """The real SDK with its Django integration, in a process of its own (sentry_sdk.init is process-wide)."""
    out = subprocess.run(
        [sys.executable, "-c", SENTRY_SCRIPT, json.dumps(PATIENT)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    events = json.loads(out.strip().splitlines()[-1])
    assert events, "no event reached the transport"
    dump = json.dumps(events)
    assert "ValueError" in dump and "boom" in dump  # where it failed
    for secret in ("of Durand", "Jeanne", "2580412345678", "q=Durand"):
        assert secret not in dump, secret
