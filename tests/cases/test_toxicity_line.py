"""A toxicity is tied to the immunotherapy line it occurred under; lines are numbered "Ligne 1", "Ligne 2"."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.urls import reverse

from cases.models import Case, Toxicity
from tests.cases.test_demo import _load
from tests.cases.test_form import drugs, form_data  # noqa: F401 (fixture)
from tests.helpers import login

pytestmark = pytest.mark.django_db


def two_lines(drugs: Any, event: Any, **overrides: Any) -> dict[str, Any]:  # noqa: F811
    """Lines at rows 0 and 2 (row 1 removed in the page); the toxicity under the second."""
    data = form_data(drugs, event, action="save")
    data.update(
        {
            "line-TOTAL_FORMS": "3",
            "line-2-drugs": [str(drugs[1].pk)],
            "line-2-regimen": "mono",
            "line-2-setting": "metastatic",
            "line-2-start_date": "2026-08-01",
            "line-2-status": "ongoing",
            "tox-0-line": "2",
        }
    )
    data.update(overrides)
    return data


def test_toxicity_is_stored_with_its_line_and_shown_again(client: Any, alice: Any, drugs: Any, colitis: Any) -> None:  # noqa: F811
    login(client, alice)
    response = client.post(reverse("cases:create"), two_lines(drugs, colitis))
    assert response.status_code == 302
    case = Case.objects.get()
    lines = list(case.lines.order_by("position"))
    tox = case.toxicities.get()
    assert len(lines) == 2 and tox.line == lines[1]
    assert str(tox.line.start_date) == "2026-08-01"
    # The stored draft drawn again without its raw copy: the lines numbered, the toxicity's line chosen.
    Case.objects.filter(pk=case.pk).update(draft_data={})
    body = html.unescape(client.get(reverse("cases:edit", args=[case.pk])).content.decode())
    assert 'class="line-number">1<' in body and 'class="line-number">2<' in body
    select = body[body.index('name="tox-0-line"') :]
    select = select[: select.index("</select>")]
    assert '<option value="1" selected>Ligne 2</option>' in select


def test_a_line_that_is_not_in_the_form_is_refused_in_french(
    client: Any,
    alice: Any,
    drugs: Any,  # noqa: F811
    colitis: Any,
) -> None:
    login(client, alice)
    response = client.post(reverse("cases:create"), two_lines(drugs, colitis, **{"tox-0-line": "7"}))
    assert response.status_code == 400
    assert "Cette ligne d'immunothérapie n'existe pas dans le formulaire." in html.unescape(response.content.decode())
    case = Case.objects.get()
    assert case.lines.count() == 2  # what could be stored is stored


def test_the_line_removed_leaves_the_toxicity_without_line(
    client: Any,
    alice: Any,
    drugs: Any,  # noqa: F811
    colitis: Any,
) -> None:
    login(client, alice)
    client.post(reverse("cases:create"), two_lines(drugs, colitis))
    case = Case.objects.get()
    data = form_data(drugs, colitis, action="save", case_pk=case.pk, **{"tox-0-line": ""})
    client.post(reverse("cases:edit", args=[case.pk]), data)
    assert case.toxicities.get().line is None and case.lines.count() == 1


def test_demo_toxicities_are_tied_to_their_line(password: str) -> None:
    _load(password)
    assert Toxicity.objects.exists()
    assert not Toxicity.objects.filter(line__isnull=True).exists()
