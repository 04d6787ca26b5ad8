from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from .health import run_checks

FAVICON = Path(__file__).resolve().parent.parent / "static" / "img" / "favicon.ico"


@login_not_required
@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for on every page whatever the ``<link rel="icon">``: no 404 in the
    logs (the file is static/img/favicon.ico)."""
    return HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results = run_checks()
    status = 200 if all(v == "ok" for v in results.values()) else 503
    return JsonResponse(results, status=status)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest | None) -> HttpResponse:
    """The error page. Says only what is true: whether someone was told (ADMINS or Sentry configured), and, when
    the database could not be reached, that the service is unavailable (503) rather than broken."""
    # No context processors, no database: a plain template, rendered even when everything else is down.
    import sys

    from django.conf import settings
    from django.db import InterfaceError, OperationalError
    from django.template import loader

    exc = sys.exc_info()[1]  # Django calls this view while handling the exception
    unavailable = isinstance(exc, (OperationalError, InterfaceError))
    context = {"reported": bool(settings.ADMINS or getattr(settings, "SENTRY_DSN", ""))}
    template = "errors/503.html" if unavailable else "errors/500.html"
    return HttpResponse(loader.get_template(template).render(context), status=503 if unavailable else 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/403_csrf.html", status=403)
