from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Réunions (RCP)")

    def ready(self) -> None:
        # Imported here because models must be loaded first (the app registry's rule).
        from . import checks  # noqa: F401  (registers the start-up checks)
        from .hooks import install

        install()
