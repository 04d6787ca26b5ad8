"""The two PostgreSQL string functions the searches use behave the same on the embedded SQLite of `make run`
(tigre/lib/sql.py): the patient-history link and the referents' search once failed there with "no such function:
translate", a 500 on every case page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

from cases.history import identity_key, identity_key_sql
from cases.models import Patient
from referents.selectors import fold
from tigre.lib.sql import regexp_replace, translate

pytestmark = pytest.mark.django_db

TRANSLATE_CASES = [
    ("Le Gall-Müller", "üÉé", "uEe"),
    ("Émile", "ÉÉ", "EX"),  # a repeated character: its first place wins
    ("abcabc", "abc", "x"),  # a shorter replacement: the others are removed
    ("", "a", "b"),
]
REGEXP_CASES = [
    ("le gall-muller d'arc", "[^a-z]", "", "g"),
    ("le gall-muller", "[^a-z]", "", ""),  # no "g": the first match only
    ("a1b22c333", "[0-9]+", "-", "g"),
]


@pytest.fixture
def sqlite() -> Iterator[DatabaseWrapper]:
    """A Django SQLite connection as `make run` opens one (in memory), with the patients' names."""
    wrapper = DatabaseWrapper({**connection.settings_dict, "ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"})
    wrapper.ensure_connection()
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE cases_patient (id integer PRIMARY KEY, birth_name text NOT NULL)")
    yield wrapper
    wrapper.close()


@pytest.mark.parametrize(("text", "source", "target"), TRANSLATE_CASES)
def test_translate_is_postgresql_s(text: str, source: str, target: str, sqlite: DatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT translate(%s, %s, %s)", [text, source, target])
        (expected,) = cursor.fetchone()
    assert translate(text, source, target) == expected
    with sqlite.cursor() as cursor:
        cursor.execute("SELECT translate(%s, %s, %s)", [text, source, target])
        assert cursor.fetchone() == (expected,)


@pytest.mark.parametrize(("text", "pattern", "replacement", "flags"), REGEXP_CASES)
def test_regexp_replace_is_postgresql_s(
    text: str, pattern: str, replacement: str, flags: str, sqlite: DatabaseWrapper
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT regexp_replace(%s, %s, %s, %s)", [text, pattern, replacement, flags])
        (expected,) = cursor.fetchone()
    assert regexp_replace(text, pattern, replacement, flags) == expected
    with sqlite.cursor() as cursor:
        cursor.execute("SELECT regexp_replace(%s, %s, %s, %s)", [text, pattern, replacement, flags])
        assert cursor.fetchone() == (expected,)


def test_null_stays_null(sqlite: DatabaseWrapper) -> None:
    with sqlite.cursor() as cursor:
        cursor.execute("SELECT translate(NULL, 'a', 'b'), regexp_replace(NULL, 'a', 'b', 'g')")
        assert cursor.fetchone() == (None, None)


def _keys_on_sqlite(wrapper: DatabaseWrapper) -> list[str]:
    """The history's key query (cases/history.py) compiled for SQLite and run there."""
    query = Patient.objects.annotate(key=identity_key_sql("birth_name")).order_by("pk").values_list("key")
    sql, params = query.query.get_compiler(connection=wrapper).as_sql()
    with wrapper.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def test_the_patient_history_key_is_the_same_on_both(sqlite: DatabaseWrapper) -> None:
    names = ["Le Gall-Müller", "LEGALL MULLER", "Œuvray d'Éon", "ÇÀ-ÿ"]
    for name in names:
        Patient.objects.create(birth_name=name, first_names="Jeanne", birth_date=dt.date(1958, 5, 1))
        with sqlite.cursor() as cursor:
            cursor.execute("INSERT INTO cases_patient (birth_name) VALUES (%s)", [name])
    expected = [identity_key(name) for name in names]
    on_postgresql = Patient.objects.annotate(key=identity_key_sql("birth_name")).order_by("pk")
    assert list(on_postgresql.values_list("key", flat=True)) == expected
    assert _keys_on_sqlite(sqlite) == expected


def test_the_referents_search_folds_alike() -> None:
    assert fold("Hélène ÉLOI") == "helene eloi"
