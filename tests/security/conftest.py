"""A small world with one object of each kind, for the role x view matrix and the IDOR tests.

alice (clinician) asked for the case; rita (referent) is invited to its meeting and holds a Referent row; bob is a
clinician elsewhere who should see none of it. Each test gets a fresh world (transaction rolled back).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.utils import timezone

from tests.factories.cases import ImmunotherapyLineFactory, SubmittedCaseFactory, ToxicityFactory
from tests.factories.meetings import AgendaItemFactory, MeetingFactory
from tests.factories.referents import AbsenceFactory, CoverageFactory, ReferentFactory


@dataclass
class World:
    users: dict[str, Any]
    case: Any
    other_case: Any
    attachment: Any
    toxicity: Any
    pv: Any
    meeting: Any
    item: Any
    participant: Any
    referent: Any
    absence: Any
    avis: Any
    feed: Any


@pytest.fixture
def world(alice, bob, rita, sam, cora, victor, adam) -> World:
    from cases.followup.models import FollowUp
    from cases.messages import Kind
    from cases.models import Attachment, Avis, CaseStatus
    from cases.pharmacovigilance.models import PvFollowUp
    from meetings.models import CalendarFeed, Participant
    from tigre.notifications.models import Notification

    case = SubmittedCaseFactory(requester=alice, status=CaseStatus.SCHEDULED, reference="TIGRE-2026-0500")
    other_case = SubmittedCaseFactory(reference="TIGRE-2026-0501")  # nobody's among the named people
    toxicity = ToxicityFactory(case=case, grade=3)
    ImmunotherapyLineFactory(case=case)  # a suspect drug: the case meets the minimum criteria of an E2B report
    pv = PvFollowUp.objects.create(toxicity=toxicity)
    attachment = Attachment.objects.create(
        case=case,
        file=ContentFile(b"%PDF-1.4 compte rendu", name="cr.pdf"),
        original_name="cr.pdf",
        content_type="application/pdf",
        size=21,
        sha256="0" * 64,
        uploaded_by=alice,
    )
    meeting = MeetingFactory(starts_at=timezone.now() + dt.timedelta(days=3))
    item = AgendaItemFactory(meeting=meeting, case=case)
    participant = Participant.objects.create(meeting=meeting, user=rita, invited=True)
    referent = ReferentFactory(user=rita)
    CoverageFactory(referent=referent)
    absence = AbsenceFactory(referent=referent)
    # A validated avis on a qualified identity: its structured exports (meetings/exports) can be produced.
    cora.centre = alice.centre
    cora.save(update_fields=["centre"])
    case.patient.ins, case.patient.ins_status = "258045412345654", "qualified"
    case.patient.save(update_fields=["ins", "ins_status"])
    avis = Avis.objects.create(
        case=case,
        meeting_at=meeting.starts_at,
        state=Avis.State.VALIDATED,
        answer="Poursuivre.",
        drafted_by=cora,
        validated_by=cora,
        validated_at=timezone.now(),
    )
    item.avis = avis
    item.save(update_fields=["avis"])
    FollowUp.objects.create(avis=avis, case=case, due_date=timezone.localdate())  # asked at the réévaluation date
    feed = CalendarFeed.objects.create(user=rita, token="jeton-secret-de-rita-" + "x" * 20)
    Notification.objects.create(
        recipient=rita, kind=Kind.URGENT_ALERT, about=case, key=f"urgent-{case.pk}-{rita.pk}", subject="Urgent"
    )
    users = {
        "clinician": alice,
        "other_clinician": bob,
        "referent": rita,
        "secretariat": sam,
        "coordinator": cora,
        "pharmacovigilance": victor,
        "administrator": adam,
    }
    return World(
        users, case, other_case, attachment, toxicity, pv, meeting, item, participant, referent, absence, avis, feed
    )


# Tables whose content a refused request must leave exactly as it was.
FINGERPRINT_EXCLUDED = {"sessions.Session", "axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"}


def db_fingerprint() -> str:
    """A digest of every row of every application table (sessions and login bookkeeping aside)."""
    digest = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        if model._meta.label in FINGERPRINT_EXCLUDED or model._meta.proxy or not model._meta.managed:
            continue
        digest.update(model._meta.label.encode())
        for row in model._default_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def url_kwargs(name: str, pattern: str, world: World) -> dict[str, Any]:
    """Sample URL arguments pointing at the world's objects, by URL name and parameter name."""
    import re

    namespace = name.split(":")[0]
    kwargs: dict[str, Any] = {}
    for param in re.findall(r"<(?:\w+:)?(\w+)>", pattern):
        if param == "case_pk":
            kwargs[param] = world.case.pk
        elif param == "attachment_pk":
            kwargs[param] = world.attachment.pk
        elif param == "item_pk":
            kwargs[param] = world.item.pk
        elif param == "participant_pk":
            kwargs[param] = world.participant.pk
        elif param == "token":
            kwargs[param] = world.feed.token if name == "meetings:calendar_feed" else "jeton"
        elif param == "kind":
            kwargs[param] = "agenda"
        elif param == "fmt":
            kwargs[param] = "pdf"
        elif param == "uidb64":
            kwargs[param] = "MQ"
        elif param == "pk":
            kwargs[param] = _pk_for(name, namespace, world)
        else:
            raise AssertionError(f"no sample value for <{param}> in {name}: add one to tests/security/conftest.py")
    return kwargs


def _pk_for(name: str, namespace: str, world: World) -> int:
    if name == "cases:follow_up_answer":
        return world.avis.follow_up.pk
    if name == "documents:fiche_pdf" or namespace == "exports":
        return world.avis.pk
    if name == "documents:case_panel" or namespace in ("cases", "urgent"):
        return world.case.pk
    if namespace == "pharmacovigilance":
        return world.pv.pk
    if namespace == "referents":
        return world.absence.pk if "absence_delete" in name else world.referent.pk
    if namespace in ("meetings", "documents"):
        return world.meeting.pk
    if namespace == "statistics":
        from meetings.statistics.models import ActivityReport

        return ActivityReport.objects.get_or_create(
            kind="year", first_day=dt.date(2026, 1, 1), last_day=dt.date(2026, 12, 31)
        )[0].pk
    if name == "accounts:psc_request_detail":
        from tigre.accounts.models import PscAccessRequest

        fields = {
            "given_name": "Lucie",
            "family_name": "FABRE",
            "reason": "unknown",
            "email": "l@f.test",
            "workplace": "CH",
        }
        return PscAccessRequest.objects.get_or_create(rpps="10200000045", defaults=fields)[0].pk
    raise AssertionError(f"no sample pk for {name}: add one to tests/security/conftest.py")
