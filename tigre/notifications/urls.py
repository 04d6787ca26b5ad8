from __future__ import annotations

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("lues/", views.mark_read, name="mark_read"),
    path("urgences/", views.urgent_list, name="urgent_list"),
    path("urgences/<int:pk>/prendre/", views.urgent_take, name="urgent_take"),
    path("urgences/<int:pk>/avis/", views.urgent_opinion, name="urgent_opinion"),
]
