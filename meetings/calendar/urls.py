"""URLs of the calendar exports (included by meetings/urls.py, namespace "meetings")."""

from __future__ import annotations

from django.urls import path

from meetings.calendar import views

urlpatterns: list = [
    path("<int:pk>/rcp.ics", views.meeting_ics, name="ics"),
    path("agenda/", views.calendar_settings, name="calendar_settings"),
    path("agenda/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
