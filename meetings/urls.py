from __future__ import annotations

from django.urls import include, path

app_name = "meetings"

# Two groups of pages, each in its own module: the agenda (scheduling, building, editing, publishing)
# and the meeting session (referents' view, attendance, quorum, avis, validation, calendar).
urlpatterns: list = [
    path("", include("meetings.agenda.urls")),
    path("", include("meetings.session.urls")),
]
