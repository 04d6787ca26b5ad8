"""`referents_available`: the one place that chooses referents for the agenda and the urgent alerts."""

from __future__ import annotations

import datetime

import pytest

from referents.models import Coverage, OrganCategory
from referents.selectors import referents_available
from tests.factories.accounts import UserFactory
from tests.factories.referents import AbsenceFactory, CentreFactory, CoverageFactory, ReferentFactory

pytestmark = pytest.mark.django_db

WEDNESDAY = datetime.date(2026, 12, 2)


def _referent(last_name: str, *, centre=None, **kwargs):
    user = UserFactory(last_name=last_name, first_name="Jean", roles=["referent"])
    extra = {"centre": centre} if centre is not None else {}
    return ReferentFactory(user=user, **extra, **kwargs)


@pytest.fixture
def heart() -> OrganCategory:
    return OrganCategory.objects.get(code="heart")


@pytest.fixture
def lung() -> OrganCategory:
    return OrganCategory.objects.get(code="lung")


def test_primaries_come_before_backups_and_each_list_is_sorted_by_name(heart) -> None:
    zola = _referent("Zola")
    adam = _referent("Adam")
    backup_bloch = _referent("Bloch")
    CoverageFactory(referent=zola, category=heart)
    CoverageFactory(referent=adam, category=heart)
    CoverageFactory(referent=backup_bloch, category=heart, rank=Coverage.Rank.BACKUP)

    result = referents_available(categories=[heart], on=WEDNESDAY)

    availability = result[heart.pk]
    assert availability.category == heart
    assert availability.primaries == [adam, zola]
    assert availability.backups == [backup_bloch]
    assert availability.referents == [adam, zola, backup_bloch]
    assert not availability.is_gap


def test_absent_referents_are_left_out_on_that_day_only(heart) -> None:
    present = _referent("Present")
    away = _referent("Absent")
    CoverageFactory(referent=present, category=heart)
    CoverageFactory(referent=away, category=heart)
    AbsenceFactory(referent=away, start=WEDNESDAY - datetime.timedelta(days=2), end=WEDNESDAY)

    assert referents_available(categories=[heart], on=WEDNESDAY)[heart.pk].primaries == [present]
    next_day = WEDNESDAY + datetime.timedelta(days=1)
    assert referents_available(categories=[heart], on=next_day)[heart.pk].primaries == [away, present]
    first_day = WEDNESDAY - datetime.timedelta(days=2)
    assert referents_available(categories=[heart], on=first_day)[heart.pk].primaries == [present]


def test_inactive_referents_and_inactive_users_are_left_out(heart) -> None:
    inactive = _referent("Inactif", is_active=False)
    CoverageFactory(referent=inactive, category=heart)
    gone = _referent("Parti")
    gone.user.is_active = False
    gone.user.save(update_fields=["is_active"])
    CoverageFactory(referent=gone, category=heart)

    assert referents_available(categories=[heart], on=WEDNESDAY)[heart.pk].is_gap


def test_the_preferred_centre_comes_first_within_each_rank(heart) -> None:
    nancy = CentreFactory(name="CHRU de Nancy")
    reims = CentreFactory(name="CHU de Reims", city="Reims")
    a_reims = _referent("Arnaud", centre=reims)
    z_nancy = _referent("Zimmer", centre=nancy)
    b_reims = _referent("Bertin", centre=reims)
    y_nancy = _referent("Yver", centre=nancy)
    for referent in (a_reims, z_nancy):
        CoverageFactory(referent=referent, category=heart)
    for referent in (b_reims, y_nancy):
        CoverageFactory(referent=referent, category=heart, rank=Coverage.Rank.BACKUP)

    by_object = referents_available(categories=[heart], on=WEDNESDAY, prefer_centre=nancy)[heart.pk]
    assert by_object.primaries == [z_nancy, a_reims]
    assert by_object.backups == [y_nancy, b_reims]
    by_id = referents_available(categories=[heart.pk], on=WEDNESDAY, prefer_centre=reims.pk)[heart.pk]
    assert by_id.primaries == [a_reims, z_nancy]
    assert by_id.backups == [b_reims, y_nancy]


def test_every_requested_category_has_an_entry_and_gaps_are_flagged(heart, lung) -> None:
    cardiologist = _referent("Coeur")
    CoverageFactory(referent=cardiologist, category=heart)
    away = _referent("Souffle")
    CoverageFactory(referent=away, category=lung)
    AbsenceFactory(referent=away, start=WEDNESDAY, end=WEDNESDAY)

    result = referents_available(categories=[heart.pk, lung], on=WEDNESDAY)

    assert set(result) == {heart.pk, lung.pk}
    assert result[lung.pk].category == lung
    assert result[lung.pk].is_gap
    assert result[lung.pk].referents == []
    assert not result[heart.pk].is_gap


def test_urgent_only_keeps_those_who_take_urgent_requests(heart) -> None:
    urgent = _referent("Urgent", takes_urgent=True)
    calm = _referent("Calme", takes_urgent=False)
    CoverageFactory(referent=urgent, category=heart)
    CoverageFactory(referent=calm, category=heart, rank=Coverage.Rank.BACKUP)

    assert referents_available(categories=[heart], on=WEDNESDAY, urgent_only=True)[heart.pk].referents == [urgent]
    assert referents_available(categories=[heart], on=WEDNESDAY)[heart.pk].referents == [urgent, calm]


def test_a_referent_covering_two_categories_appears_in_both_with_its_rank(heart, lung) -> None:
    both = _referent("Double")
    CoverageFactory(referent=both, category=heart)
    CoverageFactory(referent=both, category=lung, rank=Coverage.Rank.BACKUP)

    result = referents_available(categories=[heart, lung], on=WEDNESDAY)

    assert result[heart.pk].primaries == [both]
    assert result[lung.pk].backups == [both]
    assert result[lung.pk].primaries == []


def test_empty_request_gives_an_empty_answer() -> None:
    assert referents_available(categories=[], on=WEDNESDAY) == {}


def _populate(categories, per_category: int):
    centres = [CentreFactory() for _ in range(3)]
    for index, category in enumerate(categories):
        for n in range(per_category):
            referent = _referent(f"Nom{index}-{n}", centre=centres[n % 3])
            rank = Coverage.Rank.PRIMARY if n % 2 == 0 else Coverage.Rank.BACKUP
            CoverageFactory(referent=referent, category=category, rank=rank)
            if n % 3 == 0:
                AbsenceFactory(referent=referent, start=WEDNESDAY, end=WEDNESDAY)
    return centres


def test_query_count_for_one_category(django_assert_max_num_queries, heart) -> None:
    _populate([heart], per_category=6)
    with django_assert_max_num_queries(1):
        result = referents_available(categories=[heart], on=WEDNESDAY)
        # user and centre come loaded: reading them costs nothing more.
        names = [(r.user.last_name, r.centre.name) for r in result[heart.pk].referents]
    assert len(names) == 4


def test_query_count_is_constant_for_thirteen_categories_and_many_referents(django_assert_max_num_queries) -> None:
    categories = list(OrganCategory.objects.all())
    assert len(categories) == 13
    centres = _populate(categories, per_category=6)
    with django_assert_max_num_queries(2):
        result = referents_available(
            categories=[c.pk for c in categories], on=WEDNESDAY, prefer_centre=centres[1].pk, urgent_only=True
        )
        names = [(r.user.last_name, r.centre.name) for a in result.values() for r in a.referents]
    assert len(result) == 13
    assert len(names) == 13 * 4
    with django_assert_max_num_queries(1):
        referents_available(categories=categories, on=WEDNESDAY)
