"""Pages of the directory: who may read, who may write, what each page shows."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from referents.models import Absence, Coverage, OrganCategory, Referent
from tests.factories.accounts import UserFactory
from tests.factories.referents import AbsenceFactory, CentreFactory, CoverageFactory, ReferentFactory
from tests.helpers import login
from tigre.audit.models import AccessLog

pytestmark = pytest.mark.django_db

# Thursday 26 November 2026, noon in Paris: the coming meeting is Wednesday 2 December.
NOW = datetime.datetime(2026, 11, 26, 11, 0, tzinfo=datetime.UTC)
MEETING = datetime.date(2026, 12, 2)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def heart():
    return OrganCategory.objects.get(code="heart")


@pytest.fixture
def eye():
    return OrganCategory.objects.get(code="eye")


@pytest.fixture
def nancy():
    return CentreFactory(name="CHRU de Nancy", city="Nancy", kind="chu")


@pytest.fixture
def rita_referent(rita, heart, nancy):
    """Rita, cardiologist at Nancy, primary for the heart."""
    referent = ReferentFactory(user=rita, centre=nancy, phone="03 53 01 00 01")
    CoverageFactory(referent=referent, category=heart)
    return referent


@pytest.fixture
def other_referent(heart, nancy):
    user = UserFactory(first_name="Hélène", last_name="Écuyer", roles=["referent"])
    referent = ReferentFactory(user=user, centre=nancy, specialty="cardiology")
    CoverageFactory(referent=referent, category=heart, rank=Coverage.Rank.BACKUP)
    return referent


# --- Reading -------------------------------------------------------------------------------------------


def test_a_clinician_reads_the_directory_by_organ_with_contacts_and_absent_badge(
    client, alice, rita_referent, other_referent
) -> None:
    AbsenceFactory(referent=other_referent, start=datetime.date(2026, 11, 25), end=datetime.date(2026, 11, 27))
    login(client, alice)

    response = client.get(reverse("referents:directory"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Cœur et vaisseaux" in html
    assert "Dr Rita RENARD" in html
    assert "03 53 01 00 01" in html
    assert "absent aujourd’hui" in html
    assert "CHRU de Nancy" in html
    # Every category is listed, even those nobody covers.
    assert all(f'id="cat-{code}"' in html for code in OrganCategory.objects.values_list("code", flat=True))
    # A clinician sees no editing link.
    assert reverse("referents:create") not in html
    assert reverse("referents:import") not in html
    entries = {e.category.code: e for e in response.context["categories"]}
    ranks = [(item.referent, item.rank, item.absent) for _c, items in entries["heart"].centres for item in items]
    assert ranks == [(rita_referent, "primary", False), (other_referent, "backup", True)]


def test_the_directory_leaves_out_referents_whose_account_is_disabled(client, alice, rita_referent) -> None:
    rita_referent.user.is_active = False
    rita_referent.user.save(update_fields=["is_active"])
    response = login(client, alice).get(reverse("referents:directory"))
    listed = [item.referent for e in response.context["categories"] for _c, items in e.centres for item in items]
    assert listed == []


def test_the_directory_query_count_does_not_grow_with_referents(
    client, alice, heart, nancy, django_assert_max_num_queries
) -> None:
    for _ in range(30):
        CoverageFactory(referent=ReferentFactory(centre=nancy), category=heart)
    login(client, alice)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("referents:directory"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("params", "found", "not_found"),
    [
        ({"q": "ecuyer"}, "Écuyer", "RENARD"),  # accents and case ignored
        ({"q": "RITA"}, "RENARD", "Écuyer"),
        ({"specialty": "cardiology"}, "RENARD", None),
        ({"q": "nancy"}, "RENARD", None),  # centre city
    ],
)
def test_search_by_name_specialty_centre(
    client, alice, rita_referent, other_referent, params, found, not_found
) -> None:
    other_referent.user.last_name = "Écuyer"
    other_referent.user.save(update_fields=["last_name"])
    login(client, alice)

    response = client.get(reverse("referents:directory"), params)

    html = response.content.decode()
    assert found.upper() in html.upper()
    if not_found:
        assert not_found.upper() not in html.upper()


def test_search_by_centre_and_no_match(client, alice, reims, rita_referent) -> None:
    reims_referent = ReferentFactory(centre=reims)
    CoverageFactory(referent=reims_referent, category=OrganCategory.objects.get(code="lung"))
    login(client, alice)

    response = client.get(reverse("referents:directory"), {"centre": reims.pk})
    assert [e.category.code for e in response.context["categories"]] == ["lung"]

    response = client.get(reverse("referents:directory"), {"q": "zzzz-personne"})
    assert "Aucun référent ne correspond à cette recherche." in response.content.decode()
    # A stale centre id is ignored, not a 500.
    assert client.get(reverse("referents:directory"), {"centre": "999999"}).status_code == 200


def test_a_referent_page_shows_coverages_and_coming_absences_without_reason_for_colleagues(
    client, alice, rita_referent
) -> None:
    AbsenceFactory(referent=rita_referent, start=MEETING, end=MEETING, reason="Raison personnelle")
    AbsenceFactory(referent=rita_referent, start=datetime.date(2026, 1, 5), end=datetime.date(2026, 1, 9))
    login(client, alice)

    response = client.get(reverse("referents:detail", args=[rita_referent.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Titulaire" in html and "Cœur et vaisseaux" in html
    assert "mercredi 2 décembre 2026" in html
    assert "janvier 2026" not in html  # past absences are not listed
    assert "Raison personnelle" not in html
    assert reverse("referents:edit", args=[rita_referent.pk]) not in html


def test_an_inactive_referent_page_is_hidden_from_colleagues_but_not_from_the_secretariat(
    client, alice, sam, rita_referent
) -> None:
    Referent.objects.filter(pk=rita_referent.pk).update(is_active=False)
    url = reverse("referents:detail", args=[rita_referent.pk])
    assert login(client, alice).get(url).status_code == 404
    assert login(client, sam).get(url).status_code == 200
    assert client.get(reverse("referents:detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("who", ["alice", "rita", "victor"])
def test_the_coverage_grid_is_for_the_secretariat_and_coordinators(client, request, who) -> None:
    login(client, request.getfixturevalue(who))
    assert client.get(reverse("referents:coverage")).status_code == 403


def test_the_coverage_grid_counts_and_shows_gaps_and_the_wednesday_absences(
    client, sam, cora, rita_referent, other_referent, eye, nancy
) -> None:
    ophthalmologist = ReferentFactory(centre=nancy, specialty="ophthalmology")
    CoverageFactory(referent=ophthalmologist, category=eye)
    AbsenceFactory(referent=ophthalmologist, start=MEETING, end=MEETING, reason="Congrès")
    AbsenceFactory(referent=other_referent, start=MEETING - datetime.timedelta(days=1), end=MEETING)

    response = login(client, sam).get(reverse("referents:coverage"))

    assert response.status_code == 200
    grid = response.context["grid"]
    assert grid.day == MEETING
    rows = {row.category.code: row for row in grid.rows}
    heart_cell = rows["heart"].cells[grid.centres.index(nancy)]
    assert (heart_cell.primaries, heart_cell.backups, heart_cell.absent) == (1, 1, 1)
    assert rows["eye"].availability.is_gap
    assert not rows["heart"].availability.is_gap
    gap_codes = {row.category.code for row in grid.gaps}
    assert "eye" in gap_codes and "heart" not in gap_codes
    html = response.content.decode()
    assert 'id="row-eye" class="table-danger gap-row"' in html
    assert "Congrès" in html
    assert {a.referent for a in grid.absences} == {ophthalmologist, other_referent}
    assert login(client, cora).get(reverse("referents:coverage")).status_code == 200


def test_coverage_grid_query_count_is_constant(client, sam, nancy, django_assert_max_num_queries) -> None:
    for category in OrganCategory.objects.all():
        for rank in ("primary", "backup"):
            referent = ReferentFactory(centre=CentreFactory())
            CoverageFactory(referent=referent, category=category, rank=rank)
            AbsenceFactory(referent=referent, start=MEETING, end=MEETING)
    login(client, sam)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("referents:coverage")).status_code == 200


# --- Writing: the secretariat -------------------------------------------------------------------------


WRITE_PAGES = [
    ("referents:manage", False),
    ("referents:create", False),
    ("referents:import", False),
    ("referents:import_template", False),
    ("referents:edit", True),
    ("referents:absences", True),
]


@pytest.mark.parametrize(("name", "with_pk"), WRITE_PAGES)
@pytest.mark.parametrize("who", ["alice", "rita", "cora", "victor"])
def test_only_the_secretariat_and_administrators_reach_write_pages(
    client, request, rita_referent, name, with_pk, who
) -> None:
    url = reverse(name, args=[rita_referent.pk] if with_pk else [])
    login(client, request.getfixturevalue(who))
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


@pytest.mark.parametrize(("name", "with_pk"), WRITE_PAGES)
@pytest.mark.parametrize("who", ["sam", "adam"])
def test_the_secretariat_and_administrators_open_write_pages(
    client, request, rita_referent, name, with_pk, who
) -> None:
    url = reverse(name, args=[rita_referent.pk] if with_pk else [])
    login(client, request.getfixturevalue(who))
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("who", ["alice", "rita"])
def test_a_clinician_or_referent_cannot_deactivate_nor_export(client, request, rita_referent, who) -> None:
    login(client, request.getfixturevalue(who))
    assert client.post(reverse("referents:deactivate", args=[rita_referent.pk])).status_code == 403
    assert client.get(reverse("referents:export")).status_code == 403
    rita_referent.refresh_from_db()
    assert rita_referent.is_active


def test_the_secretariat_adds_a_referent_with_a_new_account(client, sam, nancy, heart, eye) -> None:
    login(client, sam)
    response = client.post(
        reverse("referents:create"),
        {
            "email": "Nouveau.Referent@CHRU-Nancy.test",
            "title": "pr",
            "first_name": "Noé",
            "last_name": "Nouveau",
            "specialty": "cardiology",
            "centre": nancy.pk,
            "primary": [heart.pk],
            "backup": [eye.pk],
            "takes_urgent": "on",
            "phone": "03 53 01 00 99",
            "contact_email": "",
            "notes": "",
        },
    )

    referent = Referent.objects.select_related("user").get(user__email="nouveau.referent@chru-nancy.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("referents:detail", args=[referent.pk])
    assert referent.user.has_role("referent")
    assert not referent.user.has_usable_password()
    assert referent.takes_urgent
    assert set(referent.coverages.values_list("category__code", "rank")) == {("heart", "primary"), ("eye", "backup")}


def test_adding_reuses_an_existing_account_and_refuses_a_duplicate(client, sam, alice, nancy, heart) -> None:
    login(client, sam)
    data = {
        "email": alice.email,
        "title": "dr",
        "first_name": "Alice",
        "last_name": "Aubert",
        "specialty": "oncology",
        "centre": nancy.pk,
        "primary": [heart.pk],
    }
    assert client.post(reverse("referents:create"), data).status_code == 302
    assert Referent.objects.get(user=alice).centre == nancy
    alice.__dict__.pop("roles", None)
    assert alice.has_role("referent", "clinician")

    response = client.post(reverse("referents:create"), data)

    assert response.status_code == 200
    assert "déjà dans l'annuaire" in response.context["form"].errors["email"][0]
    assert Referent.objects.filter(user=alice).count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"primary": [], "backup": []}, "Cochez au moins une catégorie"),
        ({"backup": "HEART"}, "à la fois titulaire et suppléant"),
        ({"email": "pas-un-email"}, "Saisissez une adresse de courriel valide."),
        ({"centre": "999999"}, "Sélectionnez un choix valide"),
    ],
)
def test_the_add_form_refuses_bad_input_in_french(client, sam, nancy, heart, change, message) -> None:
    data = {
        "email": "x@y.test",
        "title": "dr",
        "first_name": "X",
        "last_name": "Y",
        "specialty": "cardiology",
        "centre": nancy.pk,
        "primary": [heart.pk],
    }
    data.update({k: ([heart.pk] if v == "HEART" else v) for k, v in change.items()})
    response = login(client, sam).post(reverse("referents:create"), data)
    assert response.status_code == 200
    assert any(message in m for messages in response.context["form"].errors.values() for m in messages)
    assert not Referent.objects.exists()


def test_the_secretariat_edits_a_referent(client, sam, rita_referent, heart, eye) -> None:
    login(client, sam)
    url = reverse("referents:edit", args=[rita_referent.pk])
    form = client.get(url).context["form"]
    assert form.initial["primary"] == [heart.pk]

    response = client.post(
        url,
        {
            "email": "ignored@elsewhere.test",  # disabled field: the login e-mail is not changed here
            "title": "pr",
            "first_name": "Rita",
            "last_name": "Renard-Meyer",
            "specialty": "cardiology",
            "centre": rita_referent.centre_id,
            "primary": [eye.pk],
            "backup": [heart.pk],
            "phone": "03 53 01 00 02",
            "contact_email": "cardio@chru-nancy.test",
        },
    )

    assert response.status_code == 302
    rita_referent.refresh_from_db()
    rita_referent.user.refresh_from_db()
    assert rita_referent.user.email == "rita@chru-nancy.test"
    assert rita_referent.user.last_name == "Renard-Meyer"
    assert rita_referent.user.title == "pr"
    assert not rita_referent.takes_urgent  # unchecked box
    assert rita_referent.contact_email == "cardio@chru-nancy.test"
    assert set(rita_referent.coverages.values_list("category__code", "rank")) == {
        ("eye", "primary"),
        ("heart", "backup"),
    }


def test_the_secretariat_deactivates_and_reactivates(client, sam, alice, rita_referent, heart) -> None:
    login(client, sam)
    assert client.get(reverse("referents:deactivate", args=[rita_referent.pk])).status_code == 405
    response = client.post(reverse("referents:deactivate", args=[rita_referent.pk]))
    assert response.status_code == 302
    rita_referent.refresh_from_db()
    assert not rita_referent.is_active
    from referents.selectors import referents_available

    assert referents_available(categories=[heart], on=MEETING)[heart.pk].is_gap
    directory = login(client, alice).get(reverse("referents:directory"))
    listed = [item.referent for e in directory.context["categories"] for _c, items in e.centres for item in items]
    assert rita_referent not in listed

    login(client, sam).post(reverse("referents:reactivate", args=[rita_referent.pk]))
    rita_referent.refresh_from_db()
    assert rita_referent.is_active


def test_the_secretariat_records_and_deletes_an_absence(client, sam, rita_referent) -> None:
    login(client, sam)
    url = reverse("referents:absences", args=[rita_referent.pk])
    response = client.post(url, {"start": "2026-12-01", "end": "2026-12-03", "reason": "Congrès"})
    assert response.status_code == 302
    absence = Absence.objects.get(referent=rita_referent)
    assert (absence.start, absence.end, absence.reason) == (
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 3),
        "Congrès",
    )
    assert "Congrès" in client.get(url).content.decode()

    response = client.post(reverse("referents:absence_delete", args=[absence.pk]))
    assert response.status_code == 302
    assert response["Location"] == url
    assert not Absence.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start": "2026-12-03", "end": "2026-12-01"}, "La date de fin précède la date de début."),
        ({"start": "2026-11-01", "end": "2026-11-02"}, "déjà passée"),
        ({"start": "2026-12-01", "end": "2028-12-01"}, "au plus un an"),
        ({"start": "demain", "end": "2026-12-01"}, "Saisissez une date valide."),
    ],
)
def test_a_bad_absence_is_refused_in_french(client, sam, rita_referent, data, message) -> None:
    response = login(client, sam).post(reverse("referents:absences", args=[rita_referent.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Absence.objects.exists()


# --- Writing: a referent's own absences ------------------------------------------------------------------


def test_a_referent_records_their_own_absence(client, rita, rita_referent) -> None:
    login(client, rita)
    url = reverse("referents:my_absences")
    assert client.get(url).status_code == 200

    response = client.post(url, {"start": "2026-12-02", "end": "2026-12-02", "reason": "Congrès"})

    assert response.status_code == 302
    assert response["Location"] == url
    absence = Absence.objects.get()
    assert absence.referent == rita_referent
    from referents.selectors import referents_available

    heart = OrganCategory.objects.get(code="heart")
    assert referents_available(categories=[heart], on=MEETING)[heart.pk].is_gap


def test_a_user_without_a_referent_entry_has_no_absence_page(client, alice) -> None:
    assert login(client, alice).get(reverse("referents:my_absences")).status_code == 404


def test_a_referent_deletes_only_their_own_absences(client, rita, rita_referent, other_referent) -> None:
    mine = AbsenceFactory(referent=rita_referent, start=MEETING, end=MEETING)
    theirs = AbsenceFactory(referent=other_referent, start=MEETING, end=MEETING)
    login(client, rita)

    assert client.post(reverse("referents:absence_delete", args=[theirs.pk])).status_code == 404
    assert Absence.objects.filter(pk=theirs.pk).exists()
    # Nor through the secretariat's page for someone else.
    url = reverse("referents:absences", args=[other_referent.pk])
    assert client.post(url, {"start": "2026-12-02", "end": "2026-12-02"}).status_code == 403
    assert Absence.objects.count() == 2

    response = client.post(reverse("referents:absence_delete", args=[mine.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("referents:my_absences")
    assert not Absence.objects.filter(pk=mine.pk).exists()


def test_a_clinician_cannot_delete_an_absence(client, alice, rita_referent) -> None:
    absence = AbsenceFactory(referent=rita_referent, start=MEETING, end=MEETING)
    assert login(client, alice).post(reverse("referents:absence_delete", args=[absence.pk])).status_code == 403
    assert Absence.objects.exists()


# --- Import and export pages ------------------------------------------------------------------------------


def test_the_import_page_refuses_a_bad_file_with_line_numbers_and_changes_nothing(client, sam, nancy) -> None:
    content = (
        "email;nom;prenom;specialite;centre;titulaire\n"
        "a@x.test;A;Anne;Cardiologie;CHRU de Nancy;heart\n"
        "b@x;B;Bruno;Cardiologie;CHRU de Nancy;heart\n"
        "c@x.test;C;Chloé;Cardiologie;CHRU de Nancy;coeur-gauche\n"
    ).encode()
    login(client, sam)

    response = client.post(reverse("referents:import"), {"file": SimpleUploadedFile("l.csv", content, "text/csv")})

    assert response.status_code == 400
    html = response.content.decode()
    assert "rien n’a été importé ni modifié" in html
    assert "e-mail mal formé « b@x »" in html
    assert "catégorie inconnue « coeur-gauche »" in html
    assert [e.line for e in response.context["report"].errors] == [3, 4]
    assert not Referent.objects.exists()


def test_the_import_page_imports_a_good_file(client, sam, nancy) -> None:
    content = "email;nom;prenom;specialite;centre;titulaire\na@x.test;A;Anne;Cardiologie;CHRU de Nancy;heart\n"
    login(client, sam)
    response = client.post(
        reverse("referents:import"), {"file": SimpleUploadedFile("l.csv", content.encode("cp1252"), "text/csv")}
    )
    assert response.status_code == 302
    assert Referent.objects.get().user.email == "a@x.test"


def test_the_import_page_refuses_a_spreadsheet_binary(client, sam) -> None:
    upload = SimpleUploadedFile("l.xlsx", b"PK\x03\x04\x00\x00binary", "application/octet-stream")
    response = login(client, sam).post(reverse("referents:import"), {"file": upload})
    assert response.status_code == 400
    assert "Ce fichier n'est pas un CSV" in response.context["form"].errors["file"][0]


def test_the_template_and_export_download_as_csv(client, sam, rita_referent) -> None:
    login(client, sam)
    template = client.get(reverse("referents:import_template"))
    assert template["Content-Type"] == "text/csv; charset=utf-8"
    assert template.content.decode("utf-8-sig").startswith("email;nom;prenom")

    export = client.get(reverse("referents:export"))

    assert export.status_code == 200
    assert 'filename="annuaire-referents-2026-11-26.csv"' in export["Content-Disposition"]
    text = export.content.decode("utf-8-sig")
    assert "rita@chru-nancy.test;Renard;Rita" in text
    assert AccessLog.objects.filter(user=sam, action=AccessLog.Action.EXPORT).count() == 1
