"""Demo meetings (invented people only). Called by `manage.py load_demo`; idempotent.

The next 8 Wednesdays' meetings (a French public holiday on one of them is flagged), each chaired by
coordinateur@demo.tigre and a second, invented coordinator. Next Wednesday's agenda is deliberately NOT
built: the secretariat demo builds it from the accepted demo requests.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group

from tigre.accounts.models import Centre, Title, User
from tigre.accounts.roles import Role
from tigre.lib.specialties import Specialty

from .models import Meeting
from .selectors import upcoming_meetings
from .services import meeting_set_coordinators, meetings_create_ahead

COORDINATOR = "coordinateur@demo.tigre"
# (email, first name, last name, title, specialty, centre name)
SECOND_COORDINATOR = ("pr.roussel@demo.tigre", "Étienne", "Roussel", Title.PR, Specialty.ONCOLOGY, "CHU de Reims")


def _second_coordinator(password: str) -> User:
    email, first, last, title, specialty, centre_name = SECOND_COORDINATOR
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "first_name": first,
            "last_name": last,
            "title": title,
            "specialty": specialty,
            "centre": Centre.objects.filter(name=centre_name).first(),
            "phone": "03 00 00 00 00",
        },
    )
    if created or not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    user.groups.add(*Group.objects.filter(name__in=[Role.COORDINATOR, Role.CLINICIAN]))
    user.__dict__.pop("roles", None)
    return user


def load(*, password: str, stdout: Any = None) -> list[Meeting]:
    # The two demo coordinators exist before the meetings, which then name them by default.
    chairs = [u for u in (User.objects.filter(email=COORDINATOR).first(), _second_coordinator(password)) if u]
    created = meetings_create_ahead(weeks=8)
    secretariat = User.objects.filter(groups__name=Role.SECRETARIAT).order_by("pk").first()
    meetings = list(upcoming_meetings().prefetch_related("coordinators")[:8])
    for meeting in meetings:
        if not meeting.coordinators.all():
            meeting_set_coordinators(meeting=meeting, coordinators=chairs, by=secretariat)
    if stdout is not None:
        holidays = [m for m in meetings if m.holiday_name]
        stdout.write(
            f"Réunions : {len(created)} créée(s), {len(meetings)} à venir"
            + (f", jour(s) férié(s) signalé(s) : {', '.join(m.holiday_name for m in holidays)}" if holidays else "")
        )
    return meetings
