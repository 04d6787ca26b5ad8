from __future__ import annotations

from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("fiches/<int:pk>/fiche-rcp.xml", views.frcp_xml, name="frcp"),
    path("fiches/<int:pk>/fhir.json", views.fhir_json, name="fhir"),
    path("fiches/<int:pk>/IHE_XDM.ZIP", views.xdm_zip, name="xdm"),
    path("fiches/<int:pk>/mssante/", views.mssante_send, name="mssante_send"),
]
