"""Run as a script by test_make_run_sqlite.py, on the settings and database of `make run`: log in as each demo role,
follow every link of the app from the home page (GET only, up to a limit) and print the pages that answered 5xx,
one JSON list on the last line."""

from __future__ import annotations

import collections
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import django

django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from tigre.accounts.models import User  # noqa: E402

ROLES = ["clinicien", "secretariat", "coordinateur", "referent", "crpv", "admin"]
SKIP = re.compile(r"deconnexion|/admin/|\.ics|/static/|/media/|langue|setlang")
PAGES_PER_ROLE = 120


def crawl(user: User) -> tuple[int, list[tuple[str, str, int]]]:
    client = Client(raise_request_exception=False)  # a failing page is reported with its URL
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:  # the second factor, as a good TOTP code gives it
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    seen: set[str] = set()
    queue = collections.deque(["/"])
    failed = []
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code >= 500:
            failed.append((user.email, url, response.status_code))
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for href in re.findall(r'href="(/[^"#]*)"', response.content.decode(errors="replace")):
                href = href.replace("&amp;", "&")
                if not SKIP.search(href) and href not in seen:
                    queue.append(href)
    return len(seen), failed


with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
    failures = []
    for role in ROLES:
        pages, failed = crawl(User.objects.get(email=f"{role}@demo.tigre"))
        print(f"{role}: {pages} pages, {len(failed)} failed", flush=True)
        failures += failed
print(json.dumps(failures))
