"""URLs of the meeting session (included by meetings/urls.py, namespace "meetings")."""

from __future__ import annotations

from django.urls import path

from meetings.session import views

urlpatterns: list = [
    path("mes-reunions/", views.my_meetings, name="my_meetings"),
    path("mes-reunions/<int:pk>/", views.my_meeting, name="my_meeting"),
    path("<int:pk>/seance/", views.session, name="session"),
    path("<int:pk>/seance/presence/<int:participant_pk>/", views.attendance, name="attendance"),
    path("<int:pk>/seance/participants/recherche/", views.participant_search, name="participant_search"),
    path("<int:pk>/seance/participants/ajouter/", views.participant_add, name="participant_add"),
    path("<int:pk>/seance/dossiers/<int:item_pk>/", views.session_item, name="session_item"),
    path("<int:pk>/seance/dossiers/<int:item_pk>/reporter/", views.postpone, name="postpone"),
    path("<int:pk>/seance/valider/", views.validate, name="validate"),
]
