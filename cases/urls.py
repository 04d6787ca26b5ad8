from __future__ import annotations

from django.urls import include, path

from . import views

app_name = "cases"

# The clinician's pages (request form, "Mes demandes", case page) are listed here;
# the secretariat's triage queue lives in cases/triage/urls.py, same namespace.
urlpatterns: list = [
    path("", views.my_cases, name="my_cases"),
    path("nouvelle/", views.case_create, name="create"),
    path("formulaire/ligne/", views.line_row, name="line_row"),
    path("formulaire/toxicite/", views.toxicity_row, name="toxicity_row"),
    path("formulaire/tag/", views.tag_check, name="tag_check"),
    path("formulaire/brouillon/", views.case_autosave, name="autosave"),
    path("formulaire/doublons/", views.duplicate_check, name="duplicate_check"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/modifier/", views.case_edit, name="edit"),
    path("<int:pk>/supprimer/", views.case_delete, name="delete"),
    path("<int:pk>/repondre/", views.case_answer, name="answer"),
    path("<int:pk>/retirer/", views.case_withdraw, name="withdraw"),
    path("<int:pk>/presenter-a-nouveau/", views.case_present_again, name="present_again"),
    path("<int:pk>/pieces-jointes/", views.attachment_add, name="attachment_add"),
    path(
        "<int:pk>/pieces-jointes/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "<int:pk>/pieces-jointes/<int:attachment_pk>/supprimer/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    path("tri/", include("cases.triage.urls")),
    path("suivi/", include("cases.followup.urls")),
]
