"""Demo of a patient's history and of the follow-up of avis (invented patients and people only). Idempotent.

Runs after ``meetings.demo_session`` (last week's held meeting): of clinicien@demo.tigre's two avis there,
- the colitis of M. Marchal is over: its follow-up was answered, the request closed, and the patient presented again
  ("Présenter à nouveau") for the nivolumab rechallenge; the new request is submitted and accepted, so the
  secretariat sees "Demandes antérieures de ce patient" at triage and the board the earlier avis at the meeting;
- the other avis reaches its réévaluation date today: its follow-up question is in her notifications.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cases.followup.models import Applied, FollowUp, Outcome
from cases.followup.services import follow_up_answer, follow_ups_send_due
from cases.models import Avis, CaseStatus, PresentedAgain, RequestReason
from cases.services import case_present_again, case_save_draft, case_submit
from cases.triage.services import triage_accept
from cases.workflow import case_transition
from tigre.accounts.models import User

CLAIRE = "clinicien@demo.tigre"
SECRETARIAT = "secretariat@demo.tigre"
PRESENTED_AGAIN = "Marchal"
QUESTION = (
    "Colite résolue sous infliximab, corticoïdes sevrés depuis 10 jours. Reprise du nivolumab seul (sans "
    "ipilimumab) : sous quelle surveillance ? Faut-il une prophylaxie par budésonide ?"
)


def load(*, password: str, stdout: Any = None) -> int:
    claire = User.objects.filter(email=CLAIRE).first()
    secretariat = User.objects.filter(email=SECRETARIAT).first()
    if claire is None or secretariat is None:
        return 0
    avis = list(
        Avis.objects.filter(state=Avis.State.VALIDATED, case__requester=claire, follow_up_date__isnull=False)
        .select_related("case__patient")
        .order_by("meeting_at", "pk")
    )
    earlier = next((a for a in avis if a.case.patient.birth_name == PRESENTED_AGAIN), None)
    due = next((a for a in avis if a is not earlier), None)
    if earlier is None or PresentedAgain.objects.filter(earlier=earlier.case).exists():
        return 0
    today = timezone.localdate()
    # Both réévaluation dates have come (the colitis one yesterday): the daily job asks Claire.
    Avis.objects.filter(pk=earlier.pk).update(follow_up_date=today - dt.timedelta(days=1))
    if due is not None:
        Avis.objects.filter(pk=due.pk).update(follow_up_date=today)
    follow_ups_send_due(today=today)
    answered = FollowUp.objects.get(avis=earlier)
    follow_up_answer(
        follow_up=answered,
        by=claire,
        applied=Applied.YES,
        outcome=Outcome.RESOLVED,
        comment="Infliximab 2 perfusions ; colite résolue, corticoïdes sevrés. Ipilimumab arrêté.",
    )
    case = earlier.case
    if case.status == CaseStatus.AVIS_VALIDATED:
        case_transition(case=case, to=CaseStatus.CLOSED, by=secretariat, reason="Avis appliqué, suivi reçu.")
    new = case_present_again(case=case, by=claire)
    new = case_save_draft(
        case=new,
        by=claire,
        fields={
            "reason": RequestReason.RECHALLENGE,
            "question": QUESTION,
            "key_results": "Calprotectine normalisée.",
            "patient_informed": True,
        },
    )
    new = case_submit(case=new, by=claire)
    triage_accept(case=new, by=secretariat)
    if stdout is not None:
        stdout.write(
            f"Historique : {case.reference} présentée à nouveau ({new.reference}, acceptée) ; "
            f"suivi d'avis dû aujourd'hui pour {CLAIRE}.\n"
        )
    return 1
