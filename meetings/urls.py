from __future__ import annotations

from django.urls import include, path

from . import views

app_name = "meetings"

# The meetings' own pages here; the agenda's, the session's and the calendar exports' in their sub-packages (all in
# the one "meetings" namespace).
urlpatterns: list = [
    path("", views.meeting_list, name="list"),
    path("creer/", views.meetings_create, name="create_ahead"),
    path("<int:pk>/gerer/", views.meeting_manage, name="manage"),
    path("<int:pk>/annuler/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/deplacer/", views.meeting_move, name="move"),
    path("<int:pk>/coordinateurs/", views.meeting_coordinators, name="coordinators"),
    path("", include("meetings.agenda.urls")),
    path("", include("meetings.session.urls")),
    path("", include("meetings.calendar.urls")),
]
