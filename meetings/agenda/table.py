"""The body of the agenda table (``templates/meetings/_agenda_table.html``), built in Python.

The meeting page shows a whole meeting's requests (60 in the benchmark) on every view, without any cache. Written in
the template language, each row cost about forty variable nodes and ninety template nodes: nearly two thirds of the
page's time (docs/architecture.md#the-agenda-page). Here a row is one f-string in which every value is escaped by
``_e`` (the fixed texts are translated and escaped once per table), and the template keeps the table's frame, its
head and everything around it. tests/meetings/test_agenda_page.py checks that hostile values come out escaped.

What the rows show, and why, is the same as before: docs/domain.md#meetings-and-the-agenda.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from meetings.agenda.selectors import AgendaRow
from meetings.models import Meeting
from meetings.scheduling import time_label


def _url_for_each(name: str, *args: int) -> Callable[[int], str]:
    """``reverse(name, args=[*args, pk])`` for many ``pk``, reversed once: a page of 60 rows makes 180 links."""
    marker = 9_876_543_210_123
    prefix, suffix = reverse(name, args=[*args, marker]).split(str(marker))
    return lambda pk: f"{prefix}{pk}{suffix}"


def _e(value: object) -> str:
    """Escaped for HTML text and attribute values: what ``{{ value }}`` and ``format_html`` do (``html.escape`` with
    quotes), without their lazy-string checks, which cost more than the escaping on a table's thousands of values."""
    return html.escape(str(value))


def agenda_table_body(
    meeting: Meeting, rows: list[AgendaRow], *, capacity: int, editable: bool, csrf_token: str
) -> SafeString:
    """The ``<tr>`` of every row, in order: number, slot, request, toxicities, referents, and for an agenda that can
    still be edited, the move buttons (with a plain form each, for a browser without JavaScript) and the menu of
    other actions (loaded by htmx when opened). Rows past ``capacity`` are marked as overflowing.

    Every value placed goes through ``_e``; the fixed texts are translated and escaped once per table."""
    case_url = _url_for_each("cases:detail")
    shift_url = _url_for_each("meetings:agenda_shift", meeting.pk)
    actions_url = _url_for_each("meetings:agenda_item_actions", meeting.pk)
    # The same messages as {% blocktrans with ref=... %} would look up.
    up, down, more = _("Monter %(ref)s"), _("Descendre %(ref)s"), _("Autres actions pour %(ref)s")
    grip = (
        '<i class="bi bi-grip-vertical text-body-tertiary drag-handle" aria-hidden="true" '
        f'title="{_e(_("Glisser pour déplacer (ou utiliser les flèches)"))}"></i>'
        if editable
        else ""
    )
    pin = (
        f' <i class="bi bi-pin-angle-fill text-body-secondary" role="img" '
        f'title="{_e(_("Placée à la main : une reconstruction la laisse ici"))}" '
        f'aria-label="{_e(_("placée à la main"))}"></i>'
    )
    ratification_badge = f'<span class="badge badge-urgent">{_e(_("Ratification avis urgent"))}</span>'
    urgent_badge = f'<span class="badge badge-urgent">{_e(_("Urgente"))}</span>'
    no_referent = _e(_("Aucun référent :"))
    up_title, down_title = _e(_("Monter")), _e(_("Descendre"))
    menu = (
        f'<div class="dropdown-menu dropdown-menu-end p-3 agenda-menu" '
        f'data-load-error="{_e(_("Les actions n’ont pas pu être chargées : rechargez la page."))}">'
        f'<span class="small text-body-secondary">{_e(_("Chargement…"))}</span></div>'
    )
    hidden = (
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{_e(csrf_token)}">'
        f'<input type="hidden" name="version" value="{_e(meeting.version)}">'
    )
    no_toxicity = '<span class="text-body-secondary">—</span>'
    draggable = ' draggable="true"' if editable else ""
    last = len(rows)
    html_rows = []
    for number, row in enumerate(rows, start=1):
        pk = int(row["pk"])
        classes = " ".join(
            name for name, on in (("table-urgent", row["urgent"]), ("agenda-overflow", number > capacity)) if on
        )
        toxicities = "".join(
            f'<div><span class="badge grade-badge grade-{int(tox["grade"])}">G{int(tox["grade"])}</span> '
            f'{_e(tox["event"])} <span class="text-body-secondary">({_e(tox["category"])})</span></div>'
            for tox in row["toxicities"]
        )
        referents = "".join(
            f'<div>{_e(needed["name"])} <span class="text-body-secondary">· {_e(needed["category"])}</span></div>'
            for needed in row["referents"]
        )
        if row["missing"] and editable:
            referents += (
                '<div class="text-danger"><i class="bi bi-person-exclamation" aria-hidden="true"></i> '
                f"{no_referent} {_e(', '.join(row['missing']))}</div>"
            )
        actions = ""
        if editable:
            ref = {"ref": row["reference"]}
            shift = _e(shift_url(pk))
            actions = (
                '<td class="text-end text-nowrap">'
                f'<form class="d-inline" method="post" action="{shift}" hx-post="{shift}" hx-target="#agenda" '
                f'hx-swap="outerHTML">{hidden}'
                f'<button type="submit" name="direction" value="up" id="up-{pk}" '
                f'class="btn btn-sm btn-outline-secondary"{" disabled" if number == 1 else ""} '
                f'aria-label="{_e(up % ref)}" title="{up_title}">'
                '<i class="bi bi-arrow-up" aria-hidden="true"></i></button>'
                f'<button type="submit" name="direction" value="down" id="down-{pk}" '
                f'class="btn btn-sm btn-outline-secondary"{" disabled" if number == last else ""} '
                f'aria-label="{_e(down % ref)}" title="{down_title}">'
                '<i class="bi bi-arrow-down" aria-hidden="true"></i></button></form>'
                '<div class="dropdown d-inline">'
                '<button class="btn btn-sm btn-outline-secondary dropdown-toggle" type="button" '
                'data-bs-toggle="dropdown" data-bs-auto-close="outside" aria-expanded="false" '
                """data-bs-popper-config='{"strategy": "fixed"}' """
                f'hx-get="{_e(actions_url(pk))}" hx-trigger="show.bs.dropdown once" hx-target="next .agenda-menu" '
                f'hx-swap="innerHTML" aria-label="{_e(more % ref)}"><i class="bi bi-three-dots" aria-hidden="true"></i>'
                f"</button>{menu}</div></td>"
            )
        html_rows.append(
            f'<tr id="item-{pk}" data-item="{pk}"{draggable} class="{classes}">'
            f'<td class="text-end fw-semibold text-nowrap">{grip}{number}</td>'
            f'<td class="text-nowrap">{_e(time_label(row["slot_start"]))}{pin if row["placed_manually"] else ""}</td>'
            f'<td><a href="{_e(case_url(row["case_id"]))}" class="fw-semibold">{_e(row["reference"])}</a>'
            f"{ratification_badge if row['ratification'] else urgent_badge if row['urgent'] else ''}"
            f'<div class="small">{_e(row["pseudonym"])} · {_e(row["site"])}</div>'
            f'<div class="small text-body-secondary">{_e(row["requester"])}'
            f"{' — ' + _e(row['centre']) if row['centre'] else ''}</div></td>"
            f'<td class="small">{toxicities or no_toxicity}</td>'
            f'<td class="small">{referents}</td>'
            f"{actions}</tr>"
        )
    return mark_safe("".join(html_rows))  # noqa: S308 -- every value above went through _e
