"""URLs of the agenda (included by meetings/urls.py, namespace "meetings"): the meeting page with its agenda, building,
edits, publication, and putting a request on a meeting from the triage queue."""

from __future__ import annotations

from django.urls import path

from meetings.agenda import views

urlpatterns: list = [
    path("inscrire/<int:case_pk>/", views.schedule_case, name="schedule_case"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/ordre-du-jour/construire/", views.agenda_build, name="agenda_build"),
    path("<int:pk>/ordre-du-jour/reporter/", views.agenda_carry_over, name="agenda_carry_over"),
    path("<int:pk>/ordre-du-jour/publier/", views.agenda_publish, name="agenda_publish"),
    path("<int:pk>/ordre-du-jour/reordonner/", views.agenda_reorder, name="agenda_reorder"),
    path("<int:pk>/ordre-du-jour/ajouter/", views.item_add, name="agenda_add"),
    path("<int:pk>/ordre-du-jour/candidats/", views.agenda_candidates, name="agenda_candidates"),
    path("<int:pk>/ordre-du-jour/<int:item_pk>/actions/", views.item_actions, name="agenda_item_actions"),
    path("<int:pk>/ordre-du-jour/<int:item_pk>/ordre/", views.item_shift, name="agenda_shift"),
    path("<int:pk>/ordre-du-jour/<int:item_pk>/deplacer/", views.item_move, name="agenda_move"),
    path("<int:pk>/ordre-du-jour/<int:item_pk>/retirer/", views.item_remove, name="agenda_remove"),
]
