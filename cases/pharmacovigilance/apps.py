from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PharmacovigilanceConfig(AppConfig):
    name = "cases.pharmacovigilance"
    label = "pharmacovigilance"
    verbose_name = _("Pharmacovigilance")
