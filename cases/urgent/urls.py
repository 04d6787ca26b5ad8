from __future__ import annotations

from django.urls import path

from . import views

app_name = "urgent"

urlpatterns = [
    path("", views.urgent_list, name="list"),
    path("<int:pk>/prendre/", views.urgent_take, name="take"),
    path("<int:pk>/avis/", views.urgent_opinion, name="opinion"),
]
