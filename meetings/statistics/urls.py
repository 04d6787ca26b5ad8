from __future__ import annotations

from django.urls import path

from . import views

app_name = "statistics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rapports/", views.report_request, name="report_request"),
    path("rapports/etat/", views.report_panel, name="report_panel"),
    path("rapports/<int:pk>/<slug:fmt>/", views.report_download, name="report_download"),
]
