"""Shared fixtures. Tests run on PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), never on SQLite: the servers the
variables name, or throwaway ones that tests/servers.py (loaded with `-p` in pyproject.toml) starts when they are not
set, before Django's settings are read."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.factories.accounts import TEST_PASSWORD, UserFactory
from tests.factories.referents import CentreFactory

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tigre"


def _reseed_after_flush(sender: Any, **kwargs: Any) -> None:
    """A transactional test ends with a flush (TRUNCATE of every table) followed by post_migrate: put back the
    rows that data migrations seed (organ taxonomy, ICI catalogue) so later tests see the same database as a
    freshly migrated one. Role groups are re-created by the accounts app's own post_migrate handler."""
    import importlib

    from django.apps import apps

    if sender.label == "referents":
        from referents.models import OrganCategory

        if not OrganCategory.objects.exists():
            importlib.import_module("referents.migrations.0002_seed_taxonomy").seed(apps, None)
            importlib.import_module("referents.migrations.0005_load_guidelines").load(apps, None)
    elif sender.label == "cases":
        from cases.models import Drug

        if not Drug.objects.exists():
            importlib.import_module("cases.migrations.0004_seed_drugs").seed(apps, None)


def pytest_configure(config: pytest.Config) -> None:
    """Fail at once, in one clear line, if PostgreSQL is unreachable (no silent fallback). With the throwaway
    servers of tests/servers.py, DATABASE_URL names the one it started."""
    import environ
    import psycopg2

    url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    db = environ.Env.db_url_config(url)
    try:
        conn = psycopg2.connect(
            dbname="postgres",
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            connect_timeout=5,
        )
        conn.close()
    except psycopg2.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        pytest.exit(f"PostgreSQL unreachable at DATABASE_URL={url}: {first}", returncode=3)

    from django.db.models.signals import post_migrate

    post_migrate.connect(_reseed_after_flush, dispatch_uid="tests.reseed_after_flush")


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    """Each test starts with an empty fragment cache (rendered agenda tables)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def reims(db: Any) -> Any:
    return CentreFactory(name="CHU de Reims", city="Reims", kind="chu")


@pytest.fixture
def other_centre(db: Any) -> Any:
    return CentreFactory(name="CH de Troyes", city="Troyes")


# Named people (as healthchecks does with alice/bob/charlie).
@pytest.fixture
def alice(reims: Any) -> Any:
    """A clinician at CHU de Reims."""
    return UserFactory(
        email="alice@chu-reims.test", first_name="Alice", last_name="Aubert", centre=reims, roles=["clinician"]
    )


@pytest.fixture
def bob(other_centre: Any) -> Any:
    """A clinician at another centre."""
    return UserFactory(
        email="bob@ch-troyes.test", first_name="Bob", last_name="Bernard", centre=other_centre, roles=["clinician"]
    )


@pytest.fixture
def rita(db: Any) -> Any:
    """A referent (cardiology)."""
    return UserFactory(
        email="rita@chru-nancy.test", first_name="Rita", last_name="Renard", specialty="cardiology", roles=["referent"]
    )


@pytest.fixture
def sam(db: Any) -> Any:
    """The secretariat."""
    return UserFactory(
        email="sam@chru-nancy.test", first_name="Sam", last_name="Simon", specialty="", roles=["secretariat"]
    )


@pytest.fixture
def cora(db: Any) -> Any:
    """A coordinator."""
    return UserFactory(email="cora@chu-strasbourg.test", first_name="Cora", last_name="Colin", roles=["coordinator"])


@pytest.fixture
def victor(db: Any) -> Any:
    """The CRPV (pharmacovigilance)."""
    return UserFactory(
        email="victor@crpv-nancy.test",
        first_name="Victor",
        last_name="Vidal",
        specialty="pharmacology",
        roles=["pharmacovigilance"],
    )


@pytest.fixture
def adam(db: Any) -> Any:
    """An administrator."""
    return UserFactory(
        email="adam@chru-nancy.test",
        first_name="Adam",
        last_name="Adler",
        specialty="",
        roles=["administrator"],
        is_staff=True,
        is_superuser=True,
    )
