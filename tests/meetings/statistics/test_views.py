"""The dashboard and the report pages: who may see what, bad periods answered in French with a 400, the report
asked for, made and downloaded, the same figure on the page, in the PDF and in the CSV, and a number of queries
that does not grow with the data."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re

import pytest
from django.urls import reverse

from cases.pharmacovigilance.models import PvStatus
from meetings.models import AgendaItem, Meeting
from meetings.statistics import periods, services
from meetings.statistics.models import ActivityReport
from tests.documents.pdfutil import flat, pdf_text
from tests.factories.pharmacovigilance import PvFollowUpFactory
from tests.helpers import login
from tigre.audit.models import AccessLog
from tigre.notifications.models import Notification

from .conftest import item, meeting, paris, present, request, urgent

pytestmark = pytest.mark.django_db

URL = "/activite/"
OCTOBER = {"periode": "month", "annee": "2026", "mois": "10"}


def october_world() -> None:
    """Two held meetings in October 2026: 5 discussed, 1 postponed; urgent requests; PV follow-ups."""
    first = meeting(dt.date(2026, 10, 7))
    second = meeting(dt.date(2026, 10, 14))
    for days in (2, 4, 10):
        item(first, request(first.starts_at - dt.timedelta(days=days)))
    item(first, request(paris(2026, 10, 1, 9)), AgendaItem.Outcome.POSTPONED)
    for days in (3, 5):
        item(second, request(second.starts_at - dt.timedelta(days=days)))
    present(first, "cardiology", "neurology", "oncology")
    present(second, "cardiology")
    urgent(paris(2026, 10, 2, 9), ack_after=dt.timedelta(minutes=30), opinion_after=dt.timedelta(hours=3))
    PvFollowUpFactory(status=PvStatus.DECLARED, created_at=paris(2026, 10, 8, 10), declared_on=dt.date(2026, 10, 12))
    PvFollowUpFactory(status=PvStatus.TO_DECLARE, created_at=paris(2026, 10, 8, 10))


def figure_on_page(page: str, key: str) -> str:
    match = re.search(rf'data-figure="{key}">([^<]+)<', page)
    assert match, key
    return match.group(1)


# --- Who sees what -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_clinicians_and_referents_get_403(client, who, request: pytest.FixtureRequest) -> None:
    login(client, request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert client.post(reverse("statistics:report_request"), OCTOBER).status_code == 403
    assert client.get(reverse("statistics:report_panel")).status_code == 403
    assert not ActivityReport.objects.exists()


@pytest.mark.parametrize("who", ["sam", "cora"])
def test_coordinators_and_the_secretariat_see_every_section_and_the_reports(client, who, request) -> None:
    login(client, request.getfixturevalue(who))
    response = client.get(URL, OCTOBER)
    page = response.content.decode()
    assert response.status_code == 200
    assert [s.key for s in response.context["dash"].sections] == [
        "activite",
        "delais",
        "reunion",
        "avis",
        "pharmacovigilance",
    ]
    assert "Taux de report" in page and "Préparer le rapport (octobre 2026)" in page


def test_the_crpv_sees_only_the_pharmacovigilance_part(client, victor) -> None:
    october_world()
    login(client, victor)
    response = client.get(URL, OCTOBER)
    page = response.content.decode()
    assert response.status_code == 200
    assert [s.key for s in response.context["dash"].sections] == ["pharmacovigilance"]
    assert "Délais" not in page and "Demandes soumises" not in page and "Taux de report" not in page
    assert figure_on_page(page, "pv_declared_share") == "50,0 %"
    assert "Préparer le rapport" not in page  # the report holds every section
    assert client.post(reverse("statistics:report_request"), OCTOBER).status_code == 403


def test_the_navigation_offers_the_page_to_the_board_staff_only(client, cora, victor, alice) -> None:
    for user, shown in ((cora, True), (victor, True), (alice, False)):
        login(client, user)
        assert (f'href="{URL}"' in client.get(reverse("home")).content.decode()) is shown, user


def test_an_anonymous_visitor_is_sent_to_login(client) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]


# --- The period chooser --------------------------------------------------------------------------------------


def test_without_a_period_the_page_shows_the_current_year(client, cora) -> None:
    login(client, cora)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["period"] == periods.current_year()
    assert 'value="year" selected' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"periode": "custom", "du": "2026-05-01", "au": "2026-01-01"}, "La date de début de période est après"),
        ({"periode": "custom", "du": "2026-05-01"}, "indiquez la date de début et la date de fin"),
        ({"periode": "custom", "du": "2015-01-01", "au": "2026-01-01"}, "ne peut pas dépasser cinq ans"),
        ({"periode": "custom", "du": "31/02/2026", "au": "2026-03-01"}, "Date de début invalide"),
        ({"periode": "month", "annee": "deux mille", "mois": "3"}, "Indiquez une année en chiffres"),
        ({"periode": "month", "annee": "2026", "mois": "13"}, "Sélectionnez un choix valide"),
        ({"periode": "quarter", "annee": "2026", "trimestre": "5"}, "Sélectionnez un choix valide"),
        ({"periode": "decade"}, "Sélectionnez un choix valide"),
        ({"periode": "year", "annee": "1999"}, "supérieure ou égale à 2000"),
        ({"periode": "year", "annee": "99999999999999999999"}, "Aucune activité n'est possible après l'an prochain"),
    ],
)
def test_a_bad_period_is_answered_400_in_french(client, cora, params, message) -> None:
    login(client, cora)
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert "dash" not in response.context or response.context.get("dash") is None


def test_a_bad_period_for_a_report_is_refused_and_nothing_is_queued(client, cora) -> None:
    login(client, cora)
    response = client.post(reverse("statistics:report_request"), {"periode": "custom", "du": "2026-02-01"})
    assert response.status_code == 400
    assert "indiquez la date de début et la date de fin" in response.content.decode()
    response = client.post(
        reverse("statistics:report_request"), {"periode": "custom", "du": "x"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400 and "Date de début invalide" in response.content.decode()
    assert not ActivityReport.objects.exists()


# --- Queries -------------------------------------------------------------------------------------------------


def _requests(n: int, held: Meeting) -> None:
    """``n`` submitted requests in October 2026 discussed at ``held``, written in bulk."""
    from cases.models import Case, CaseStatus, Patient
    from tests.factories.accounts import UserFactory

    requester = UserFactory(roles=["clinician"])
    patients = Patient.objects.bulk_create(
        [
            Patient(birth_name=f"Nom{n}-{i}", first_names="Prénom", sex="F", birth_date=dt.date(1950, 1, 1))
            for i in range(n)
        ]
    )
    cases = Case.objects.bulk_create(
        [
            Case(
                patient=p,
                requester=requester,
                status=CaseStatus.AVIS_VALIDATED,
                reference=f"TIGRE-2026-{n}-{i + 1:05d}",
                submitted_at=paris(2026, 10, 1 + i % 10, 9),
                highest_grade=1 + i % 5,
            )
            for i, p in enumerate(patients)
        ]
    )
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=held, case=c, position=n + i, outcome=AgendaItem.Outcome.DISCUSSED)
            for i, c in enumerate(cases)
        ]
    )


def _page_queries(ctx) -> int:  # type: ignore[no-untyped-def]
    """The page's own queries: the session's "last seen" stamp, written once a minute whatever the page
    (tigre/accounts/middleware.py), lands in one run or the other depending on how long the setup took."""
    own = [q["sql"] for q in ctx.captured_queries if "django_session" not in q["sql"]]
    return len([sql for sql in own if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))])


def test_the_page_reads_the_same_number_of_queries_for_10_and_1000_requests(client, cora) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, cora)
    held = meeting(dt.date(2026, 10, 14))
    counts, cached = [], []
    for n in (10, 990):
        _requests(n, held)
        cache.clear()  # figures computed afresh
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, OCTOBER)
        assert response.status_code == 200
        counts.append(_page_queries(ctx))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, OCTOBER).status_code == 200
        cached.append(_page_queries(ctx))
    assert response.context["dash"].figure("requests_total").display == "1000"
    assert counts[0] == counts[1], counts
    # Within five minutes the same period is read from the cache: none of the figures' queries.
    assert cached[0] == cached[1] and cached[0] <= counts[0] - 20, (counts, cached)


def test_the_cached_figures_are_kept_per_language_and_recomputed_after_five_minutes(client, cora) -> None:
    import time_machine

    login(client, cora)
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        first = client.get(URL, OCTOBER)
        assert first.context["dash"].computed_at == dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
        assert "Chiffres calculés le 02/11/2026 10:00" in first.content.decode()
        request(paris(2026, 10, 3, 9))
        again = client.get(URL, OCTOBER)
        assert again.context["dash"] is None  # from the cache
        assert figure_on_page(again.content.decode(), "requests_total") == "0"
        client.cookies["django_language"] = "en"
        english = client.get(URL, OCTOBER)
        assert english.context["dash"].sections[0].title == "Activity"
        assert figure_on_page(english.content.decode(), "requests_total") == "1"
        del client.cookies["django_language"]
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 6, tzinfo=dt.UTC), tick=False):
        assert figure_on_page(client.get(URL, OCTOBER).content.decode(), "requests_total") == "1"


def test_the_crpv_never_gets_the_coordinators_cached_page_nor_the_reverse(client, cora, victor) -> None:
    october_world()
    login(client, victor)
    assert "Taux de report" not in client.get(URL, OCTOBER).content.decode()
    login(client, cora)
    assert "Taux de report" in client.get(URL, OCTOBER).content.decode()
    login(client, victor)
    assert "Taux de report" not in client.get(URL, OCTOBER).content.decode()


def test_the_page_stays_within_its_query_budget(client, cora, django_assert_max_num_queries) -> None:
    october_world()
    login(client, cora)
    with django_assert_max_num_queries(32):
        assert client.get(URL, OCTOBER).status_code == 200


# --- The report ----------------------------------------------------------------------------------------------


def test_asking_for_a_report_queues_it_after_commit_once(client, cora, django_capture_on_commit_callbacks) -> None:
    login(client, cora)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("statistics:report_request"), OCTOBER)
    assert response.status_code == 302 and response["Location"].endswith("#rapports")
    report = ActivityReport.objects.get()
    assert (report.kind, report.first_day, report.last_day) == ("month", dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert report.status == ActivityReport.Status.PENDING and report.requested_by == cora
    assert len(callbacks) == 1
    # Asked again while it is on its way: the same report, nothing queued twice.
    with django_capture_on_commit_callbacks() as again:
        response = client.post(reverse("statistics:report_request"), OCTOBER, headers={"HX-Request": "true"})
    assert response.status_code == 200 and ActivityReport.objects.count() == 1 and again == []
    assert 'hx-trigger="every 2s"' in response.content.decode()  # the panel polls while it is made


def test_a_report_not_ready_is_not_served(client, cora, victor) -> None:
    report = ActivityReport.objects.create(kind="year", first_day=dt.date(2026, 1, 1), last_day=dt.date(2026, 12, 31))
    login(client, cora)
    assert client.get(reverse("statistics:report_download", args=[report.pk, "pdf"])).status_code == 404
    assert client.get(reverse("statistics:report_download", args=[report.pk + 1, "pdf"])).status_code == 404
    login(client, victor)
    assert client.get(reverse("statistics:report_download", args=[report.pk, "pdf"])).status_code == 403


def test_the_same_figures_on_the_page_in_the_pdf_and_in_the_csv(client, cora, sam, mailoutbox) -> None:
    october_world()
    report = services.report_request(period=periods.month(2026, 10), by=sam)
    made = services.report_generate(report_id=report.pk)
    assert made.status == ActivityReport.Status.READY and made.progress == 100 and made.pages >= 2

    login(client, cora)
    page = client.get(URL, OCTOBER).content.decode()
    pdf_response = client.get(reverse("statistics:report_download", args=[report.pk, "pdf"]))
    assert pdf_response["Content-Type"] == "application/pdf"
    pdf = flat(pdf_text(b"".join(pdf_response.streaming_content)))
    csv_response = client.get(reverse("statistics:report_download", args=[report.pk, "csv"]))
    assert 'filename="rapport-activite-tigre-2026-10.csv"' in csv_response["Content-Disposition"]
    body = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(body), delimiter=";"))
    by_label = {row[1]: row for row in table[4:] if len(row) > 4 and not row[2]}

    expected = {
        "cases_discussed": ("Dossiers discutés", "5", ""),
        "postponed_share": ("Taux de report", "16,7", "%"),
        "delay_discussion_median": ("Soumission → première discussion, médiane", "4,0", "j"),
        "delay_discussion_p90": ("Soumission → première discussion, 90e centile", "8,0", "j"),  # 2 3 4 5 10
        "urgent_ack_median": ("Urgence : alerte → prise en charge, médiane", "0,5", "h"),
        "quorum_share": ("Réunions avec quorum", "50,0", "%"),
        "pv_delay_median": ("Délai de déclaration, médiane", "4,0", "j"),
    }
    for key, (label, number, unit) in expected.items():
        display = f"{number} {unit}".strip()
        assert figure_on_page(page, key) == display, key
        assert display in pdf, key
        assert (by_label[label][3], by_label[label][4]) == (number, unit), key
    assert "non disponible (pas encore recueilli)" in pdf
    assert by_label["Avis conformes à un référentiel"][3] == "non disponible (pas encore recueilli)"
    assert "Rapport d'activité" in pdf and "Octobre 2026" in pdf
    months = [row for row in table if row[1:2] == ["Activité par mois : Dossiers discutés"]]
    assert months == [
        [months[0][0], "Activité par mois : Dossiers discutés", "octobre 2026", "5", "", "", "", "", months[0][8]]
    ]
    # Every download is in the access trail; the coordinators (and whoever asked) were told.
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT, user=cora).count() == 2
    told = Notification.objects.filter(kind="activity_report_ready")
    assert set(told.values_list("recipient__email", flat=True)) == {cora.email, sam.email}
    assert all(n.template == "emails/activity_report_ready" and n.link.endswith("#rapports") for n in told)


def test_the_ready_mail_names_the_period_and_no_patient(cora) -> None:
    from tigre.notifications.delivery import build_message

    report = services.report_request(period=periods.year(2026), by=cora)
    services.report_generate(report_id=report.pk)
    message = build_message(Notification.objects.get(kind="activity_report_ready", recipient=cora))
    assert "Rapport d'activité prêt : année 2026" in message.subject
    assert "Le rapport d'activité de la RCP TIGRE (année 2026) est prêt" in message.body


def test_a_report_that_cannot_be_rendered_is_marked_failed(cora, monkeypatch) -> None:
    from tigre.pdf.rendering import PdfRenderingError

    def broken(**kwargs):
        raise PdfRenderingError("mise en page impossible")

    monkeypatch.setattr(services, "render_pdf_pages", broken)
    report = services.report_request(period=periods.year(2026), by=cora)
    made = services.report_generate(report_id=report.pk)
    assert made.status == ActivityReport.Status.FAILED and "mise en page impossible" in made.error
    assert not Notification.objects.filter(kind="activity_report_ready").exists()


def test_the_report_panel_shows_progress_then_the_links(client, cora) -> None:
    login(client, cora)
    report = ActivityReport.objects.create(
        kind="year", first_day=dt.date(2026, 1, 1), last_day=dt.date(2026, 12, 31), status="running", progress=40
    )
    panel = client.get(reverse("statistics:report_panel")).content.decode()
    assert 'aria-valuenow="40"' in panel and "every 2s" in panel
    services.report_generate(report_id=report.pk)
    panel = client.get(reverse("statistics:report_panel")).content.decode()
    assert "every 2s" not in panel
    assert reverse("statistics:report_download", args=[report.pk, "pdf"]) in panel
    assert reverse("statistics:report_download", args=[report.pk, "csv"]) in panel


def test_meetings_and_cases_outside_the_report_period_are_left_out() -> None:
    held = meeting(dt.date(2026, 9, 30))
    item(held, request(paris(2026, 9, 20, 9)))
    report = services.report_request(period=periods.month(2026, 10), by=None)  # type: ignore[arg-type]
    services.report_generate(report_id=report.pk)
    report.refresh_from_db()
    text = report.csv.open("rb").read().decode("utf-8-sig")
    assert ";Dossiers discutés;;0;" in text
    assert Meeting.objects.count() == 1
