from __future__ import annotations

from django.urls import path

from . import views

# Included by cases/urls.py under "tri/" in the "cases" namespace.
urlpatterns: list = [
    path("", views.triage_queue_view, name="triage"),
    path("<int:pk>/accepter/", views.triage_accept_view, name="triage_accept"),
    path("<int:pk>/informations/", views.triage_request_info_view, name="triage_request_info"),
    path("<int:pk>/refuser/", views.triage_decline_view, name="triage_decline"),
]
