from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tigre.accounts"
    label = "accounts"
    verbose_name = _("Comptes")

    def ready(self) -> None:
        # Imported here: the signal receivers use models, which the app registry loads before ready() (Django's rule).
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from .roles import sync_role_groups
        from .security import on_user_logged_in

        post_migrate.connect(sync_role_groups, dispatch_uid="tigre.accounts.sync_role_groups")
        user_logged_in.connect(on_user_logged_in, dispatch_uid="tigre.accounts.on_user_logged_in")
