from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PatientLookupForm(forms.Form):
    """Find the patient of a right-of-access request: by a case reference, or by INS."""

    query = forms.CharField(
        label=_("Référence d'une demande ou INS du patient"),
        max_length=30,
        help_text=_("Par exemple TIG-2026-0042, ou les 15 chiffres de l'INS."),
    )

    def clean_query(self) -> str:
        return self.cleaned_data["query"].strip().replace(" ", "")
