"""Forms of the meeting session: they validate and tidy, the services save."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Avis
from tigre.accounts.models import User


class ContributorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        specialty = obj.get_specialty_display() if obj.specialty else ""
        return f"{obj.display_name} — {specialty}" if specialty else obj.display_name


class AvisForm(forms.ModelForm):
    """The structured avis (``Avis.STRUCTURED_FIELDS``). Contributors are chosen among the present participants."""

    contributors = ContributorChoiceField(
        label=_("Contributeurs (présents)"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Avis
        fields = list(Avis.STRUCTURED_FIELDS)
        widgets = {
            "answer": forms.Textarea(attrs={"rows": 4}),
            "ici_decision": forms.RadioSelect,
            "rechallenge": forms.RadioSelect,
            "further_tests": forms.Textarea(attrs={"rows": 2}),
            "free_text": forms.Textarea(attrs={"rows": 2}),
            "follow_up_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "steroids_dose": forms.TextInput(attrs={"placeholder": _("ex. prednisone 1 mg/kg/j")}),
            "conformity": forms.RadioSelect,
            "conformity_reference": forms.TextInput(attrs={"placeholder": _("ex. ESMO 2022, myocardite")}),
            "conformity_reason": forms.Textarea(attrs={"rows": 2}),
            "urgent_ratification": forms.RadioSelect,
            "urgent_amendment": forms.Textarea(attrs={"rows": 3}),
            "organ_exception_reason": forms.TextInput(
                attrs={"placeholder": _("ex. cardiologue joint par téléphone, avis concordant")}
            ),
        }
        labels = {
            "declare_pv": _("Événement à déclarer à la pharmacovigilance (CRPV)"),
            "urgent_ratification": _("La RCP ratifie-t-elle l'avis urgent ?"),
            "urgent_amendment": _("Avis amendé par la RCP (si amendé)"),
            "conformity": _("Type de proposition"),
            "conformity_reference": _("Référentiel suivi"),
            "conformity_reason": _("Motif de la non-conformité"),
            "trial_name": _("Essai clinique proposé"),
        }

    def __init__(
        self,
        *args: Any,
        present_users: Any = None,
        meeting_day: date | None = None,
        urgent_opinion: bool = False,
        missing_organs: list[str] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.meeting_day = meeting_day
        self.urgent_opinion = urgent_opinion
        self.missing_organs = missing_organs or []
        cast(forms.ChoiceField, self.fields["conformity"]).choices = list(Avis.Conformity.choices)
        cast(forms.ChoiceField, self.fields["urgent_ratification"]).choices = list(Avis.UrgentRatification.choices)
        contributors = cast(forms.ModelMultipleChoiceField, self.fields["contributors"])
        contributors.queryset = present_users if present_users is not None else User.objects.none()
        self.fields["rechallenge"].required = False
        self.fields["answer"].error_messages["required"] = _("La réponse de la RCP est obligatoire.")
        self.fields["ici_decision"].required = True
        self.fields["ici_decision"].error_messages["required"] = _(
            "Indiquez la décision sur l'immunothérapie (poursuivre, suspendre ou arrêter)."
        )
        self.fields["contributors"].error_messages["invalid_choice"] = _(
            "Les contributeurs doivent être présents à la réunion."
        )
        cast(forms.ChoiceField, self.fields["ici_decision"]).choices = list(Avis.IciDecision.choices)
        if self.instance.pk and "contributors" not in self.initial:
            self.initial["contributors"] = [u.pk for u in self.instance.contributors.all()]

    def clean_answer(self) -> str:
        answer = (self.cleaned_data.get("answer") or "").strip()
        if not answer:
            raise forms.ValidationError(_("La réponse de la RCP est obligatoire."))
        return answer

    def clean_follow_up_date(self) -> date | None:
        value = self.cleaned_data.get("follow_up_date")
        floor = self.meeting_day or timezone.localdate()
        if value and value < floor:
            raise forms.ValidationError(_("La date de réévaluation doit suivre la réunion."))
        return value

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        for name in ("steroids_dose", "other_immunosuppressant", "specialist_consultation", "further_tests"):
            if isinstance(data.get(name), str):
                data[name] = data[name].strip()
        if data.get("steroids") and not data.get("steroids_dose"):
            self.add_error("steroids_dose", _("Précisez la dose de corticoïdes."))
        if not data.get("rechallenge"):
            data["rechallenge"] = Avis.Rechallenge.NOT_DISCUSSED
        if not data.get("steroids"):
            data["steroids_dose"] = ""
        self._clean_conformity(data)
        if self.urgent_opinion:
            if not data.get("urgent_ratification"):
                self.add_error("urgent_ratification", _("Indiquez si la RCP ratifie ou amende l'avis urgent."))
            elif data["urgent_ratification"] == Avis.UrgentRatification.AMENDED and not data.get("urgent_amendment"):
                self.add_error("urgent_amendment", _("Rédigez l'avis urgent amendé par la RCP."))
        if self.missing_organs and not data.get("organ_exception_reason"):
            self.add_error(
                "organ_exception_reason",
                _("Aucun référent présent pour : %(organs)s. Indiquez le motif, ou reportez le dossier.")
                % {"organs": ", ".join(self.missing_organs)},
            )
        return data

    def _clean_conformity(self, data: dict[str, Any]) -> None:
        """Each conformity answer keeps only its own detail: the reason of a non-conformity, the trial's name."""
        for name in ("conformity_reference", "conformity_reason", "trial_name", "urgent_amendment"):
            if isinstance(data.get(name), str):
                data[name] = data[name].strip()
        conformity = data.get("conformity")
        if conformity == Avis.Conformity.NOT_CONFORMING and not data.get("conformity_reason"):
            self.add_error("conformity_reason", _("Indiquez pourquoi la proposition s'écarte du référentiel."))
        if conformity == Avis.Conformity.TRIAL and not data.get("trial_name"):
            self.add_error("trial_name", _("Indiquez l'essai clinique proposé."))
        if conformity != Avis.Conformity.NOT_CONFORMING:
            data["conformity_reason"] = ""
        if conformity != Avis.Conformity.TRIAL:
            data["trial_name"] = ""

    def avis_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PostponeForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du report"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("ex. référent de l'organe absent, dossier incomplet")}),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Indiquez le motif du report."))
        return reason


class AttendanceForm(forms.Form):
    present = forms.TypedChoiceField(
        choices=[("1", _("Présent")), ("0", _("Absent")), ("", _("Non renseigné"))],
        coerce=lambda v: {"1": True, "0": False}.get(v),
        empty_value=None,
        required=False,
    )


class ParticipantAddForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        error_messages={"invalid_choice": _("Utilisateur introuvable.")},
    )
