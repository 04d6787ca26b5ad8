from __future__ import annotations

from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.access_log, name="log"),
    path("export-patient/", views.patient_export_view, name="patient_export"),
]
