from __future__ import annotations

from django.urls import path

from . import views

# Included by cases/urls.py under "suivi/" in the "cases" namespace.
urlpatterns: list = [
    path("<int:pk>/", views.follow_up_answer_view, name="follow_up_answer"),
]
