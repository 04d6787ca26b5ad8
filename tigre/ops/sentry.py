"""Sentry, only when SENTRY_DSN is set (tigre/settings/production.py): the same rule as the error mail
(tigre/ops/errors.py): where the code failed, never with which data. No Django import here: read by the settings."""

from __future__ import annotations

from typing import Any


def init(dsn: str, *, environment: str, release: str = "", **options: Any) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,  # no user, no cookies, no client address
        include_local_variables=False,  # frames without their variables
        max_request_body_size="never",  # no POST data
        include_source_context=True,
        traces_sample_rate=0,  # errors only
        before_send=scrub_event,  # type: ignore[arg-type]
        before_send_transaction=lambda event, hint: None,
        **options,
    )


def scrub_event(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Sentry's before_send: the same rule as the mail. Keeps where it failed, drops every value."""
    request = event.get("request")
    if isinstance(request, dict):
        event["request"] = {k: request[k] for k in ("method", "url") if k in request}
        if "url" in event["request"]:
            event["request"]["url"] = str(event["request"]["url"]).split("?", 1)[0]
    event.pop("user", None)
    event.pop("extra", None)
    event.pop("breadcrumbs", None)
    for exception in (event.get("exception") or {}).get("values", []) or []:
        exception["value"] = ""
        for frame in (exception.get("stacktrace") or {}).get("frames", []) or []:
            frame.pop("vars", None)
    for thread in (event.get("threads") or {}).get("values", []) or []:
        for frame in (thread.get("stacktrace") or {}).get("frames", []) or []:
            frame.pop("vars", None)
    if "logentry" in event or "message" in event:
        event.pop("message", None)
        logentry = event.get("logentry")
        if isinstance(logentry, dict):
            event["logentry"] = {"message": logentry.get("message", "")}  # the format string only, no values
    return event
