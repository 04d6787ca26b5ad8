"""Writes on the access trail. Rows are only ever inserted; the purge is the one sanctioned delete."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Field
from django.http import HttpRequest
from django.utils import timezone

from tigre.accounts.decorators import AuthenticatedRequest
from tigre.accounts.models import User

from .models import AccessLog


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind the production reverse proxies (TRUSTED_PROXY_COUNT of them) REMOTE_ADDR
    is the last proxy; the address the first proxy saw is the N-th entry from the right of X-Forwarded-For.
    Entries further left were sent by the client and prove nothing, so they are never used."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def access_log_write(
    *,
    user: User | None,
    action: str,
    case: Any = None,
    patient: Any = None,
    target: str = "",
    ip_address: str | None = None,
    path: str = "",
) -> AccessLog:
    """One row of the access trail: who, what, which case/patient, when (UTC), from where."""
    patient_id = getattr(patient, "pk", None)
    if patient_id is None and case is not None:
        patient_id = case.patient_id
    return AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        case_id=getattr(case, "pk", None),
        patient_id=patient_id,
        target=str(target)[:200],
        ip_address=ip_address,
        path=path[:300],
    )


def access_record(
    *, request: AuthenticatedRequest, action: str, case: Any = None, patient: Any = None, target: str = ""
) -> AccessLog:
    """Record an access made through a request (call it on every view of a case, PDF or attachment download,
    export)."""
    return access_log_write(
        user=request.user,
        action=action,
        case=case,
        patient=patient,
        target=target,
        ip_address=client_ip(request),
        path=request.path,
    )


def access_record_listed(
    *, request: HttpRequest, cases: Iterable[Any], target: str, action: str = AccessLog.Action.VIEW_CASE
) -> int:
    """One access-trail row per case shown on a list page (queue, session) or contained in a download (agenda,
    minutes: ``action`` DOWNLOAD_PDF), written in one statement.

    ``cases``: objects with ``pk`` and ``patient_id``."""
    return access_record_listed_ids(
        request=request, pairs=[(case.pk, case.patient_id) for case in cases], target=target, action=action
    )


def access_record_listed_ids(
    *, request: HttpRequest, pairs: list[tuple[int, int]], target: str, action: str = AccessLog.Action.VIEW_CASE
) -> int:
    """The same from (case id, patient id) pairs (the agenda page reads them with its other facts)."""
    if not pairs:
        return 0
    if connection.vendor == "postgresql":
        # The ids as two arrays, whatever their number.
        source = "SELECT * FROM unnest(%s::bigint[], %s::bigint[])"
        _trail_insert(request, target, action, source, [[c for c, _ in pairs], [p for _, p in pairs]])
    else:
        values = "VALUES " + ", ".join(["(%s, %s)"] * len(pairs))
        _trail_insert(request, target, action, values, [v for p in pairs for v in p])
    return len(pairs)


def _trail_insert(request: HttpRequest, target: str, action: str, source: str, source_params: list[Any]) -> None:
    """INSERT INTO the trail SELECT the request's facts and each (case id, patient id) row of ``source`` (a query
    or VALUES list of two columns).

    List pages write up to a meeting's worth of rows on every view: no model instances (the trail has no
    signals). Only the model's own table and column names and placeholders are formatted in; every value is a
    parameter."""
    meta = AccessLog._meta
    user = request.user
    shared = [
        meta.get_field("at").get_db_prep_value(timezone.now(), connection),  # type: ignore[attr-defined]
        user.pk if user.is_authenticated else None,
        str(action),
        str(target)[:200],
        client_ip(request),
        request.path[:300],
    ]
    names = ("at", "user", "action", "target", "ip_address", "path", "case_id", "patient_id")
    quote = connection.ops.quote_name
    columns = ", ".join(quote(cast(Field, meta.get_field(name)).column) for name in names)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
        f"WITH src(case_id, patient_id) AS ({source}) "
        "SELECT %s, %s, %s, %s, %s, %s, src.case_id, src.patient_id FROM src"
    )
    params = [*source_params, *shared]
    # One statement; out of a transaction (a view) it commits on its own, durably like every other access.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def access_log_purge(*, now: datetime | None = None) -> int:
    """Delete the rows older than TIGRE["ACCESS_LOG_RETENTION_DAYS"]. Returns how many.

    On PostgreSQL the application's role may not DELETE from the trail at all: the purge is the database function
    ``audit_accesslog_purge`` (SECURITY DEFINER, owned by the owner role; migration 0006), which goes by the time
    the database recorded each row and never keeps less than 180 days (docs/privacy.md). ``now`` serves SQLite
    only (development), where the rows are judged by ``at``."""
    days = int(settings.TIGRE["ACCESS_LOG_RETENTION_DAYS"])
    if connection.vendor != "postgresql":
        cutoff = (now or timezone.now()) - timedelta(days=days)
        return AccessLog.objects.filter(at__lt=cutoff).delete()[0]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT audit_accesslog_purge(%s)", [days])
        return int(cursor.fetchone()[0])
