from __future__ import annotations

from django.urls import path

from meetings.agenda import views

# The secretariat's and coordinators' pages: meetings list, agenda, building, edits, publication.
urlpatterns: list = [
    path("", views.meeting_list, name="list"),
    path("creer/", views.meetings_create, name="create_ahead"),
    path("inscrire/<int:case_pk>/", views.schedule_case, name="schedule_case"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/ordre-du-jour/construire/", views.agenda_build, name="agenda_build"),
    path("<int:pk>/ordre-du-jour/publier/", views.agenda_publish, name="agenda_publish"),
    path("<int:pk>/ordre-du-jour/reordonner/", views.agenda_reorder, name="agenda_reorder"),
    path("<int:pk>/ordre-du-jour/ajouter/", views.item_add, name="agenda_add"),
    path("<int:pk>/ordre-du-jour/candidats/", views.agenda_candidates, name="agenda_candidates"),
    path("<int:pk>/ordre-du-jour/<int:item_pk>/actions/", views.item_actions, name="agenda_item_actions"),
    path("<int:pk>/ordre-du-jour/<int:item_pk>/ordre/", views.item_shift, name="agenda_shift"),
    path("<int:pk>/ordre-du-jour/<int:item_pk>/deplacer/", views.item_move, name="agenda_move"),
    path("<int:pk>/ordre-du-jour/<int:item_pk>/retirer/", views.item_remove, name="agenda_remove"),
    path("<int:pk>/gerer/", views.meeting_manage, name="manage"),
    path("<int:pk>/annuler/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/deplacer/", views.meeting_move, name="move"),
    path("<int:pk>/coordinateurs/", views.meeting_coordinators, name="coordinators"),
]
