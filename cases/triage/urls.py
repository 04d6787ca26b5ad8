from __future__ import annotations

from django.urls import path  # noqa: F401

# Included by cases/urls.py under "tri/" in the "cases" namespace.
urlpatterns: list = []
