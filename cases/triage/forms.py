"""Triage forms: the queue's filters (GET) and the actions' confirmations with their reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import CaseStatus, Urgency
from referents.models import OrganCategory
from tigre.accounts.models import Centre

from .selectors import TriageFilters


class TriageFilterForm(forms.Form):
    etat = forms.ChoiceField(
        label=_("État"),
        required=False,
        choices=[
            ("", _("Tous les états")),
            (CaseStatus.SUBMITTED, _("Soumises")),
            (CaseStatus.INFO_REQUESTED, _("Informations demandées")),
            (CaseStatus.ACCEPTED, _("Acceptées, non inscrites")),
        ],
    )
    urgence = forms.ChoiceField(
        label=_("Urgence"),
        required=False,
        choices=[("", _("Toutes")), (Urgency.URGENT, _("Urgentes (TAG)")), (Urgency.STANDARD, _("Standard"))],
    )
    organe = forms.ModelChoiceField(
        label=_("Organe"), required=False, queryset=OrganCategory.objects.filter(is_active=True), empty_label=_("Tous")
    )
    centre = forms.ModelChoiceField(
        label=_("Centre"), required=False, queryset=Centre.objects.all(), empty_label=_("Tous")
    )
    grade = forms.TypedChoiceField(
        label=_("Grade max."),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Tous")), *[(str(g), str(g)) for g in range(1, 6)]],
    )
    q = forms.CharField(label=_("Recherche"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-control form-control-sm" if name == "q" else "form-select form-select-sm"
            field.widget.attrs["class"] = css
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("Référence ou nom du patient"), "type": "search", "autocomplete": "off"}
        )

    def filters(self) -> TriageFilters:
        """The validated filters; an invalid value is ignored (the queue shows everything for it)."""
        if not self.is_bound:
            return TriageFilters()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return TriageFilters(
            status=data.get("etat") or "",
            urgency=data.get("urgence") or "",
            category=data.get("organe"),
            centre=data.get("centre"),
            grade=data.get("grade"),
            q=(data.get("q") or "").strip(),
        )


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
