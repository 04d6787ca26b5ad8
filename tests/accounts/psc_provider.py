"""The Pro Santé Connect-shaped OpenID Connect provider the PSC tests run against: tigre/accounts/psc_devprovider.py
started as a real HTTP server in a subprocess on 127.0.0.1, with the identities below (invented people)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from tigre.accounts.psc_devprovider import DISCOVERY_PATH
from tigre.accounts.psc_identities import identity

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "tigre-test"
CLIENT_SECRET = "tigre-test-secret"

# RPPS numbers the tests put on their accounts.
RPPS_ALICE = "10200000011"
RPPS_CORA = "10200000029"
RPPS_SAM = "10200000037"
RPPS_UNKNOWN = "10200000045"
RPPS_BOB = "10200000052"

IDENTITIES = [
    identity(
        key="alice",
        label="Alice AUBERT (e-CPS)",
        national_id="8" + RPPS_ALICE,
        given_name="Alice",
        family_name="AUBERT",
    ),
    identity(
        key="alice-accents",
        label="Alice AUBÉRT (e-CPS)",
        national_id="8" + RPPS_ALICE,
        given_name="Alice",
        family_name="aubért",
    ),
    identity(
        key="cora-carte",
        label="Cora COLIN (carte CPS)",
        national_id="8" + RPPS_CORA,
        given_name="Cora",
        family_name="COLIN",
        auth_mode="CARD",
    ),
    identity(
        key="cora-ecps",
        label="Cora COLIN (e-CPS)",
        national_id="8" + RPPS_CORA,
        given_name="Cora",
        family_name="COLIN",
        auth_mode="MOBILE",
    ),
    identity(
        key="sam-carte",
        label="Sam SIMON (carte CPS)",
        national_id="8" + RPPS_SAM,
        given_name="Sam",
        family_name="SIMON",
        auth_mode="CARD",
    ),
    identity(
        key="inconnu",
        label="Lucie FABRE (RPPS inconnu)",
        national_id="8" + RPPS_UNKNOWN,
        given_name="Lucie",
        family_name="FABRE",
    ),
    identity(
        key="usurpateur",
        label="Marc DURAND (RPPS de Bob)",
        national_id="8" + RPPS_BOB,
        given_name="Marc",
        family_name="DURAND",
    ),
    identity(
        key="adeli",
        label="Jeanne ROCHE (ADELI)",
        national_id="0541234567",
        given_name="Jeanne",
        family_name="ROCHE",
        profession="60",
    ),
    identity(
        key="acr-faible",
        label="Alice AUBERT (acr eidas0)",
        national_id="8" + RPPS_ALICE,
        given_name="Alice",
        family_name="AUBERT",
        acr="eidas0",
    ),
    identity(
        key="sans-nonce",
        label="Alice AUBERT (sans nonce)",
        national_id="8" + RPPS_ALICE,
        given_name="Alice",
        family_name="AUBERT",
        quirks=("omit_nonce",),
    ),
    identity(
        key="nonce-rejoue",
        label="Alice AUBERT (nonce rejoué)",
        national_id="8" + RPPS_ALICE,
        given_name="Alice",
        family_name="AUBERT",
        quirks=("replay_nonce",),
    ),
    identity(
        key="cle-pirate",
        label="Alice AUBERT (autre clé)",
        national_id="8" + RPPS_ALICE,
        given_name="Alice",
        family_name="AUBERT",
        quirks=("rogue_key",),
    ),
    identity(
        key="autre-emetteur",
        label="Alice AUBERT (autre émetteur)",
        national_id="8" + RPPS_ALICE,
        given_name="Alice",
        family_name="AUBERT",
        quirks=("wrong_issuer",),
    ),
    identity(
        key="autre-audience",
        label="Alice AUBERT (autre audience)",
        national_id="8" + RPPS_ALICE,
        given_name="Alice",
        family_name="AUBERT",
        quirks=("wrong_audience",),
    ),
    identity(
        key="expire",
        label="Alice AUBERT (jeton expiré)",
        national_id="8" + RPPS_ALICE,
        given_name="Alice",
        family_name="AUBERT",
        quirks=("expired",),
    ),
]


@dataclass
class Provider:
    base_url: str

    @property
    def discovery_url(self) -> str:
        return self.base_url + DISCOVERY_PATH

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        events = requests.get(self.base_url + "/_dev/events", timeout=5).json()
        return [e for e in events if name is None or e["event"] == name]

    def settings(self) -> dict[str, Any]:
        """The PSC settings block for a TIGRE pointed at this provider."""
        return {
            "DISCOVERY_URL": self.discovery_url,
            "CLIENT_ID": CLIENT_ID,
            "CLIENT_SECRET": CLIENT_SECRET,
            "SCOPE": "openid scope_all",
            "ACCEPTED_ACR": ["eidas1", "eidas2"],
            "CARD_LEVEL_ACR": [],
            "CARD_LEVEL_AUTH_MODES": ["CARD"],
            "CLOCK_LEEWAY_SECONDS": 30,
            "HTTP_TIMEOUT_SECONDS": 5,
            "REDIRECT_URI": "",
            "POST_LOGOUT_REDIRECT_URI": "",
        }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_provider(tmp_dir: Path, site_urls: list[str]) -> Iterator[Provider]:
    """Start the provider (registered for each of ``site_urls``) and stop it afterwards."""
    identities = tmp_dir / "psc-identities.json"
    identities.write_text(json.dumps(IDENTITIES), encoding="utf-8")
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "tigre.accounts.psc_devprovider",
        "--port",
        str(port),
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
        "--identities",
        str(identities),
    ]
    for site in site_urls:
        command += [
            "--redirect-uri",
            f"{site}/compte/psc/retour/",
            "--post-logout-redirect-uri",
            f"{site}/compte/psc/deconnecte/",
        ]
    log = (tmp_dir / "psc-provider.log").open("w")
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    provider = Provider(base_url=f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(provider.discovery_url, timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"PSC test provider did not start: {(tmp_dir / 'psc-provider.log').read_text()}")
            time.sleep(0.1)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
