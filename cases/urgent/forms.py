from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class UrgentOpinionForm(forms.Form):
    opinion = forms.CharField(
        label=_("Avis urgent"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Conduite à tenir immédiate : immunothérapie (poursuivre, suspendre, arrêter), corticothérapie et "
            "dose, examens, hospitalisation, avis spécialisé. Le demandeur est prévenu dès l'enregistrement."
        ),
        error_messages={"required": _("Rédigez l'avis urgent.")},
    )

    def clean_opinion(self) -> str:
        value = self.cleaned_data["opinion"].strip()
        if len(value) < 10:
            raise forms.ValidationError(_("L'avis urgent est trop court (10 caractères au moins)."))
        return value
