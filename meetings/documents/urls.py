from __future__ import annotations

from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("reunions/<int:pk>/ordre-du-jour.pdf", views.agenda_pdf, name="agenda_pdf"),
    path("reunions/<int:pk>/compte-rendu.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("reunions/<int:pk>/documents/", views.meeting_panel, name="meeting_panel"),
    path("reunions/<int:pk>/documents/<slug:kind>/relancer/", views.retry, name="retry"),
    path("fiches/<int:pk>/fiche-rcp.pdf", views.fiche_pdf, name="fiche_pdf"),
    path("demandes/<int:pk>/fiches/", views.case_panel, name="case_panel"),
]
