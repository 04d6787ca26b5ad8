"""Demo accounts: one per role, invented people only. Called by `manage.py load_demo`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group

from tigre.lib.specialties import Specialty

from .models import Centre, Title, User
from .psc_identities import DEMO_RPPS
from .roles import Role

# (email, first name, last name, title, specialty, centre name, roles)
DEMO_ACCOUNTS: list[tuple[str, str, str, str, str, str, list[str]]] = [
    ("clinicien@demo.tigre", "Claire", "Martinot", Title.DR, Specialty.ONCOLOGY, "CHU de Reims", [Role.CLINICIAN]),
    ("secretariat@demo.tigre", "Sophie", "Lemaire", Title.MRS, "", "CHRU de Nancy", [Role.SECRETARIAT]),
    (
        "coordinateur@demo.tigre",
        "Paul",
        "Vasseur",
        Title.PR,
        Specialty.ONCOLOGY,
        "CHU de Strasbourg",
        [Role.COORDINATOR, Role.CLINICIAN],
    ),
    (
        "referent@demo.tigre",
        "Romain",
        "Keller",
        Title.DR,
        Specialty.CARDIOLOGY,
        "CHRU de Nancy",
        [Role.REFERENT, Role.CLINICIAN],
    ),
    (
        "crpv@demo.tigre",
        "Valérie",
        "Thomassin",
        Title.DR,
        Specialty.PHARMACOLOGY,
        "CHRU de Nancy",
        [Role.PHARMACOVIGILANCE],
    ),
    ("admin@demo.tigre", "Antoine", "Girardot", Title.MR, "", "CHRU de Nancy", [Role.ADMINISTRATOR]),
]


def load(*, password: str, stdout: Any = None) -> list[User]:
    centres = {c.name: c for c in Centre.objects.all()}
    users = []
    for email, first, last, title, specialty, centre_name, roles in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "title": title,
                "specialty": specialty,
                "centre": centres.get(centre_name),
                "phone": "03 00 00 00 00",
            },
        )
        # The RPPS lets the demo accounts log in with the local Pro Santé Connect provider (psc_identities.py).
        rpps = DEMO_RPPS.get(email, "")
        if rpps and user.rpps != rpps:
            user.rpps = rpps
            user.save(update_fields=["rpps"])
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        if Role.ADMINISTRATOR in roles and not (user.is_staff and user.is_superuser):
            user.is_staff = True
            user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        user.groups.add(*Group.objects.filter(name__in=roles))
        users.append(user)
    return users
