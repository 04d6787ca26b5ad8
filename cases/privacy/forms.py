from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tigre.audit.models import AccessLog


class AccessLogFilterForm(forms.Form):
    user = forms.CharField(label=_("Utilisateur"), required=False, max_length=100)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Toutes")), *AccessLog.Action.choices]
    )
    case = forms.CharField(label=_("Référence de la demande"), required=False, max_length=20)
    date_from = forms.DateField(label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("La date de début doit précéder la date de fin."))
        for key in ("user", "case"):
            if key in data:
                data[key] = data[key].strip()
        return data


class PatientLookupForm(forms.Form):
    """Find the patient of a right-of-access request: by a case reference, or by INS."""

    query = forms.CharField(
        label=_("Référence d'une demande ou INS du patient"),
        max_length=30,
        help_text=_("Par exemple TIG-2026-0042, ou les 15 chiffres de l'INS."),
    )

    def clean_query(self) -> str:
        return self.cleaned_data["query"].strip().replace(" ", "")
