"""The app's URLs plus views that fail, for the error-reporting tests."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from tigre.urls import urlpatterns as app_urlpatterns

handler403 = "tigre.views.error_403"
handler404 = "tigre.views.error_404"
handler500 = "tigre.views.error_500"


@login_not_required
def boom(request: HttpRequest) -> HttpResponse:
    patient_name = request.POST.get("patient-birth_name", "")
    ins = request.POST.get("patient-ins", "")
    raise ValueError(f"could not file the request of {patient_name} (INS {ins})")


@login_not_required
def other_boom(request: HttpRequest) -> HttpResponse:
    raise KeyError("Durand")


@login_not_required
def database_down(request: HttpRequest) -> HttpResponse:
    raise OperationalError("the database did not answer within 7 s (waiting for a statement)")


urlpatterns = [
    *app_urlpatterns,
    path("test-boom/", boom),
    path("test-other-boom/", other_boom),
    path("test-database-down/", database_down),
]
