from __future__ import annotations

from django.urls import include, path

app_name = "cases"

# The clinician's pages (request form, "Mes demandes", case page) are listed here;
# the secretariat's triage queue lives in cases/triage/urls.py, same namespace.
urlpatterns: list = [
    path("tri/", include("cases.triage.urls")),
]
