from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cases.pharmacovigilance.models import Outcome, PvDeclaration, PvFollowUp, PvStatus, PvStatusChange
from cases.pharmacovigilance.services import (
    PvTransitionError,
    pv_bulk_transition,
    pv_from_avis,
    pv_transition,
)
from tests.factories.cases import ToxicityFactory
from tests.factories.pharmacovigilance import PvAvisFactory, PvFollowUpFactory

pytestmark = pytest.mark.django_db


def test_avis_flag_sets_every_toxicity_to_declare_and_records_who(cora):
    avis = PvAvisFactory(declare_pv=True)
    t1 = ToxicityFactory(case=avis.case)
    t2 = ToxicityFactory(case=avis.case)

    rows = pv_from_avis(avis=avis, by=cora)

    assert {r.toxicity_id for r in rows} == {t1.pk, t2.pk}
    assert set(PvFollowUp.objects.values_list("status", flat=True)) == {PvStatus.TO_DECLARE}
    changes = PvStatusChange.objects.filter(follow_up__toxicity=t1).order_by("pk")
    assert [(c.from_status, c.to_status, c.by_id) for c in changes] == [
        ("", PvStatus.TO_ASSESS, cora.pk),
        (PvStatus.TO_ASSESS, PvStatus.TO_DECLARE, cora.pk),
    ]


def test_avis_without_flag_leaves_to_assess(cora):
    avis = PvAvisFactory(declare_pv=False)
    ToxicityFactory(case=avis.case)
    (row,) = pv_from_avis(avis=avis, by=cora)
    assert row.status == PvStatus.TO_ASSESS


def test_a_grade_5_toxicity_opens_a_fatal_serious_follow_up(cora):
    """CTCAE grade 5 is death: serious, criterion "décès", outcome fatal (docs/domain.md#ctcae-grades)."""
    avis = PvAvisFactory(declare_pv=False)
    fatal = ToxicityFactory(case=avis.case, grade=5)
    other = ToxicityFactory(case=avis.case, grade=3)
    rows = {r.toxicity_id: r for r in pv_from_avis(avis=avis, by=cora)}
    declaration = PvDeclaration.objects.get(follow_up=rows[fatal.pk])
    assert (declaration.serious, declaration.results_in_death, declaration.outcome) == (True, True, Outcome.FATAL)
    assert not PvDeclaration.objects.filter(follow_up=rows[other.pk]).exists()


def test_pv_from_avis_is_idempotent_and_never_overrides_the_crpv(cora, victor):
    avis = PvAvisFactory(declare_pv=True)
    toxicity = ToxicityFactory(case=avis.case)
    (row,) = pv_from_avis(avis=avis, by=cora)
    pv_transition(follow_up=row, to=PvStatus.NOT_TO_DECLARE, by=victor, reason="Effet attendu, déjà déclaré")

    again = pv_from_avis(avis=avis, by=cora)

    assert PvFollowUp.objects.filter(toxicity=toxicity).count() == 1
    assert again[0].status == PvStatus.NOT_TO_DECLARE
    assert PvStatusChange.objects.filter(follow_up=row).count() == 3


def test_crpv_declares_with_date_reference_and_declarer(victor):
    follow_up = PvFollowUpFactory(status=PvStatus.TO_DECLARE)
    day = timezone.localdate() - dt.timedelta(days=1)

    done = pv_transition(
        follow_up=follow_up, to=PvStatus.DECLARED, by=victor, declared_on=day, crpv_reference=" NY-2026-0042 "
    )

    done.refresh_from_db()
    assert (done.status, done.declared_on, done.crpv_reference, done.declarer_id) == (
        PvStatus.DECLARED,
        day,
        "NY-2026-0042",
        victor.pk,
    )
    last = done.changes.last()
    assert (last.from_status, last.to_status, last.by_id) == (PvStatus.TO_DECLARE, PvStatus.DECLARED, victor.pk)
    assert "NY-2026-0042" in last.note


def test_coordinator_may_change_status(cora):
    follow_up = PvFollowUpFactory()
    pv_transition(follow_up=follow_up, to=PvStatus.TO_DECLARE, by=cora)
    follow_up.refresh_from_db()
    assert follow_up.status == PvStatus.TO_DECLARE


@pytest.mark.parametrize("who", ["alice", "rita", "sam", "adam_not_superuser"])
def test_others_may_not_change_status(request, who):
    from tests.factories.accounts import UserFactory

    user = UserFactory(roles=["administrator"]) if who == "adam_not_superuser" else request.getfixturevalue(who)
    follow_up = PvFollowUpFactory()
    with pytest.raises(PermissionDenied):
        pv_transition(follow_up=follow_up, to=PvStatus.TO_DECLARE, by=user)
    follow_up.refresh_from_db()
    assert follow_up.status == PvStatus.TO_ASSESS
    assert not follow_up.changes.exists()


@pytest.mark.parametrize(
    ("start", "to", "kwargs", "message"),
    [
        (PvStatus.TO_DECLARE, PvStatus.DECLARED, {"crpv_reference": "X1"}, "date de la déclaration"),
        (PvStatus.TO_DECLARE, PvStatus.DECLARED, {"declared_on": dt.date(2026, 1, 1)}, "référence CRPV"),
        (PvStatus.TO_DECLARE, PvStatus.NOT_TO_DECLARE, {"reason": "   "}, "pourquoi"),
        (PvStatus.TO_DECLARE, PvStatus.TO_DECLARE, {}, "déjà au statut"),
        (PvStatus.DECLARED, PvStatus.NOT_TO_DECLARE, {"reason": "x"}, "impossible"),
        (PvStatus.DECLARED, PvStatus.TO_DECLARE, {}, "rouverte"),
        (PvStatus.TO_ASSESS, "bogus", {}, "inconnu"),
    ],
)
def test_refused_transitions_explain_in_french(victor, start, to, kwargs, message):
    follow_up = PvFollowUpFactory(status=start)
    with pytest.raises(PvTransitionError, match=message):
        pv_transition(follow_up=follow_up, to=to, by=victor, **kwargs)
    follow_up.refresh_from_db()
    assert follow_up.status == start


def test_declaration_date_cannot_be_in_the_future(victor):
    follow_up = PvFollowUpFactory(status=PvStatus.TO_DECLARE)
    with pytest.raises(PvTransitionError, match="futur"):
        pv_transition(
            follow_up=follow_up,
            to=PvStatus.DECLARED,
            by=victor,
            declared_on=timezone.localdate() + dt.timedelta(days=1),
            crpv_reference="R",
        )


def test_bulk_not_to_declare_with_one_reason(victor):
    rows = [PvFollowUpFactory(status=PvStatus.TO_ASSESS) for _ in range(3)]
    already = PvFollowUpFactory(status=PvStatus.NOT_TO_DECLARE, not_declare_reason="ancien")

    changed = pv_bulk_transition(
        follow_up_ids=[r.pk for r in rows] + [already.pk],
        to=PvStatus.NOT_TO_DECLARE,
        by=victor,
        reason="Grade 1, attendu",
    )

    assert changed == 3
    assert set(PvFollowUp.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", "not_declare_reason")) == {
        (PvStatus.NOT_TO_DECLARE, "Grade 1, attendu")
    }
    already.refresh_from_db()
    assert already.not_declare_reason == "ancien"


def test_bulk_is_all_or_nothing(victor):
    ok = PvFollowUpFactory(status=PvStatus.TO_ASSESS)
    declared = PvFollowUpFactory(status=PvStatus.DECLARED)
    with pytest.raises(PvTransitionError):
        pv_bulk_transition(follow_up_ids=[ok.pk, declared.pk], to=PvStatus.NOT_TO_DECLARE, by=victor, reason="x")
    ok.refresh_from_db()
    assert ok.status == PvStatus.TO_ASSESS


def test_bulk_refuses_declared_target_and_empty_selection(victor, alice):
    row = PvFollowUpFactory()
    with pytest.raises(PvTransitionError, match="n'existe pas"):
        pv_bulk_transition(follow_up_ids=[row.pk], to=PvStatus.DECLARED, by=victor)
    with pytest.raises(PvTransitionError, match="au moins un"):
        pv_bulk_transition(follow_up_ids=[999999], to=PvStatus.TO_DECLARE, by=victor)
    with pytest.raises(PermissionDenied):
        pv_bulk_transition(follow_up_ids=[row.pk], to=PvStatus.TO_DECLARE, by=alice)
