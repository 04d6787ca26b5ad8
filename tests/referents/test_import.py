"""CSV import (all-or-nothing, French reports) and export of the directory."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from referents.csv_io import COLUMNS, export_csv, referents_import, template_csv
from referents.models import Coverage, Referent
from tests.factories.accounts import UserFactory
from tests.factories.referents import CentreFactory, CoverageFactory, ReferentFactory

pytestmark = pytest.mark.django_db

HEADER = "email;nom;prenom;titre;specialite;centre;ville;titulaire;suppleant;urgences;telephone;email_contact;actif"


@pytest.fixture
def centres():
    return {
        "nancy": CentreFactory(name="CHRU de Nancy", city="Nancy", kind="chu"),
        "reims": CentreFactory(name="CHU de Reims", city="Reims", kind="chu"),
        "strasbourg": CentreFactory(name="CHU de Strasbourg", city="Strasbourg", kind="chu"),
    }


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


GOOD = [
    "helene.francois@chru-nancy.test;François;Hélène;Pr;Cardiologie;CHRU de Nancy;Nancy;heart;;oui;03 83 00 00 01;;oui",
    "jerome.noel@chu-reims.test;Noël;Jérôme;Dr;gastroenterology;CHU de Reims;;gastrointestinal, pancreas;liver;non;;"
    "secretariat.gastro@chu-reims.test;oui",
    "zoe.kempf@chu-strasbourg.test;Kempf;Zoé;;Médecine interne;chu de strasbourg;;Autre / systémique;Sang|Œil;;;;",
]


def test_a_valid_file_creates_accounts_referents_and_coverages(centres) -> None:
    report = referents_import(data=_csv(*GOOD))

    assert report.ok and report.applied
    assert (report.rows, report.created, report.updated) == (3, 3, 0)
    helene = Referent.objects.select_related("user", "centre").get(user__email="helene.francois@chru-nancy.test")
    assert helene.user.first_name == "Hélène"
    assert helene.user.last_name == "François"
    assert helene.user.title == "pr"
    assert helene.user.has_role("referent")
    assert not helene.user.has_usable_password()
    assert helene.specialty == "cardiology"
    assert helene.centre == centres["nancy"]
    assert helene.phone == "03 83 00 00 01"
    assert list(helene.coverages.values_list("category__code", "rank")) == [("heart", "primary")]
    jerome = Referent.objects.get(user__email="jerome.noel@chu-reims.test")
    assert not jerome.takes_urgent
    assert jerome.contact_email == "secretariat.gastro@chu-reims.test"
    assert set(jerome.coverages.values_list("category__code", "rank")) == {
        ("gastrointestinal", "primary"),
        ("pancreas", "primary"),
        ("liver", "backup"),
    }
    zoe = Referent.objects.get(user__email="zoe.kempf@chu-strasbourg.test")
    assert zoe.user.title == "dr"  # default
    assert zoe.takes_urgent and zoe.is_active  # defaults
    assert set(zoe.coverages.values_list("category__code", "rank")) == {
        ("other", "primary"),
        ("blood", "backup"),
        ("eye", "backup"),
    }


def test_a_known_person_is_updated_and_their_coverages_replaced(centres) -> None:
    user = UserFactory(email="helene.francois@chru-nancy.test", first_name="Hélène", last_name="François")
    referent = ReferentFactory(user=user, centre=centres["reims"], specialty="neurology", takes_urgent=False)
    CoverageFactory(referent=referent, category=Coverage.category.field.related_model.objects.get(code="nervous"))

    report = referents_import(data=_csv(GOOD[0]))

    assert (report.created, report.updated) == (0, 1)
    referent.refresh_from_db()
    assert referent.centre == centres["nancy"]
    assert referent.specialty == "cardiology"
    assert referent.takes_urgent
    assert list(referent.coverages.values_list("category__code", flat=True)) == ["heart"]
    assert Referent.objects.count() == 1


def _bad_report(centres, *rows: str):
    before = (Referent.objects.count(), Coverage.objects.count())
    report = referents_import(data=_csv(GOOD[0], *rows, GOOD[1]))
    assert not report.ok
    assert not report.applied
    assert (Referent.objects.count(), Coverage.objects.count()) == before, "a bad file must import nothing"
    return report


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("a.b@x.test;Nom;Prénom;Dr;Cardiologie;CHRU de Nancy;;poumons;;;;;", "catégorie inconnue « poumons »"),
        ("pas-un-email;Nom;Prénom;Dr;Cardiologie;CHRU de Nancy;;heart;;;;;", "e-mail mal formé « pas-un-email »"),
        ("a.b@x.test;Nom;Prénom;Dr;Cardiologie;Hôpital de nulle part;;heart;;;;;", "centre inconnu « Hôpital"),
        ("a.b@x.test;Nom;Prénom;Dr;Astrologie;CHRU de Nancy;;heart;;;;;", "spécialité inconnue « Astrologie »"),
        ("a.b@x.test;Nom;Prénom;Docteure;Cardiologie;CHRU de Nancy;;heart;;;;;", "titre inconnu « Docteure »"),
        ("a.b@x.test;;Prénom;Dr;Cardiologie;CHRU de Nancy;;heart;;;;;", "nom manquant"),
        ("a.b@x.test;Nom;Prénom;Dr;Cardiologie;CHRU de Nancy;;;;;;;", "aucune catégorie"),
        ("a.b@x.test;Nom;Prénom;Dr;Cardiologie;CHRU de Nancy;;heart;heart;;;;", "à la fois titulaire et suppléant"),
        ("a.b@x.test;Nom;Prénom;Dr;Cardiologie;CHRU de Nancy;;heart;;peut-être;;;", "ni oui ni non"),
        ("a.b@x.test;Nom;Prénom;Dr;Cardiologie;CHRU de Nancy;;heart;;;;contact@;", "e-mail de contact mal formé"),
        (
            "HELENE.FRANCOIS@chru-nancy.test;Autre;Personne;Dr;Cardiologie;CHRU de Nancy;;heart;;;;;",
            "doublon : l'e-mail helene.francois@chru-nancy.test figure déjà ligne 2",
        ),
        (";Nom;Prénom;Dr;Cardiologie;CHRU de Nancy;;heart;;;;;", "e-mail manquant"),
        ("a.b@x.test;Nom;;Dr;Cardiologie;CHRU de Nancy;;heart;;;;;", "prénom manquant"),
        ("a.b@x.test;Nom;Prénom;Dr;;CHRU de Nancy;;heart;;;;;", "spécialité manquante"),
        ("a.b@x.test;Nom;Prénom;Dr;Cardiologie;;;heart;;;;;", "centre manquant"),
        (f"a.b@x.test;{'N' * 151};Prénom;Dr;Cardiologie;CHRU de Nancy;;heart;;;;;", "nom trop long (150 caractères"),
        (f"a.b@x.test;Nom;{'P' * 151};Dr;Cardiologie;CHRU de Nancy;;heart;;;;;", "prénom trop long (150 caract"),
        ("a.b@x.test;Nom;Prénom;Dr;Cardiologie;CHRU de Nancy;;heart;;;" + "0" * 33 + ";;", "téléphone trop long (32"),
        ("a.b@x.test;Nom;Prénom;Dr;Cardiologie;CHRU de Nancy;;heart;;;;;;;en trop", "plus de valeurs que de colonnes"),
    ],
)
def test_each_kind_of_bad_row_is_reported_with_its_line_and_nothing_is_imported(centres, row, expected) -> None:
    report = _bad_report(centres, row)

    assert [error.line for error in report.errors] == [3]
    assert any(expected in reason for reason in report.errors[0].reasons), report.errors[0].reasons


def test_every_bad_row_is_listed_not_only_the_first(centres) -> None:
    report = _bad_report(
        centres,
        "x@y.test;Nom;Prénom;Dr;Cardiologie;CHRU de Nancy;;reins;;;;;",
        "malformed;Nom;Prénom;Dr;Cardiologie;Clinique inconnue;;heart;;;;;",
    )

    assert [error.line for error in report.errors] == [3, 4]
    assert len(report.errors[1].reasons) == 2  # malformed e-mail and unknown centre on the same line


def test_an_ambiguous_centre_needs_its_city(centres) -> None:
    CentreFactory(name="CHU de Reims", city="Épernay")
    row = "a.b@x.test;Nom;Prénom;Dr;Cardiologie;CHU de Reims;;heart;;;;;"
    report = referents_import(data=_csv(row))
    assert "centre ambigu « CHU de Reims » : précisez la ville" in report.errors[0].reasons
    report = referents_import(data=_csv(row.replace("Reims;;", "Reims;Reims;")))
    assert report.applied


def test_french_spreadsheet_export_cp1252_semicolons_crlf(centres) -> None:
    text = "\r\n".join([HEADER, *GOOD]) + "\r\n"
    report = referents_import(data=text.encode("cp1252"))

    assert report.applied, report.errors
    assert Referent.objects.get(user__email="helene.francois@chru-nancy.test").user.last_name == "François"


def test_utf8_with_bom_and_commas(centres) -> None:
    header = HEADER.replace(";", ",")
    rows = [
        "helene.francois@chru-nancy.test,François,Hélène,Pr,Cardiologie,CHRU de Nancy,Nancy,heart,,oui,,,oui",
        'zoe.kempf@chu-strasbourg.test,Kempf,Zoé,,Médecine interne,CHU de Strasbourg,,"other, blood",eye,,,,',
    ]
    data = ("\n".join([header, *rows]) + "\n").encode("utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")

    report = referents_import(data=data)

    assert report.applied, (report.file_errors, report.errors)
    zoe = Referent.objects.get(user__email="zoe.kempf@chu-strasbourg.test")
    assert zoe.user.first_name == "Zoé"
    assert set(zoe.coverages.values_list("category__code", flat=True)) == {"other", "blood", "eye"}


def test_header_spellings_of_spreadsheets_are_understood(centres) -> None:
    header = (
        "E-mail;Nom;Prénom;Titre;Spécialité;Centre;Ville;Titulaire;Suppléant;Urgences;Téléphone;Email contact;Actif"
    )
    report = referents_import(data=_csv(GOOD[0], header=header))
    assert report.applied, report.file_errors


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "Le fichier est vide"),
        (b"nom;prenom\nA;B\n", "Colonne(s) obligatoire(s) absente(s) : email, specialite, centre."),
        (_csv(GOOD[0], header=HEADER + ";couleur"), "Colonne(s) inconnue(s) : « couleur »"),
        (HEADER.encode() + b"\n\n", "aucune ligne de données"),
        (b"\x81\x8d\x8f\x90\x9d\xff\xfe", "Encodage du fichier non reconnu"),
    ],
)
def test_file_level_problems_are_reported_in_french(centres, data, expected) -> None:
    report = referents_import(data=data)
    assert not report.ok
    assert any(expected in message for message in report.file_errors), report.file_errors
    assert not Referent.objects.exists()


def test_dry_run_checks_without_writing(centres) -> None:
    report = referents_import(data=_csv(*GOOD), dry_run=True)
    assert report.ok and not report.applied
    assert not Referent.objects.exists()


@pytest.mark.slow
def test_a_five_thousand_row_file_imports_in_one_go(centres, django_assert_max_num_queries) -> None:
    codes = ["skin", "heart", "lung", "liver", "kidney", "eye", "blood"]
    rows = [
        f"personne{n}@site.test;Nom{n};Prénom;Dr;Cardiologie;CHU de Strasbourg;;{codes[n % 7]};{codes[(n + 1) % 7]};"
        f"oui;;;oui"
        for n in range(5000)
    ]
    with django_assert_max_num_queries(40):
        report = referents_import(data=_csv(*rows))

    assert report.applied, report.errors[:3]
    assert report.created == 5000
    assert Referent.objects.count() == 5000
    assert Coverage.objects.count() == 10000


@pytest.mark.slow
def test_a_five_thousand_row_file_with_one_bad_row_imports_nothing(centres) -> None:
    rows = [f"personne{n}@site.test;Nom{n};Prénom;Dr;Cardiologie;CHU de Strasbourg;;heart;;;;;" for n in range(5000)]
    rows[4321] = rows[4321].replace(";heart;", ";cardio;")

    report = referents_import(data=_csv(*rows))

    assert [(e.line, e.reasons) for e in report.errors] == [(4323, ["catégorie inconnue « cardio »"])]
    assert not Referent.objects.exists()


def test_the_command_imports_a_file(centres, tmp_path) -> None:
    path = tmp_path / "referents.csv"
    path.write_bytes(_csv(*GOOD))
    out = io.StringIO()

    call_command("import_referents", str(path), stdout=out)

    assert "3 référent(s) ajouté(s)" in out.getvalue()
    assert Referent.objects.count() == 3


def test_the_command_refuses_a_bad_file_and_lists_its_lines(centres, tmp_path) -> None:
    path = tmp_path / "referents.csv"
    path.write_bytes(_csv(GOOD[0], "pas-un-email;N;P;Dr;Cardiologie;CHRU de Nancy;;heart;;;;;"))
    err = io.StringIO()

    with pytest.raises(CommandError, match="rien n'a été importé"):
        call_command("import_referents", str(path), stderr=err)

    assert "Ligne 3 : e-mail mal formé « pas-un-email »" in err.getvalue()
    assert not Referent.objects.exists()


def test_the_command_reports_a_missing_file(tmp_path) -> None:
    with pytest.raises(CommandError, match="Lecture impossible"):
        call_command("import_referents", str(tmp_path / "absent.csv"))


def test_export_then_import_round_trips(centres) -> None:
    referents_import(data=_csv(*GOOD))
    stream = io.StringIO()
    export_csv(stream)
    exported = stream.getvalue()
    assert exported.startswith("\ufeff" + ";".join(COLUMNS))
    assert "helene.francois@chru-nancy.test;François;Hélène;Pr;Cardiologie;CHRU de Nancy;Nancy;heart;;oui" in exported

    report = referents_import(data=exported.encode("utf-8"))

    assert report.applied, report.errors
    assert (report.created, report.updated) == (0, 3)
    assert Coverage.objects.count() == 1 + 3 + 3


def test_the_template_is_a_valid_file(centres) -> None:
    stream = io.StringIO()
    template_csv(stream)
    report = referents_import(data=stream.getvalue().encode("utf-8"), dry_run=True)
    assert report.ok, (report.file_errors, report.errors)
    assert report.rows == 2
