"""Demo data of the pharmacovigilance workspace (invented people only). Idempotent.

Runs after the meeting-session demo, whose validated meeting flagged two toxicities "declare"
(pv_from_avis put them "to declare"). Here, on the other discussed toxicities (still "to assess"),
the CRPV has already settled two: one declared with its reference, one not to declare with its reason.
The two flagged ones are left "to declare" for the CRPV to work on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tigre.accounts.models import User

from .models import PvFollowUp, PvStatus, PvStatusChange
from .services import pv_transition

CRPV = "crpv@demo.tigre"
DEMO_REFERENCE = "CRPV-NY-2026-0187"
NOT_TO_DECLARE_REASON = "Effet de grade 1 attendu, déjà déclaré par le service lors de la première survenue."


def load(*, password: str, stdout: Any = None) -> list[PvFollowUp]:
    crpv = User.objects.filter(email=CRPV).first()
    if crpv is None:
        raise RuntimeError("Run tigre.accounts.demo:load first (the CRPV demo account is missing).")
    # Already done on an earlier run: the CRPV's decisions are recorded with this account.
    if PvStatusChange.objects.filter(by=crpv, to_status__in=[PvStatus.DECLARED, PvStatus.NOT_TO_DECLARE]).exists():
        return []
    to_assess = list(
        PvFollowUp.objects.filter(status=PvStatus.TO_ASSESS)
        .select_related("toxicity__case")
        .order_by("-toxicity__grade", "pk")[:2]
    )
    done: list[PvFollowUp] = []
    if to_assess:
        declared_on = max(timezone.localdate() - dt.timedelta(days=2), to_assess[0].created_at.date())
        done.append(
            pv_transition(
                follow_up=to_assess[0],
                to=PvStatus.DECLARED,
                by=crpv,
                declared_on=min(declared_on, timezone.localdate()),
                crpv_reference=DEMO_REFERENCE,
            )
        )
    if len(to_assess) > 1:
        done.append(
            pv_transition(follow_up=to_assess[1], to=PvStatus.NOT_TO_DECLARE, by=crpv, reason=NOT_TO_DECLARE_REASON)
        )
    if stdout is not None:
        counts = {s: PvFollowUp.objects.filter(status=s).count() for s in PvStatus.values}
        stdout.write(
            "Pharmacovigilance : {to_declare} à déclarer, {declared} déclarée(s), {not_to_declare} non déclarable(s), "
            "{to_assess} à évaluer.\n".format(**counts)
        )
    return done
