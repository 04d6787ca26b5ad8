"""The list pages' access trail: one row per case shown, written in one statement, in or out of a transaction."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import RequestFactory

from tests.factories.cases import SubmittedCaseFactory
from tigre.audit.models import AccessLog
from tigre.audit.services import access_record_listed


def _request(user, path="/demandes/tri/"):
    request = RequestFactory().get(path, REMOTE_ADDR="10.9.8.7")
    request.user = user
    return request


def _check_rows(user, cases, target) -> None:
    rows = list(AccessLog.objects.filter(target=target).order_by("pk"))
    assert [(r.case_id, r.patient_id) for r in rows] == [(c.pk, c.patient_id) for c in cases]
    for row in rows:
        assert row.user_id == user.pk and row.action == AccessLog.Action.VIEW_CASE
        assert row.ip_address == "10.9.8.7" and row.path == "/demandes/tri/" and row.at is not None


@pytest.mark.django_db
def test_one_row_per_case_inside_a_transaction(sam) -> None:
    cases = [SubmittedCaseFactory() for _ in range(3)]
    assert access_record_listed(request=_request(sam), cases=cases, target="file d'attente") == 3
    _check_rows(sam, cases, "file d'attente")


@pytest.mark.django_db
def test_nothing_listed_nothing_written(sam) -> None:
    assert access_record_listed(request=_request(sam), cases=[], target="vide") == 0
    assert not AccessLog.objects.filter(target="vide").exists()


@pytest.mark.django_db(transaction=True)
def test_out_of_a_transaction_the_rows_are_committed(sam) -> None:
    """Autocommit (as a view runs it): the rows are there for any other connection at once."""
    from django.db import connections

    cases = [SubmittedCaseFactory() for _ in range(2)]
    pairs = [SimpleNamespace(pk=c.pk, patient_id=c.patient_id) for c in cases]
    assert access_record_listed(request=_request(sam), cases=pairs, target="ordre du jour 1") == 2
    assert not connection.in_atomic_block
    _check_rows(sam, cases, "ordre du jour 1")
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM audit_accesslog WHERE target = %s", ["ordre du jour 1"])
            assert cursor.fetchone()[0] == 2
    finally:
        other.close()


@pytest.mark.django_db
def test_the_trail_rows_stay_append_only(sam) -> None:
    from django.db import DatabaseError, transaction

    case = SubmittedCaseFactory()
    access_record_listed(request=_request(sam), cases=[case], target="liste")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(target="liste").update(target="effacé")
