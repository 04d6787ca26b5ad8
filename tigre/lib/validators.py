"""Pure validators (no database): RPPS, FINESS, INS/NIR."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

RPPS_RE = re.compile(r"^\d{11}$")
FINESS_RE = re.compile(r"^(\d{2}|2A|2B)\d{7}$")
NIR_RE = re.compile(r"^[12378]\d{4}(\d{2}|2A|2B)\d{6}$")


def validate_rpps(value: str) -> None:
    if value and not RPPS_RE.match(value):
        raise ValidationError(_("Le numéro RPPS compte exactement 11 chiffres."), code="rpps")


def validate_finess(value: str) -> None:
    if value and not FINESS_RE.match(value.upper()):
        raise ValidationError(
            _("Le numéro FINESS compte 9 caractères (chiffres, ou 2A/2B pour la Corse)."), code="finess"
        )


def ins_key(nir13: str) -> int:
    """The 2-digit INS/NIR key: 97 - (number mod 97), Corsica's 2A/2B read as 19/18."""
    nir13 = nir13.upper()
    department = {"2A": "19", "2B": "18"}.get(nir13[5:7], nir13[5:7])
    return 97 - (int(nir13[:5] + department + nir13[7:]) % 97)


def normalize_ins(value: str) -> str:
    return re.sub(r"[\s.-]", "", value or "").upper()


def validate_ins(value: str) -> None:
    """A 15-character INS (13-character NIR + 2-digit key) whose key is right."""
    ins = normalize_ins(value)
    if not ins:
        return
    if len(ins) != 15 or not NIR_RE.match(ins[:13]) or not ins[13:].isdigit():
        raise ValidationError(
            _("L'INS compte 15 caractères : le NIR (13) suivi de la clé (2 chiffres)."), code="ins_format"
        )
    if ins_key(ins[:13]) != int(ins[13:]):
        raise ValidationError(_("La clé de l'INS est incorrecte : vérifiez le numéro saisi."), code="ins_key")


def validate_mssante_address(value: str) -> None:
    """An address of the MSSanté space of trust: every operator's domain ends in "mssante.fr" (checked here besides
    the e-mail format, which the model's EmailField checks)."""
    domain = (value or "").rpartition("@")[2].lower()
    if value and not (domain == "mssante.fr" or domain.endswith(".mssante.fr")):
        raise ValidationError(
            _("Une adresse de messagerie sécurisée de santé (MSSanté) se termine par « mssante.fr »."),
            code="mssante",
        )
