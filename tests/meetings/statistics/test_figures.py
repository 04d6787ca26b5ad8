"""Each figure of the dashboard on a small hand-built world whose answers are known: counts, means, medians,
90th percentiles, shares, empty periods, and periods around the late-October change of time in Paris."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cases.followup.models import Applied, FollowUp, Outcome
from cases.models import Avis, CaseStatus, Drug
from cases.pharmacovigilance.models import PvStatus
from meetings.models import AgendaItem, Meeting
from meetings.statistics import aggregates, periods, selectors
from meetings.statistics.figures import FIGURES, NOT_AVAILABLE, SECTIONS
from tests.factories.accounts import UserFactory
from tests.factories.cases import ImmunotherapyLineFactory, ToxicityFactory
from tests.factories.pharmacovigilance import PvFollowUpFactory
from tests.factories.referents import CentreFactory, OrganCategoryFactory, ToxicityEventFactory

from .conftest import avis, item, meeting, paris, patient, present, request, urgent

pytestmark = pytest.mark.django_db

OCTOBER = periods.month(2026, 10)
Q4 = periods.quarter(2026, 4)


def shown(period: periods.Period, key: str) -> str:
    return selectors.dashboard(period).figure(key).display


def rows(period: periods.Period, key: str) -> list[tuple[str, int, str]]:
    return [(r.label, r.count, r.share_display) for r in selectors.dashboard(period).table(key).rows]


# --- Periods -------------------------------------------------------------------------------------------------


def test_a_period_runs_from_paris_midnight_to_paris_midnight_whatever_the_change_of_time() -> None:
    assert OCTOBER.start == paris(2026, 10, 1) and OCTOBER.start.utcoffset() == dt.timedelta(hours=2)
    assert OCTOBER.end == paris(2026, 11, 1) and OCTOBER.end.utcoffset() == dt.timedelta(hours=1)
    # Elapsed time (in UTC: Python subtracts two times of one zone on the wall clock): the hour gained on 25
    # October makes October 745 hours long, the hour lost on 29 March makes March 743.
    assert OCTOBER.end.astimezone(dt.UTC) - OCTOBER.start.astimezone(dt.UTC) == dt.timedelta(days=31, hours=1)
    march = periods.month(2026, 3)
    assert march.end.astimezone(dt.UTC) - march.start.astimezone(dt.UTC) == dt.timedelta(days=31, hours=-1)
    assert (Q4.first, Q4.last) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert periods.year(2026).start.isoformat() == "2026-01-01T00:00:00+01:00"
    assert periods.month(2024, 2).last == dt.date(2024, 2, 29)
    assert periods.custom(dt.date(2026, 10, 20), dt.date(2026, 10, 30)).days == 11


def test_requests_near_midnight_fall_in_their_paris_month_after_the_october_change() -> None:
    # 31 October 23:30 in Paris is 22:30 UTC: October. 1 November 00:15 in Paris is still 31 October in UTC.
    request(paris(2026, 10, 31, 23, 30))
    request(paris(2026, 11, 1, 0, 15))
    request(paris(2026, 10, 1, 0, 5))  # 30 September 22:05 UTC: October in Paris
    request(paris(2026, 9, 30, 23, 55))

    assert shown(OCTOBER, "requests_total") == "2"
    assert shown(periods.month(2026, 11), "requests_total") == "1"
    months = selectors.dashboard(periods.custom(dt.date(2026, 9, 1), dt.date(2026, 11, 30))).table("by_month")
    assert [(r.label, r.count) for r in months.rows] == [
        ("septembre 2026", 1),
        ("octobre 2026", 2),
        ("novembre 2026", 1),
    ]
    assert months.axis == ["sept.", "oct.", "nov."]


def test_a_delay_across_the_change_of_time_counts_the_hours_that_passed() -> None:
    # Submitted Saturday 24 October 17:00, discussed Wednesday 28 October 17:00: 4 days on the wall clock, but
    # 97 hours went by (the clocks went back one hour on the 25th): 4.04 days, shown 4,0 j.
    held = meeting(dt.date(2026, 10, 28))
    item(held, request(paris(2026, 10, 24, 17, 0)))
    crossing = periods.custom(dt.date(2026, 10, 20), dt.date(2026, 10, 30))

    figure = selectors.dashboard(crossing).figure("delay_discussion_median")

    assert figure.value == dt.timedelta(hours=97)
    assert figure.display == "4,0 j"


# --- Activity ------------------------------------------------------------------------------------------------


def test_meetings_held_cancelled_and_cases_per_meeting() -> None:
    first = meeting(dt.date(2026, 10, 7))
    second = meeting(dt.date(2026, 10, 14), Meeting.Status.HELD)
    meeting(dt.date(2026, 10, 21), Meeting.Status.CANCELLED)
    upcoming = meeting(dt.date(2026, 10, 28), Meeting.Status.PUBLISHED)
    outside = meeting(dt.date(2026, 11, 4))
    for _ in range(3):
        item(first, request(paris(2026, 10, 1, 9)))
    item(first, request(paris(2026, 10, 1, 9)), AgendaItem.Outcome.POSTPONED)
    for _ in range(2):
        item(second, request(paris(2026, 10, 8, 9)))
    item(upcoming, request(paris(2026, 10, 20, 9)), AgendaItem.Outcome.PLANNED)
    item(outside, request(paris(2026, 10, 30, 9)))

    dash = selectors.dashboard(OCTOBER)

    assert dash.figure("meetings_held").display == "2"
    assert dash.figure("meetings_cancelled").display == "1"
    assert dash.figure("cases_discussed").display == "5"
    assert dash.figure("cases_per_meeting").display == "2,5"
    assert dash.figure("postponed_count").display == "1"
    postponed = dash.figure("postponed_share")
    assert (postponed.display, postponed.detail, postponed.missed_target) == ("16,7 %", "1 / 6", True)
    months = dash.table("by_month")
    assert months.series[1] == ("Dossiers discutés", [5])


def test_requests_urgent_share_new_and_represented_patients() -> None:
    known = patient(ins="255081416802538", birth_name="Martin", first_names="Jeanne", birth_date=dt.date(1950, 1, 2))
    request(paris(2025, 6, 1, 10), patient=known)  # an earlier request, before the period
    again = patient(ins="255081416802538", birth_name="Martin", first_names="Jeanne", birth_date=dt.date(1950, 1, 2))
    request(paris(2026, 10, 5, 10), patient=again)  # same INS: re-presented
    twin = patient(ins="", birth_name="Petit", first_names="Paul", birth_date=dt.date(1960, 3, 3))
    request(paris(2026, 10, 6, 10), patient=twin)
    same = patient(ins="", birth_name="Petit", first_names="Paul", birth_date=dt.date(1960, 3, 3))
    request(paris(2026, 10, 20, 10), patient=same)  # same name and birth date, later in the period: re-presented
    urgent(paris(2026, 10, 9, 10), ack_after=None, opinion_after=None)
    request(paris(2026, 10, 10, 10), status=CaseStatus.WITHDRAWN)  # withdrawn requests count
    request(None, status=CaseStatus.DRAFT, reference=None)  # a draft does not

    dash = selectors.dashboard(OCTOBER)

    assert dash.figure("requests_total").display == "5"
    assert (dash.figure("urgent_share").display, dash.figure("urgent_share").detail) == ("20,0 %", "1 / 5")
    assert dash.figure("new_patients").display == "3"
    assert dash.figure("represented_share").display == "40,0 %"


def test_requests_by_centre_hospital_organ_drug_and_grade() -> None:
    reims, troyes = CentreFactory(name="CHU de Reims"), CentreFactory(name="CH de Troyes")
    heart = OrganCategoryFactory(code="heart-x", label="Cœur", position=1)
    skin = OrganCategoryFactory(code="skin-x", label="Peau", position=2)
    myocarditis = ToxicityEventFactory(category=heart, code="myo-x")
    rash = ToxicityEventFactory(category=skin, code="rash-x")
    nivo, ipi = Drug.objects.get(name="nivolumab"), Drug.objects.get(name="ipilimumab")
    a = request(paris(2026, 10, 2, 9), patient=patient(treating_centre=reims), requester_centre=troyes, highest_grade=3)
    b = request(paris(2026, 10, 3, 9), patient=patient(treating_centre=reims), requester_centre=reims, highest_grade=2)
    c = request(paris(2026, 10, 4, 9), patient=patient(treating_centre=troyes), requester_centre=reims, highest_grade=3)
    ToxicityFactory(case=a, event=myocarditis, grade=3)
    ToxicityFactory(case=a, event=rash, grade=1)
    ToxicityFactory(case=a, event=rash, grade=2)  # the same organ twice counts once
    ToxicityFactory(case=b, event=rash, grade=2)
    ImmunotherapyLineFactory(case=a, drugs=[nivo, ipi])
    ImmunotherapyLineFactory(case=b, drugs=[nivo])
    ImmunotherapyLineFactory(case=c, drugs=[nivo])
    ImmunotherapyLineFactory(case=c, drugs=[nivo])  # a second line of the same drug counts once

    assert rows(OCTOBER, "by_centre") == [("CHU de Reims", 2, "66,7 %"), ("CH de Troyes", 1, "33,3 %")]
    assert rows(OCTOBER, "by_hospital") == [("CHU de Reims", 2, "66,7 %"), ("CH de Troyes", 1, "33,3 %")]
    assert rows(OCTOBER, "by_organ") == [("Cœur", 1, "33,3 %"), ("Peau", 2, "66,7 %")]
    assert rows(OCTOBER, "by_drug") == [("nivolumab", 3, "100,0 %"), ("ipilimumab", 1, "33,3 %")]
    assert rows(OCTOBER, "by_grade") == [
        ("Grade 1", 0, "0,0 %"),
        ("Grade 2", 1, "33,3 %"),
        ("Grade 3", 2, "66,7 %"),
        ("Grade 4", 0, "0,0 %"),
        ("Grade 5", 0, "0,0 %"),
    ]


# --- Delays --------------------------------------------------------------------------------------------------


def test_delay_to_first_discussion_median_and_90th_percentile() -> None:
    held = meeting(dt.date(2026, 10, 14))
    earlier = meeting(dt.date(2026, 9, 30))
    later = meeting(dt.date(2026, 10, 21))
    for days in (2, 4, 10):
        item(held, request(held.starts_at - dt.timedelta(days=days)))
    seen_before = request(paris(2026, 9, 20, 17))
    item(earlier, seen_before)
    item(later, seen_before)  # discussed again in October: not a first discussion
    twice = request(paris(2026, 10, 1, 17))
    item(held, twice, AgendaItem.Outcome.POSTPONED)
    item(later, twice)  # first discussed on the 21st, 20 days after submission

    dash = selectors.dashboard(OCTOBER)

    assert dash.figure("delay_discussion_count").display == "4"
    # Delays 2, 4, 10, 20 days: median 7; 90th percentile 10 + (20 - 10) x 0.7 = 17 (linear interpolation).
    assert dash.figure("delay_discussion_median").display == "7,0 j"
    assert dash.figure("delay_discussion_p90").display == "17,0 j"


def test_delay_to_validated_avis_counts_the_first_validated_avis_of_each_request() -> None:
    first = meeting(dt.date(2026, 10, 7))
    second = meeting(dt.date(2026, 10, 14))
    one = request(first.starts_at - dt.timedelta(days=3))
    avis(one, first, validated_at=first.starts_at + dt.timedelta(hours=12))  # 3.5 days
    two = request(first.starts_at - dt.timedelta(days=6))
    avis(two, first, validated_at=first.starts_at)  # 6 days
    avis(two, second, validated_at=second.starts_at)  # a second avis of the same request: not counted

    dash = selectors.dashboard(OCTOBER)

    assert dash.figure("delay_avis_count").display == "2"
    assert dash.figure("delay_avis_median").display == "4,8 j"  # (3.5 + 6) / 2 = 4.75, half up
    assert dash.figure("delay_avis_p90").display == "5,8 j"  # 3.5 + 2.5 x 0.9 = 5.75


def test_urgent_delays_and_shares_within_2_and_24_hours() -> None:
    h = dt.timedelta(hours=1)
    urgent(paris(2026, 10, 2, 9), ack_after=0.5 * h, opinion_after=1 * h)
    urgent(paris(2026, 10, 3, 9), ack_after=1.5 * h, opinion_after=3 * h)
    urgent(paris(2026, 10, 4, 9), ack_after=3 * h, opinion_after=30 * h)
    urgent(paris(2026, 10, 5, 9), ack_after=None, opinion_after=None)  # never taken: counts as late
    urgent(paris(2026, 9, 5, 9), ack_after=0.1 * h, opinion_after=0.2 * h)  # another month

    dash = selectors.dashboard(OCTOBER)

    assert dash.figure("urgent_alerted").display == "4"
    assert dash.figure("urgent_ack_median").display == "1,5 h"
    assert dash.figure("urgent_ack_p90").display == "2,7 h"  # 1.5 + (3 - 1.5) x 0.8
    assert (dash.figure("urgent_ack_2h").display, dash.figure("urgent_ack_2h").detail) == ("50,0 %", "2 / 4")
    assert dash.figure("urgent_ack_24h").display == "75,0 %"
    assert dash.figure("urgent_opinion_median").display == "3,0 h"
    assert dash.figure("urgent_opinion_p90").display == "24,6 h"  # 3 + 27 x 0.8
    assert dash.figure("urgent_opinion_2h").display == "25,0 %"
    assert dash.figure("urgent_opinion_24h").display == "50,0 %"


# --- The meeting ---------------------------------------------------------------------------------------------


def test_quorum_attendance_by_specialty_and_centre() -> None:
    quorate = meeting(dt.date(2026, 10, 7))
    short = meeting(dt.date(2026, 10, 14))
    present(quorate, "cardiology", "neurology", "oncology", "oncology", absent=2)
    present(short, "cardiology", "cardiology", "")  # two physicians of one specialty, and the secretariat

    dash = selectors.dashboard(OCTOBER)

    assert (dash.figure("quorum_share").display, dash.figure("quorum_share").detail) == ("50,0 %", "1 / 2")
    assert dash.figure("attendance_mean").display == "3,5"  # 7 present over 2 meetings
    by_specialty = [(r.label, r.count) for r in dash.table("attendance_by_specialty").rows]
    assert by_specialty == [("Cardiologie", 3), ("Oncologie médicale", 2), ("Neurologie", 1), ("sans spécialité", 1)]
    assert dash.figure("avis_with_organ_referent").display == str(NOT_AVAILABLE)


# --- The avis ------------------------------------------------------------------------------------------------


def test_decision_mix_and_measures() -> None:
    held = meeting(dt.date(2026, 10, 7))
    d = Avis.IciDecision
    avis(request(paris(2026, 10, 1, 9)), held, ici_decision=d.STOP, steroids=True, declare_pv=True)
    avis(request(paris(2026, 10, 1, 9)), held, ici_decision=d.STOP, other_immunosuppressant="Infliximab")
    avis(request(paris(2026, 10, 1, 9)), held, ici_decision=d.HOLD, rechallenge=Avis.Rechallenge.POSSIBLE)
    avis(request(paris(2026, 10, 1, 9)), held, ici_decision="", steroids=True, hospitalisation=True)
    Avis.objects.create(  # a draft does not count
        case=request(paris(2026, 10, 1, 9)), meeting_at=held.starts_at, answer="x", drafted_by=UserFactory()
    )

    dash = selectors.dashboard(OCTOBER)

    assert dash.figure("avis_validated").display == "4"
    assert [(r.label, r.count, r.share_display) for r in dash.table("avis_decisions").rows] == [
        ("Poursuivre l'immunothérapie", 0, "0,0 %"),
        ("Suspendre l'immunothérapie", 1, "25,0 %"),
        ("Arrêter définitivement l'immunothérapie", 2, "50,0 %"),
        ("Non précisée", 1, "25,0 %"),
    ]
    measures = {r.label: r.count for r in dash.table("avis_measures").rows}
    assert measures == {
        "Reprise (rechallenge) possible": 1,
        "Reprise contre-indiquée": 0,
        "Corticothérapie": 2,
        "Autre immunosuppresseur": 1,
        "Hospitalisation": 1,
        "À déclarer à la pharmacovigilance": 1,
    }
    assert dash.figure("avis_guideline_share").display == "non disponible (pas encore recueilli)"
    assert dash.figure("followup_applied_share").available


def test_follow_up_answers_applied_and_not_applied() -> None:
    held = meeting(dt.date(2026, 10, 7))
    later = meeting(dt.date(2026, 11, 4))
    # October: 4 answers (yes, yes, partly, no) and one question not answered yet; November: one "no".
    for on, applied in [
        (held, Applied.YES),
        (held, Applied.YES),
        (held, Applied.PARTLY),
        (held, Applied.NO),
        (held, ""),
        (later, Applied.NO),
    ]:
        given = avis(request(paris(2026, 10, 1, 9)), on)
        FollowUp.objects.create(
            avis=given,
            case=given.case,
            due_date=dt.date(2026, 12, 1),
            applied=applied,
            outcome=Outcome.STABLE if applied else "",
            answered_at=timezone.now() if applied else None,
        )
    assert shown(OCTOBER, "followup_applied_share") == "50,0 %"  # 2 of the 4 answered
    assert shown(OCTOBER, "followup_not_applied_share") == "25,0 %"  # "partly" is neither
    assert shown(periods.month(2026, 11), "followup_not_applied_share") == "100,0 %"


# --- Pharmacovigilance ---------------------------------------------------------------------------------------


def test_pharmacovigilance_to_declare_declared_and_delay() -> None:
    opened = paris(2026, 10, 2, 23, 30)  # late evening: the follow-up opened on 2 October, Paris time
    for days in (1, 3, 20):
        PvFollowUpFactory(status=PvStatus.DECLARED, created_at=opened, declared_on=dt.date(2026, 10, 2 + days))
    PvFollowUpFactory(status=PvStatus.TO_DECLARE, created_at=opened)
    PvFollowUpFactory(status=PvStatus.NOT_TO_DECLARE, created_at=opened)
    PvFollowUpFactory(status=PvStatus.DECLARED, created_at=paris(2026, 9, 1, 10), declared_on=dt.date(2026, 11, 3))

    dash = selectors.dashboard(OCTOBER)

    assert dash.figure("pv_followed").display == "5"
    assert dash.figure("pv_to_declare").display == "1"
    assert dash.figure("pv_declared").display == "3"
    assert dash.figure("pv_declared_share").display == "75,0 %"
    assert dash.figure("pv_delay_count").display == "3"
    assert dash.figure("pv_delay_median").display == "3,0 j"
    assert dash.figure("pv_delay_p90").display == "16,6 j"  # 3 + 17 x 0.8
    statuses = {r.label: r.count for r in dash.table("pv_statuses").rows}
    assert statuses == {"À évaluer": 0, "À déclarer": 1, "Déclarée": 3, "Non déclarable": 1}


# --- Empty periods, availability, the fallback ---------------------------------------------------------------


def test_an_empty_period_shows_zero_counts_and_dashes_never_an_error() -> None:
    meeting(dt.date(2026, 10, 7))  # a held meeting without any case, outside the period
    dash = selectors.dashboard(periods.month(2026, 1))

    for figure in (f for s in dash.sections for f in s.figures):
        if not figure.available:
            assert figure.display == "non disponible (pas encore recueilli)"
        elif figure.definition.unit == "count":
            assert figure.display == "0", figure.key
        else:
            assert figure.display == "—", figure.key
    assert [r.count for r in dash.table("by_month").rows] == [0]
    assert dash.table("by_centre").rows == []


def test_every_figure_has_a_french_definition_and_only_the_missing_data_is_unavailable() -> None:
    dash = selectors.dashboard(periods.month(2026, 1))
    unavailable = {f.key for s in dash.sections for f in s.figures if not f.available}
    assert unavailable == {
        "avis_with_organ_referent",
        "avis_without_organ_referent",
        "avis_guideline_share",
    }
    for definition in FIGURES:
        assert len(str(definition.definition)) > 20 and str(definition.label)
        assert definition.key in unavailable or not definition.missing
    notes = [f.note for s in dash.sections for f in [*s.figures, *s.tables]]
    assert sorted(notes) == list(range(1, len(notes) + 1))
    assert [s.key for s in dash.sections] == list(SECTIONS)


def test_the_python_fallback_interpolates_as_postgresql_percentile_cont() -> None:
    from django.db.models import Count, F

    for days in (1, 2, 3, 5, 8, 13, 21):
        request(paris(2026, 10, days, 9), highest_grade=min(days, 5))
    qs = selectors.Case.objects.all()
    values = list(qs.values_list("highest_grade", flat=True))
    for fraction in (0, 0.1, 0.5, 0.9, 1):
        database = qs.aggregate(p=aggregates.Percentile(F("highest_grade"), fraction), n=Count("pk"))["p"]
        assert aggregates.interpolate(values, fraction) == pytest.approx(database)
    assert aggregates.interpolate([], 0.5) is None
    with pytest.raises(ValueError):
        aggregates.Percentile(F("highest_grade"), 1.5)
