from __future__ import annotations

import time

import pytest

from tigre import health


@pytest.fixture
def worker_ok(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real worker is exercised in tests/notifications (marked "worker"); here only the view's logic.
    monkeypatch.setattr(health, "check_worker", lambda deadline: "ok")


@pytest.mark.django_db(transaction=True)
def test_healthz_ok_when_database_broker_and_worker_answer(client, worker_ok) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "worker": "ok"}


def test_healthz_needs_no_login_and_reports_json(client, worker_ok, db) -> None:
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db(transaction=True)
def test_healthz_503_quickly_when_broker_is_down(client, settings, monkeypatch) -> None:
    from tigre.celery import app

    # A port where nothing listens: connection refused.
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    app.pool.force_close_all()
    monkeypatch.setattr(app, "_pool", None)
    start = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - start
    body = response.json()
    assert response.status_code == 503
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")
    assert body["worker"] == "error: broker unavailable"
    assert elapsed < 3.0


@pytest.mark.django_db(transaction=True)
def test_healthz_503_when_database_is_down(client, monkeypatch, worker_ok) -> None:
    monkeypatch.setattr(health, "check_database", lambda deadline: "error: OperationalError")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError"


@pytest.mark.django_db(transaction=True)
def test_check_database_reports_an_unreachable_server(settings) -> None:
    from django.db import connections

    conn = connections["default"]
    original = conn.settings_dict["PORT"]
    conn.close()
    conn.settings_dict["PORT"] = "1"
    try:
        result = health.check_database(time.monotonic() + 2)
    finally:
        conn.close()
        conn.settings_dict["PORT"] = original
    assert result.startswith("error")
