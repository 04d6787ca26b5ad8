"""The project's URLs plus the floor view the benchmark compares everything with."""

from __future__ import annotations

from django.urls import path

from tigre.urls import urlpatterns as project_urlpatterns

from .views import floor

urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *project_urlpatterns]
