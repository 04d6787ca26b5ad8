"""One new-request form makes one request, however many times it is sent (a double click, two tabs)."""

from __future__ import annotations

import html
import re
import threading
import uuid
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from cases.messages import Kind
from cases.models import Case, CaseStatus, Drug, Patient
from tests.cases.test_form import _frozen, form_data  # noqa: F401 (_frozen: the same frozen day, autouse)
from tests.factories.cases import DrugFactory
from tests.helpers import login
from tigre.notifications.models import Notification

TOKEN_RE = re.compile(r'name="form_token" value="([0-9a-f-]{36})"')


@pytest.fixture
def drugs(db: Any) -> tuple[Drug, Drug]:
    return DrugFactory(name="nivolumab"), DrugFactory(name="ipilimumab", target=Drug.Target.CTLA4)


def _token(client: Any) -> str:
    response = client.get(reverse("cases:create"))
    match = TOKEN_RE.search(response.content.decode())
    assert match, "the new-request form carries no token"
    return match.group(1)


def _assert_already_submitted(response: Any, case: Case) -> None:
    assert response.status_code == 409
    body = html.unescape(response.content.decode())
    assert "Cette demande a déjà été soumise" in body
    assert case.reference and case.reference in body
    assert f'href="{reverse("cases:detail", args=[case.pk])}"' in body
    assert "ne peut pas encore être soumise" not in body  # no contradicting message beside it


@pytest.mark.django_db
def test_each_new_form_carries_a_token_of_its_own(client: Any, alice: Any) -> None:
    login(client, alice)
    first, second = _token(client), _token(client)
    assert uuid.UUID(first) != uuid.UUID(second)


@pytest.mark.django_db
def test_a_double_click_on_submit_makes_one_request_and_the_second_answer_links_to_it(
    client: Any, alice: Any, drugs: Any, colitis: Any
) -> None:
    login(client, alice)
    data = form_data(drugs, colitis, form_token=_token(client))
    first = client.post(reverse("cases:create"), data)
    second = client.post(reverse("cases:create"), data)
    case = Case.objects.get()
    assert first.status_code == 302 and first["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.status == CaseStatus.SUBMITTED
    _assert_already_submitted(second, case)
    assert Patient.objects.count() == 1
    assert Notification.objects.filter(kind=Kind.REQUEST_RECEIVED).count() == 1


@pytest.mark.django_db
def test_a_draft_saved_twice_from_one_new_form_is_one_draft(client: Any, alice: Any, drugs: Any, colitis: Any) -> None:
    login(client, alice)
    token = _token(client)
    first = client.post(reverse("cases:create"), form_data(drugs, colitis, action="save", form_token=token))
    second = client.post(
        reverse("cases:create"),
        form_data(drugs, colitis, action="save", form_token=token, **{"case-question": "Et la corticothérapie ?"}),
    )
    case = Case.objects.get()
    assert first["Location"] == second["Location"] == reverse("cases:edit", args=[case.pk])
    assert case.status == CaseStatus.DRAFT and case.question == "Et la corticothérapie ?"  # the last one kept


@pytest.mark.django_db
def test_the_same_draft_submitted_from_two_tabs_says_it_was_already_submitted(
    client: Any, alice: Any, drugs: Any, colitis: Any
) -> None:
    login(client, alice)
    client.post(reverse("cases:create"), form_data(drugs, colitis, action="save", form_token=_token(client)))
    case = Case.objects.get()
    url = reverse("cases:edit", args=[case.pk])
    data = form_data(drugs, colitis, case_pk=str(case.pk))
    assert client.post(url, data).status_code == 302  # the first tab
    second_tab = client.post(url, data)
    case.refresh_from_db()
    _assert_already_submitted(second_tab, case)
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_another_users_token_gives_them_nothing(client: Any, alice: Any, bob: Any, drugs: Any, colitis: Any) -> None:
    login(client, alice)
    token = _token(client)
    client.post(reverse("cases:create"), form_data(drugs, colitis, form_token=token))
    alices = Case.objects.get()
    bobs_browser = Client()
    login(bobs_browser, bob)
    response = bobs_browser.post(reverse("cases:create"), form_data(drugs, colitis, form_token=token))
    assert response.status_code == 302 and response["Location"] == reverse("cases:my_cases")
    assert list(Case.objects.all()) == [alices]  # neither a case of bob's, nor a change to alice's
    page = html.unescape(bobs_browser.get(response["Location"]).content.decode())
    assert "Ce formulaire n'est plus valable" in page and alices.reference not in page


@pytest.mark.django_db
def test_an_altered_token_is_ignored(client: Any, alice: Any, drugs: Any, colitis: Any) -> None:
    login(client, alice)
    response = client.post(reverse("cases:create"), form_data(drugs, colitis, form_token="pas-un-jeton"))
    assert response.status_code == 302
    assert Case.objects.get().form_token is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_of_one_new_form_make_one_request(alice: Any, drugs: Any, colitis: Any) -> None:
    """Four POSTs of the same form at the same instant, each on its own database connection."""
    senders = 4
    client = Client()
    login(client, alice)
    data = form_data(drugs, colitis, form_token=_token(client))
    clients = []
    for _ in range(senders):
        c = Client()
        login(c, alice)
        clients.append(c)
    barrier = threading.Barrier(senders)
    answers: list[int] = []
    errors: list[BaseException] = []

    def send(c: Client) -> None:
        try:
            barrier.wait(timeout=10)
            answers.append(c.post(reverse("cases:create"), data).status_code)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    case = Case.objects.get()
    assert case.status == CaseStatus.SUBMITTED and Patient.objects.count() == 1
    assert sorted(answers) == [302] + [409] * (senders - 1)  # one "submitted", the others "already submitted"
    assert Notification.objects.filter(kind=Kind.REQUEST_RECEIVED, case=case).count() == 1
