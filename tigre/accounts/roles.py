"""Roles are Django groups; one person may hold several."""

from __future__ import annotations

import logging
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class Role(models.TextChoices):
    CLINICIAN = "clinician", _("Clinicien demandeur")
    SECRETARIAT = "secretariat", _("Secrétariat")
    COORDINATOR = "coordinator", _("Coordinateur")
    REFERENT = "referent", _("Référent")
    PHARMACOVIGILANCE = "pharmacovigilance", _("Pharmacovigilance (CRPV)")
    ADMINISTRATOR = "administrator", _("Administrateur")


# Roles that see every case (docs/domain.md#roles); object-level scope is enforced in selectors.
ALL_CASES_ROLES = frozenset({Role.SECRETARIAT, Role.COORDINATOR, Role.PHARMACOVIGILANCE})
# Roles that must use a second factor (TOTP).
STAFF_ROLES = frozenset({Role.SECRETARIAT, Role.COORDINATOR, Role.PHARMACOVIGILANCE, Role.ADMINISTRATOR})

# Model permissions granted to each group (used by the admin). Missing permissions are
# reported, never silently skipped, so a renamed model shows up in the migrate output.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CLINICIAN: [],
    Role.REFERENT: [],
    Role.SECRETARIAT: [
        "referents.add_referent",
        "referents.change_referent",
        "referents.view_referent",
        "referents.add_absence",
        "referents.change_absence",
        "referents.delete_absence",
        "accounts.view_centre",
    ],
    Role.COORDINATOR: [],
    Role.PHARMACOVIGILANCE: [],
    Role.ADMINISTRATOR: [
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_user",
        "accounts.add_centre",
        "accounts.change_centre",
        "accounts.view_centre",
        "referents.add_organcategory",
        "referents.change_organcategory",
        "referents.view_organcategory",
        "referents.add_toxicityevent",
        "referents.change_toxicityevent",
        "referents.view_toxicityevent",
        "cases.add_drug",
        "cases.change_drug",
        "cases.view_drug",
    ],
}


def sync_role_groups(sender: Any = None, **kwargs: Any) -> None:
    """Create one group per role with its permissions (idempotent; runs after migrate)."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    # post_migrate fires once per app; permissions exist only after the last one.
    last = [cfg for cfg in apps.get_app_configs() if cfg.models_module is not None][-1]
    if sender is not None and sender.label != last.label:
        return
    using = kwargs.get("using", "default")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        wanted = []
        for full in codenames:
            app_label, codename = full.split(".")
            perm = Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename).first()
            if perm is None:
                logger.warning("Permission %s not found for role %s", full, role)
                continue
            wanted.append(perm)
        group.permissions.set(wanted)
