from __future__ import annotations

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "tigre.ops"
    label = "ops"
    verbose_name = "Exploitation"

    def ready(self) -> None:
        from django.conf import settings

        if settings.TIGRE_WEB_PROCESS:
            # Imported here: only web processes install the deadline, once the app registry is ready.
            from .db import install_wait_deadline

            install_wait_deadline()
