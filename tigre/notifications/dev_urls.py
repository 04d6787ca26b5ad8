"""Routed only when DEBUG (tigre/urls.py): the outbox as sent in development."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("envois/", views.dev_outbox, name="dev_outbox"),
]
