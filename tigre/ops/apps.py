from __future__ import annotations

from django.apps import AppConfig
from django.db.backends.signals import connection_created

from tigre.lib.sql import sqlite_register


class OpsConfig(AppConfig):
    name = "tigre.ops"
    label = "ops"
    verbose_name = "Exploitation"

    def ready(self) -> None:
        from django.conf import settings

        # The embedded SQLite of `make run` gets the two PostgreSQL string functions the searches use.
        connection_created.connect(sqlite_register, dispatch_uid="tigre.lib.sql.sqlite_register")

        if settings.TIGRE_WEB_PROCESS:
            # Imported here: only web processes install the deadline, once the app registry is ready.
            from .db import install_wait_deadline

            install_wait_deadline()
