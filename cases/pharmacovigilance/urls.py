from __future__ import annotations

from django.urls import path

from . import views

app_name = "pharmacovigilance"

urlpatterns = [
    path("", views.pv_list, name="list"),
    path("actions-groupees/", views.pv_bulk, name="bulk"),
    path("effets/<int:pk>/", views.pv_sheet, name="sheet"),
    path("effets/<int:pk>/completer/", views.pv_sheet_edit, name="sheet_edit"),
    path("effets/<int:pk>/statut/", views.pv_status_change, name="status_change"),
    path("effets/<int:pk>/fiche.pdf", views.pv_sheet_pdf, name="sheet_pdf"),
    path("demandes/<int:case_pk>/e2b.xml", views.pv_e2b, name="e2b"),
    path("demandes/<int:case_pk>/statut/", views.pv_case_status, name="case_status"),
    path("registre/", views.pv_registry, name="registry"),
    path("registre.csv", views.pv_registry_csv, name="registry_csv"),
]
