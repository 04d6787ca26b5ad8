"""The role x view matrix: every named view, every role, the expected status, on a world with one object of each
kind (tests/security/conftest.py). A view added without an entry here fails the completeness test; a change of
access rule fails the view's row. Refused writes change nothing in the database.

Roles, in column order: clinician (alice, the requester), another clinician (bob), the referent (rita, invited to
the case's meeting), secretariat, coordinator, pharmacovigilance (CRPV), administrator (superuser).
For POST-only views the request is an empty POST: the allowed roles get a form error, a redirect with a message,
or the action itself; the refused roles get 403 (role) or 404 (object outside their scope).
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import get_resolver, reverse

from tests.helpers import login
from tests.security.conftest import db_fingerprint, url_kwargs
from tests.test_url_walk import _walk_views

ROLES = ("clinician", "other_clinician", "referent", "secretariat", "coordinator", "pharmacovigilance", "administrator")
# The health check answers without login and probes the broker and the worker: tested in tests/accounts.
NOT_IN_MATRIX = {"healthz"}

MATRIX: dict[str, tuple[str, tuple[int, ...]]] = {
    "home": ("get", (200, 200, 200, 200, 200, 200, 200)),
    "accounts:login": ("get", (302, 302, 302, 302, 302, 302, 302)),
    "accounts:logout": ("post", (302, 302, 302, 302, 302, 302, 302)),
    "accounts:otp_verify": ("get", (302, 302, 302, 302, 302, 302, 302)),
    "accounts:otp_enrol": ("get", (200, 200, 200, 200, 200, 200, 200)),
    "accounts:password_reset": ("get", (200, 200, 200, 200, 200, 200, 200)),
    "accounts:password_reset_done": ("get", (200, 200, 200, 200, 200, 200, 200)),
    "accounts:password_reset_confirm": ("get", (200, 200, 200, 200, 200, 200, 200)),
    "accounts:password_reset_complete": ("get", (200, 200, 200, 200, 200, 200, 200)),
    "accounts:password_change": ("get", (200, 200, 200, 200, 200, 200, 200)),
    "accounts:profile": ("get", (200, 200, 200, 200, 200, 200, 200)),
    # Pro Santé Connect: public steps of the login (not configured in the test settings: 404), and the
    # secretariat's page of access requests.
    "accounts:psc_start": ("get", (404, 404, 404, 404, 404, 404, 404)),
    "accounts:psc_callback": ("get", (404, 404, 404, 404, 404, 404, 404)),
    "accounts:psc_access_request": ("get", (302, 302, 302, 302, 302, 302, 302)),
    "accounts:psc_logged_out": ("get", (200, 200, 200, 200, 200, 200, 200)),
    "accounts:psc_requests": ("get", (403, 403, 403, 200, 403, 403, 200)),
    "accounts:psc_request_detail": ("get", (403, 403, 403, 200, 403, 403, 200)),
    "set_language": ("get", (302, 302, 302, 302, 302, 302, 302)),
    "favicon": ("get", (200, 200, 200, 200, 200, 200, 200)),
    "cases:my_cases": ("get", (200, 200, 200, 200, 200, 200, 200)),
    "cases:create": ("get", (200, 200, 200, 403, 200, 403, 200)),
    "cases:line_row": ("get", (200, 200, 200, 403, 200, 403, 200)),
    "cases:toxicity_row": ("get", (200, 200, 200, 403, 200, 403, 200)),
    "cases:tag_check": ("post", (200, 200, 200, 403, 200, 403, 200)),
    "cases:duplicate_check": ("post", (200, 200, 200, 403, 200, 403, 200)),
    "cases:autosave": ("post", (400, 400, 400, 403, 400, 403, 400)),
    "cases:detail": ("get", (200, 404, 200, 200, 200, 200, 200)),
    "cases:edit": ("get", (404, 404, 404, 403, 404, 403, 404)),
    "cases:delete": ("post", (404, 404, 404, 403, 404, 403, 404)),
    "cases:answer": ("post", (302, 404, 302, 302, 302, 302, 302)),
    "cases:withdraw": ("get", (200, 404, 404, 404, 404, 404, 404)),
    # The requester's own request only, and not while it is still open (the matrix's request is): 400.
    "cases:present_again": ("get", (400, 404, 404, 403, 404, 403, 404)),
    # The follow-up of an avis: its requester (and co-requesters) only.
    "cases:follow_up_answer": ("get", (200, 404, 404, 404, 404, 404, 404)),
    "cases:attachment_add": ("post", (400, 404, 400, 400, 400, 400, 400)),
    "cases:attachment_download": ("get", (200, 404, 200, 200, 200, 200, 200)),
    "cases:attachment_delete": ("post", (302, 404, 302, 302, 302, 302, 302)),
    "cases:triage": ("get", (403, 403, 403, 200, 200, 403, 200)),
    "cases:triage_accept": ("post", (403, 403, 403, 302, 302, 403, 302)),
    "cases:triage_request_info": ("get", (403, 403, 403, 302, 302, 403, 302)),
    "cases:triage_decline": ("get", (403, 403, 403, 302, 302, 403, 302)),
    "meetings:schedule_case": ("get", (403, 403, 403, 302, 302, 403, 302)),
    "pharmacovigilance:list": ("get", (403, 403, 403, 403, 200, 200, 200)),
    "pharmacovigilance:bulk": ("post", (403, 403, 403, 403, 302, 302, 302)),
    "pharmacovigilance:sheet": ("get", (403, 403, 403, 403, 200, 200, 200)),
    "pharmacovigilance:sheet_edit": ("get", (403, 403, 403, 403, 200, 200, 200)),
    "pharmacovigilance:status_change": ("post", (403, 403, 403, 403, 302, 302, 302)),
    "pharmacovigilance:sheet_pdf": ("get", (403, 403, 403, 403, 200, 200, 200)),
    "pharmacovigilance:e2b": ("get", (403, 403, 403, 403, 200, 200, 200)),
    "pharmacovigilance:case_status": ("get", (200, 404, 200, 200, 200, 200, 200)),
    "pharmacovigilance:registry": ("get", (403, 403, 403, 403, 200, 200, 200)),
    "pharmacovigilance:registry_csv": ("get", (403, 403, 403, 403, 200, 200, 200)),
    "referents:directory": ("get", (200, 200, 200, 200, 200, 200, 200)),
    "referents:coverage": ("get", (403, 403, 403, 200, 200, 403, 200)),
    "referents:manage": ("get", (403, 403, 403, 200, 403, 403, 200)),
    "referents:create": ("get", (403, 403, 403, 200, 403, 403, 200)),
    "referents:detail": ("get", (200, 200, 200, 200, 200, 200, 200)),
    "referents:edit": ("get", (403, 403, 403, 200, 403, 403, 200)),
    "referents:deactivate": ("post", (403, 403, 403, 302, 403, 403, 302)),
    "referents:reactivate": ("post", (403, 403, 403, 302, 403, 403, 302)),
    "referents:absences": ("get", (403, 403, 403, 200, 403, 403, 200)),
    "referents:my_absences": ("get", (404, 404, 200, 404, 404, 404, 404)),
    "referents:absence_delete": ("post", (403, 403, 302, 302, 403, 403, 302)),
    "referents:import": ("get", (403, 403, 403, 200, 403, 403, 200)),
    "referents:import_template": ("get", (403, 403, 403, 200, 403, 403, 200)),
    "referents:export": ("get", (403, 403, 403, 200, 200, 403, 200)),
    "meetings:list": ("get", (403, 403, 403, 200, 200, 403, 200)),
    "meetings:create_ahead": ("post", (403, 403, 403, 302, 403, 403, 302)),
    "meetings:detail": ("get", (403, 403, 403, 200, 200, 403, 200)),
    "meetings:manage": ("get", (403, 403, 403, 200, 200, 403, 200)),
    "meetings:agenda_candidates": ("get", (403, 403, 403, 200, 200, 403, 200)),
    "meetings:agenda_item_actions": ("get", (403, 403, 403, 200, 200, 403, 200)),
    "meetings:agenda_build": ("post", (403, 403, 403, 302, 302, 403, 302)),
    "meetings:agenda_publish": ("post", (403, 403, 403, 400, 400, 403, 400)),
    "meetings:agenda_reorder": ("post", (403, 403, 403, 400, 400, 403, 400)),
    "meetings:agenda_add": ("post", (403, 403, 403, 400, 400, 403, 400)),
    "meetings:agenda_carry_over": ("post", (403, 403, 403, 400, 400, 403, 400)),
    "meetings:agenda_shift": ("post", (403, 403, 403, 400, 400, 403, 400)),
    "meetings:agenda_move": ("post", (403, 403, 403, 400, 400, 403, 400)),
    "meetings:agenda_remove": ("post", (403, 403, 403, 400, 400, 403, 400)),
    "meetings:cancel": ("post", (403, 403, 403, 302, 403, 403, 302)),
    "meetings:move": ("post", (403, 403, 403, 302, 403, 403, 302)),
    "meetings:coordinators": ("post", (403, 403, 403, 302, 302, 403, 302)),
    "meetings:my_meetings": ("get", (403, 403, 200, 403, 403, 200, 200)),
    "meetings:my_meeting": ("get", (403, 403, 200, 403, 403, 404, 404)),
    "meetings:session": ("get", (403, 403, 403, 200, 200, 403, 200)),
    # The world's meeting has not begun: the session's writes are refused with a French message (400).
    "meetings:attendance": ("post", (403, 403, 403, 400, 400, 403, 400)),
    "meetings:participant_search": ("get", (403, 403, 403, 200, 200, 403, 200)),
    "meetings:participant_add": ("post", (403, 403, 403, 400, 400, 403, 400)),
    "meetings:session_item": ("get", (403, 403, 403, 200, 200, 403, 200)),
    "meetings:postpone": ("post", (403, 403, 403, 403, 400, 403, 400)),
    "meetings:validate": ("post", (403, 403, 403, 403, 400, 403, 400)),
    "meetings:ics": ("get", (404, 404, 200, 200, 200, 200, 200)),
    "meetings:calendar_settings": ("get", (200, 200, 200, 200, 200, 200, 200)),
    "meetings:calendar_feed": ("get", (200, 200, 200, 200, 200, 200, 200)),
    "documents:agenda_pdf": ("get", (403, 403, 200, 200, 200, 200, 200)),
    "documents:minutes_pdf": ("get", (403, 403, 403, 404, 404, 404, 404)),
    "documents:meeting_panel": ("get", (200, 200, 200, 200, 200, 200, 200)),
    "documents:retry": ("post", (403, 403, 200, 200, 200, 200, 200)),
    "documents:fiche_pdf": ("get", (200, 404, 200, 200, 200, 200, 200)),
    "documents:case_panel": ("get", (200, 404, 200, 200, 200, 200, 200)),
    # The structured exports of a fiche carry the INS: the fiche PDF's rules, for those who see the identity
    # (docs/privacy.md#what-each-role-sees; the referent and the CRPV get the pseudonymised fiche PDF instead);
    # sending over MSSanté: secretariat, coordinators.
    "exports:frcp": ("get", (200, 404, 404, 200, 200, 404, 200)),
    "exports:fhir": ("get", (200, 404, 404, 200, 200, 404, 200)),
    "exports:xdm": ("get", (200, 404, 404, 200, 200, 404, 200)),
    "exports:mssante_send": ("post", (403, 403, 403, 302, 302, 403, 302)),
    "notifications:inbox": ("get", (200, 200, 200, 200, 200, 200, 200)),
    "notifications:mark_read": ("post", (302, 302, 302, 302, 302, 302, 302)),
    "urgent:list": ("get", (403, 403, 200, 200, 200, 403, 200)),
    "urgent:take": ("post", (403, 403, 404, 403, 404, 403, 404)),
    "urgent:opinion": ("get", (403, 403, 404, 403, 404, 403, 404)),
    "privacy:log": ("get", (403, 403, 403, 403, 200, 403, 200)),
    # The activity dashboard: the CRPV sees its pharmacovigilance part; the report (every section) is the
    # secretariat's and the coordinators'. An empty POST asks for the current year's report; the world's report
    # is not made yet (404).
    "statistics:dashboard": ("get", (403, 403, 403, 200, 200, 200, 200)),
    "statistics:report_request": ("post", (403, 403, 403, 302, 302, 403, 302)),
    "statistics:report_panel": ("get", (403, 403, 403, 200, 200, 403, 200)),
    "statistics:report_download": ("get", (403, 403, 403, 404, 404, 403, 404)),
    "privacy:patient_export": ("get", (403, 403, 403, 403, 200, 403, 200)),
}


def _views() -> list[tuple[str, str]]:
    return [
        (pattern, name)
        for pattern, name, _callback in _walk_views(get_resolver())
        if not pattern.startswith(("admin/", "static/")) and name not in NOT_IN_MATRIX
    ]


def test_every_view_is_in_the_matrix() -> None:
    names = {name for _pattern, name in _views()}
    assert names - MATRIX.keys() == set(), "views without an expected status per role: add them to MATRIX"
    assert MATRIX.keys() - names == set(), "MATRIX names views that no longer exist"


@pytest.mark.django_db
@pytest.mark.parametrize(("pattern", "name"), _views(), ids=lambda v: str(v))
def test_role_view_matrix(world, pattern: str, name: str) -> None:
    method, expected = MATRIX[name]
    url = reverse(name, kwargs=url_kwargs(name, pattern, world))
    got = {}
    for role, status in zip(ROLES, expected, strict=True):
        client = login(Client(), world.users[role])
        if method == "get":
            got[role] = client.get(url).status_code
            continue
        # Each role meets the same world: whatever an allowed POST did is rolled back before the next role.
        with transaction.atomic():
            before = db_fingerprint() if status in (403, 404) else None
            got[role] = client.post(url).status_code
            if before is not None and got[role] == status:
                assert db_fingerprint() == before, f"{role} was refused {name} but the database changed"
            transaction.set_rollback(True)
    assert got == dict(zip(ROLES, expected, strict=True)), f"{method.upper()} {url} ({name})"
