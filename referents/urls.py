from __future__ import annotations

from django.urls import path

from . import views

app_name = "referents"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("couverture/", views.coverage, name="coverage"),
    path("gestion/", views.manage, name="manage"),
    path("ajouter/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
    path("<int:pk>/desactiver/", views.set_active, {"active": False}, name="deactivate"),
    path("<int:pk>/reactiver/", views.set_active, {"active": True}, name="reactivate"),
    path("<int:pk>/absences/", views.absences, name="absences"),
    path("mes-absences/", views.my_absences, name="my_absences"),
    path("absences/<int:pk>/supprimer/", views.absence_delete, name="absence_delete"),
    path("import/", views.import_referents, name="import"),
    path("import/modele.csv", views.import_template, name="import_template"),
    path("export.csv", views.export, name="export"),
]
