"""Triage forms: the actions' confirmations with their reason (the queue's filters are in ``filters``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RequestInfoForm(forms.Form):
    body = forms.CharField(
        label=_("Question au demandeur"),
        widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
        max_length=4000,
        help_text=_("Précisez ce qui manque (examens, dates, doses…). Le demandeur reçoit ce message."),
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if len(body) < 5:
            raise forms.ValidationError(_("Écrivez la question à poser au demandeur."))
        return body


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        max_length=2000,
        help_text=_("Par exemple : hors du champ de la RCP TIGRE. Le demandeur reçoit ce motif."),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 3:
            raise forms.ValidationError(_("Indiquez le motif du refus : il est transmis au demandeur."))
        return reason
