from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowUpConfig(AppConfig):
    name = "cases.followup"
    label = "followup"
    verbose_name = _("Suivi des avis")
