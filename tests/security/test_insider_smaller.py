"""Issue 17, finding 7: drafts belong to their authors; CSV cells neutralised; Cache-Control on every page of a
logged-in user; an imported referent activates the account from the e-mail and logs in."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from cases.models import Attachment
from referents.csv_io import export_csv, referents_import
from tests.factories.cases import CaseFactory
from tests.factories.referents import CentreFactory, ReferentFactory
from tests.helpers import login
from tests.security.conftest import url_kwargs
from tests.test_url_walk import PUBLIC_URL_NAMES, all_urls
from tigre.accounts import activation
from tigre.accounts.models import User
from tigre.lib.csvsafe import csv_cell

pytestmark = pytest.mark.django_db


# --- Drafts ----------------------------------------------------------------------------------------------------


@pytest.fixture
def draft(alice):
    case = CaseFactory(requester=alice)
    attachment = Attachment.objects.create(
        case=case,
        file=ContentFile(b"%PDF-1.4 brouillon", name="b.pdf"),
        original_name="b.pdf",
        content_type="application/pdf",
        size=18,
        sha256="1" * 64,
        uploaded_by=alice,
    )
    return case, attachment


@pytest.mark.parametrize("who", ["sam", "victor", "cora"])
def test_the_board_gets_404_on_someone_elses_draft_and_its_attachments(request, draft, who) -> None:
    case, attachment = draft
    client = login(Client(), request.getfixturevalue(who))
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    url = reverse("cases:attachment_download", args=[case.pk, attachment.pk])
    assert client.get(url).status_code == 404


def test_the_author_and_a_co_requester_open_the_draft(draft, alice, bob) -> None:
    case, attachment = draft
    case.co_requesters.add(bob)
    for user in (alice, bob):
        client = login(Client(), user)
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
        assert client.get(reverse("cases:attachment_download", args=[case.pk, attachment.pk])).status_code == 200


# --- CSV -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+33 3 83", "'+33 3 83"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Cardiologie", "Cardiologie"),
        (3, 3),
    ],
)
def test_a_cell_is_made_inert(value, written) -> None:
    assert csv_cell(value) == written


def test_the_directory_export_writes_formulas_as_text() -> None:
    ReferentFactory(notes='=HYPERLINK("http://evil.test","Cliquez")', phone="+33 3 83 00 00 00")
    buffer = io.StringIO()
    export_csv(buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue().lstrip("\ufeff")), delimiter=";"))
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil.test","Cliquez")' in cells
    assert "'+33 3 83 00 00 00" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


# --- Cache-Control ---------------------------------------------------------------------------------------------


def _get_urls() -> list[tuple[str, str]]:
    return [
        (p, n)
        for p, n in all_urls()
        if n and not p.startswith("admin/") and n not in PUBLIC_URL_NAMES and n != "accounts:logout"
    ]


def test_every_page_of_a_logged_in_user_is_private_no_store(world) -> None:
    """Every URL of the walk, GET as the coordinator (and as the clinician): whatever the answer (a page, a PDF, a
    refusal, a redirect), the browser and proxies are told to keep nothing."""
    checked = 0
    for role in ("coordinator", "clinician"):
        client = login(Client(), world.users[role])
        paths = [(name, reverse(name, kwargs=url_kwargs(name, pattern, world))) for pattern, name in _get_urls()]
        for name, path in [*paths, ("admin", "/admin/")]:
            response = client.get(path)
            header = response.get("Cache-Control", "")
            directives = {part.strip().split("=")[0] for part in header.split(",")}
            assert {"private", "no-store"} <= directives, (role, name, response.status_code, header)
            checked += 1
    assert checked > 100


# --- Activation ------------------------------------------------------------------------------------------------


def test_an_imported_referent_activates_the_account_from_the_email_and_logs_in(monkeypatch, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sent_ids: list[int] = []
    monkeypatch.setattr(activation.app, "send_task", lambda name, args: sent_ids.extend(args[0]))
    CentreFactory(name="CHRU de Nancy", city="Nancy", kind="chu")
    header = "email;nom;prenom;titre;specialite;centre;ville;titulaire;suppleant;urgences;telephone;email_contact;actif"
    row = "ines.morel@chru-nancy.test;Morel;Inès;Dr;Cardiologie;CHRU de Nancy;Nancy;heart;;oui;;;oui"
    with django_on_commit():
        report = referents_import(data=f"{header}\n{row}\n".encode())
    assert report.applied and report.created == 1
    user = User.objects.get(email="ines.morel@chru-nancy.test")
    assert not user.has_usable_password()
    assert sent_ids == [user.pk]
    from tigre.accounts.tasks import send_activation

    assert send_activation(sent_ids) == 1  # what the worker runs
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "activez votre compte" in message.subject
    assert "valable 3 jours" in message.body
    link = re.search(r"https?://\S+/compte/mot-de-passe/nouveau/\S+/", message.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    client = Client()
    response = client.get("/" + path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else "/" + path
    new_password = "Une-phrase-de-passe-solide-2026"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302, response.content.decode()[:1000]
    user.refresh_from_db()
    assert user.has_usable_password() and user.check_password(new_password)
    response = Client().post(reverse("accounts:login"), {"username": user.email, "password": new_password})
    assert response.status_code == 302
    # The link serves once: the password it set changes the token's hash.
    assert Client().get("/" + path, follow=True).context["validlink"] is False
    assert send_activation(sent_ids) == 0  # an account with a password gets no second mail


def test_the_activation_link_expires(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = User.objects.create(email="late@chru-nancy.test", first_name="L", last_name="Late")
    user.set_unusable_password()
    user.save()
    link = activation.activation_link(user)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    import time_machine
    from django.utils import timezone

    # A day past the timeout (time_machine's naive local clock may differ from the real one by the UTC offset).
    later = timezone.now() + timezone.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 86400)
    with time_machine.travel(later):
        response = Client().get(path, follow=True)
    assert response.context["validlink"] is False


def django_on_commit():
    """Run on_commit callbacks at the end of the block (the test runs inside a transaction)."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)
