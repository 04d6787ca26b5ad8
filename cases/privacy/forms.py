from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tigre.lib.validators import normalize_ins, validate_ins


class PatientLookupForm(forms.Form):
    """Find the person of a right-of-access request (docs/privacy.md#gdpr-export): by a request's reference, by INS,
    or by birth name, first name and date of birth; always with the reason, recorded in the access trail.

    Sent by POST only: an INS never travels in a URL (nor, therefore, in a server's log)."""

    reference = forms.CharField(
        label=_("Référence d'une demande"), max_length=30, required=False, help_text=_("Par exemple TIGRE-2026-0042.")
    )
    ins = forms.CharField(
        label=_("INS du patient"),
        max_length=25,
        required=False,
        help_text=_("Les 15 caractères de l'INS (2A ou 2B pour la Corse)."),
    )
    birth_name = forms.CharField(label=_("Nom de naissance"), max_length=100, required=False)
    first_name = forms.CharField(label=_("Premier prénom"), max_length=100, required=False)
    birth_date = forms.DateField(
        label=_("Date de naissance"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Motif de la demande"),
        min_length=10,
        max_length=150,
        widget=forms.TextInput(),
        help_text=_("Par exemple : demande d'accès du patient reçue le 2 décembre par courrier. Inscrit au journal."),
    )

    def clean_ins(self) -> str:
        ins = normalize_ins(self.cleaned_data.get("ins") or "")
        validate_ins(ins)
        return ins

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        traits = [data.get("birth_name"), data.get("first_name"), data.get("birth_date")]
        if not (data.get("reference") or data.get("ins") or all(traits)) and not self.errors:
            raise ValidationError(
                _(
                    "Indiquez la référence d'une demande, l'INS, ou le nom de naissance, le premier prénom et la date "
                    "de naissance du patient."
                )
            )
        return data
