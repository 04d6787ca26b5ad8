"""Invented Pro Santé Connect identities for the demo and the tests (no real person, no real number).

Plain data, no Django: read by the demo loader (``demo.py``: the demo accounts' RPPS) and by the local development
provider (``psc_devprovider.py``). Each identity is shaped as Pro Santé Connect sends it: ``acr`` and ``authMode`` in
the ID token, the national identifier in ``SubjectNameID`` ("8" + RPPS or "0" + ADELI), the names in
``given_name``/``family_name`` (family name in capitals), the professional record in ``SubjectRefPro``.
"""

from __future__ import annotations

from typing import Any

# The demo accounts' RPPS numbers (11 digits), keyed by the demo account's e-mail.
DEMO_RPPS: dict[str, str] = {
    "clinicien@demo.tigre": "10100000017",
    "coordinateur@demo.tigre": "10100000025",
    "referent@demo.tigre": "10100000033",
}


def identity(
    *,
    key: str,
    label: str,
    national_id: str,
    given_name: str,
    family_name: str,
    acr: str = "eidas1",
    auth_mode: str = "MOBILE",
    profession: str = "10",
    quirks: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One identity as the development provider serves it. ``quirks`` make the provider misbehave on purpose
    (tests): ``omit_nonce``, ``replay_nonce``, ``rogue_key``, ``wrong_issuer``, ``wrong_audience``, ``expired``."""
    return {
        "key": key,
        "label": label,
        "sub": f"psc-{key}",
        "id_token": {"acr": acr, "authMode": auth_mode},
        "userinfo": {
            "SubjectNameID": national_id,
            "preferred_username": national_id,
            "given_name": given_name,
            "family_name": family_name,
            "SubjectRefPro": {
                "codeCivilite": "DR" if profession == "10" else "M",
                "exercices": [
                    {
                        "codeProfession": profession,
                        "codeCategorieProfessionnelle": "C",
                        "nomDExercice": family_name,
                        "prenomDExercice": given_name,
                        "activities": [],
                    }
                ],
            },
        },
        "quirks": list(quirks),
    }


DEMO_IDENTITIES: list[dict[str, Any]] = [
    identity(
        key="clinicien",
        label="Dr Claire MARTINOT — e-CPS (application mobile)",
        national_id="8" + DEMO_RPPS["clinicien@demo.tigre"],
        given_name="Claire",
        family_name="MARTINOT",
    ),
    identity(
        key="coordinateur",
        label="Pr Paul VASSEUR — carte CPS",
        national_id="8" + DEMO_RPPS["coordinateur@demo.tigre"],
        given_name="Paul",
        family_name="VASSEUR",
        auth_mode="CARD",
    ),
    identity(
        key="referent",
        label="Dr Romain KELLER — e-CPS",
        national_id="8" + DEMO_RPPS["referent@demo.tigre"],
        given_name="Romain",
        family_name="KELLER",
    ),
    identity(
        key="inconnu",
        label="Dr Lucie FABRE — RPPS inconnu de TIGRE",
        national_id="810100000041",
        given_name="Lucie",
        family_name="FABRE",
    ),
    identity(
        key="adeli",
        label="Mme Jeanne ROCHE — infirmière, ADELI seulement",
        national_id="0541234567",
        given_name="Jeanne",
        family_name="ROCHE",
        profession="60",
    ),
]
