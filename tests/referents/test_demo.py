"""The demo directory: about 50 referents, every organ covered, a deliberate gap at the coming meeting."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from referents.demo import load_centres, load_referents
from referents.models import Absence, Coverage, OrganCategory, Referent
from referents.selectors import meeting_day, referents_available
from tests.helpers import login
from tigre.accounts.demo import load as load_accounts
from tigre.accounts.management.commands.load_demo import DEMO_STEPS
from tigre.accounts.models import User

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 26, 11, 0, tzinfo=datetime.UTC)  # a Thursday


@pytest.fixture
def demo():
    with time_machine.travel(NOW, tick=False):
        load_centres(password="demo-pass")
        load_accounts(password="demo-pass")
        load_referents(password="demo-pass")
        yield


def test_about_fifty_referents_across_the_three_chus(demo) -> None:
    assert 45 <= Referent.objects.count() <= 60
    cities = set(Referent.objects.values_list("centre__city", flat=True))
    assert {"Reims", "Strasbourg", "Nancy"} <= cities
    assert set(User.objects.filter(referent__isnull=False).values_list("groups__name", flat=True)) >= {"referent"}
    marchal = User.objects.get(email="elodie.marchal@demo.tigre")
    assert marchal.check_password("demo-pass")
    assert marchal.has_role("referent")


def test_every_category_has_a_primary_and_a_backup(demo) -> None:
    for category in OrganCategory.objects.all():
        ranks = set(Coverage.objects.filter(category=category, referent__is_active=True).values_list("rank", flat=True))
        assert ranks == {"primary", "backup"}, category.code


def test_the_eye_has_a_gap_at_the_coming_meeting_and_nothing_else_does(demo) -> None:
    wednesday = meeting_day(datetime.date(2026, 11, 26))
    assert wednesday == datetime.date(2026, 12, 2)
    result = referents_available(categories=OrganCategory.objects.all(), on=wednesday)
    gaps = {a.category.code for a in result.values() if a.is_gap}
    assert gaps == {"eye"}
    # The week after, the ophthalmologists are back.
    later = referents_available(categories=OrganCategory.objects.all(), on=wednesday + datetime.timedelta(days=7))
    assert not any(a.is_gap for a in later.values())


def test_the_demo_referent_account_is_a_primary_cardiologist_taking_urgent_requests(demo) -> None:
    keller = Referent.objects.select_related("user", "centre").get(user__email="referent@demo.tigre")
    assert keller.centre.name == "CHRU de Nancy"
    assert keller.takes_urgent
    assert list(keller.coverages.values_list("category__code", "rank")) == [("heart", "primary")]
    heart = OrganCategory.objects.get(code="heart")
    with time_machine.travel(NOW, tick=False):
        available = referents_available(categories=[heart], on=meeting_day(datetime.date(2026, 11, 26)))
    assert keller in available[heart.pk].primaries


def test_loading_twice_changes_nothing(demo) -> None:
    counts = (Referent.objects.count(), Coverage.objects.count(), Absence.objects.count(), User.objects.count())
    with time_machine.travel(NOW, tick=False):
        load_referents(password="demo-pass")
    assert (
        Referent.objects.count(),
        Coverage.objects.count(),
        Absence.objects.count(),
        User.objects.count(),
    ) == counts


def test_load_demo_runs_the_directory_step_after_the_accounts() -> None:
    steps = DEMO_STEPS
    assert steps.index("referents.demo:load_referents") > steps.index("tigre.accounts.demo:load")


@pytest.mark.parametrize(
    ("who", "url_names"),
    [
        ("secretariat@demo.tigre", ["directory", "coverage", "manage", "import", "create"]),
        ("clinicien@demo.tigre", ["directory"]),
        ("referent@demo.tigre", ["directory", "my_absences"]),
        ("coordinateur@demo.tigre", ["directory", "coverage"]),
    ],
)
def test_pages_render_with_the_demo_data(client, demo, who, url_names) -> None:
    login(client, User.objects.get(email=who))
    with time_machine.travel(NOW, tick=False):
        for name in url_names:
            response = client.get(reverse(f"referents:{name}"))
            assert response.status_code == 200, name
        some = Referent.objects.filter(is_active=True).first()
        assert client.get(reverse("referents:detail", args=[some.pk])).status_code == 200


def test_as_secretariat_every_category_shows_and_the_grid_shows_the_eye_gap(client, demo) -> None:
    login(client, User.objects.get(email="secretariat@demo.tigre"))
    with time_machine.travel(NOW, tick=False):
        directory = client.get(reverse("referents:directory"))
        coverage = client.get(reverse("referents:coverage"))
    entries = directory.context["categories"]
    assert len(entries) == 13
    assert all(entry.count >= 2 for entry in entries)
    assert [row.category.code for row in coverage.context["grid"].gaps] == ["eye"]
    assert 'id="row-eye" class="table-danger gap-row"' in coverage.content.decode()
