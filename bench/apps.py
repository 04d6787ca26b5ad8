from __future__ import annotations

from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark (`make bench`): installed only by bench.settings."""

    name = "bench"
    label = "bench"
