"""Sessions: a new key at login, ended server-side at logout, 30 minutes idle or 12 hours in all, and ended at
once when the account is deactivated."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories.accounts import TEST_PASSWORD
from tests.helpers import login
from tigre.accounts.services import user_deactivate, user_sessions_end

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)


def _home(client: Client) -> int:
    return client.get(reverse("home")).status_code


def test_login_gives_a_new_session_key(client, alice) -> None:
    client.get(reverse("accounts:login"))
    session = client.session
    session["planted"] = "by an attacker"  # a fixation attempt: a key known before login
    session.save()
    before = session.session_key
    response = client.post(reverse("accounts:login"), {"username": alice.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_logout_deletes_the_session_server_side(client, alice) -> None:
    client.post(reverse("accounts:login"), {"username": alice.email, "password": TEST_PASSWORD})
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    # Replaying the old cookie gets nothing.
    replay = Client()
    replay.cookies["sessionid"] = key
    assert _home(replay) == 302


def test_logout_by_get_is_refused(client, alice) -> None:
    login(client, alice)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert _home(client) == 200


def test_idle_session_expires_after_30_minutes(client, alice) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        login(client, alice)
        assert _home(client) == 200
        traveller.shift(dt.timedelta(minutes=29))
        assert _home(client) == 200  # activity refreshes the clock
        traveller.shift(dt.timedelta(minutes=29))
        assert _home(client) == 200
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert "_auth_user_id" not in client.session


def test_expired_session_shows_a_french_message(client, alice) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        login(client, alice)
        traveller.shift(dt.timedelta(minutes=45))
        response = client.get(reverse("home"), follow=True)
    assert "Votre session a expiré" in response.content.decode()


def test_active_session_ends_after_12_hours_in_all(client, alice) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        login(client, alice)
        for _ in range(28):  # a request every 25 minutes: 11 h 40 after login
            traveller.shift(dt.timedelta(minutes=25))
            assert _home(client) == 200
        traveller.shift(dt.timedelta(minutes=15))  # 11 h 55
        assert _home(client) == 200
        traveller.shift(dt.timedelta(minutes=10))  # 12 h 05
        assert _home(client) == 302


def test_the_cookie_itself_lives_12_hours_at_most(settings) -> None:
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_IDLE_SECONDS == 30 * 60
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_deactivating_a_user_ends_their_sessions(alice, bob) -> None:
    a1, a2, b1 = Client(), Client(), Client()
    login(a1, alice)
    login(a2, alice)
    login(b1, bob)
    user_deactivate(user=alice)
    alice.refresh_from_db()
    assert not alice.is_active
    assert _home(a1) == 302 and _home(a2) == 302
    assert _home(b1) == 200
    assert user_sessions_end(user=alice) == 0


def test_deactivating_in_the_admin_ends_the_sessions(client, adam, alice) -> None:
    victim = Client()
    login(victim, alice)
    login(client, adam)
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("password", "groups")}
    data.update(
        {
            "groups": list(alice.groups.values_list("pk", flat=True)),
            "is_active": "",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": timezone.localtime(alice.date_joined).strftime("%d/%m/%Y"),
            "date_joined_1": timezone.localtime(alice.date_joined).strftime("%H:%M:%S"),
        }
    )
    data.pop("is_active")
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    alice.refresh_from_db()
    assert not alice.is_active
    assert _home(victim) == 302
