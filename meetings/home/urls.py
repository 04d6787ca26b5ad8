"""The home page, ``/`` (included without a namespace by tigre/urls.py: its name stays "home")."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns: list = [path("", views.home, name="home")]
