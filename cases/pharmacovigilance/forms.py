"""Forms of the pharmacovigilance workspace: validate and tidy, never save."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tigre.lib.validators import validate_rpps

from .models import ActionTaken, Dechallenge, Outcome, PvDeclaration, PvStatus, Rechallenge
from .services import BULK_TARGETS, DECLARATION_FIELDS


def _bootstrap(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget (small controls: these pages are dense)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select form-select-sm"
        else:
            css = "form-control form-control-sm"
        widget.attrs["class"] = css


class BootstrapMixin:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        _bootstrap(self)  # type: ignore[arg-type]


class TransitionForm(BootstrapMixin, forms.Form):
    to = forms.ChoiceField(label=_("Nouveau statut"), choices=PvStatus.choices)
    declared_on = forms.DateField(
        label=_("Déclarée le"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    crpv_reference = forms.CharField(label=_("Référence CRPV"), required=False, max_length=50)
    reason = forms.CharField(label=_("Motif / commentaire"), required=False, max_length=300)

    def clean_crpv_reference(self) -> str:
        return self.cleaned_data["crpv_reference"].strip()

    def clean_reason(self) -> str:
        return " ".join(self.cleaned_data["reason"].split())

    def clean_declared_on(self) -> Any:
        value = self.cleaned_data.get("declared_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("La date de déclaration ne peut pas être dans le futur."))
        return value


class BulkForm(BootstrapMixin, forms.Form):
    to = forms.ChoiceField(label=_("Passer la sélection à"), choices=[(s.value, s.label) for s in BULK_TARGETS])
    reason = forms.CharField(label=_("Motif"), required=False, max_length=300)
    ids = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), error_messages={"required": _("Sélectionnez au moins un effet.")}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any positive integer is accepted here; the service reads only rows that exist.
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        ids_field = cast(forms.TypedMultipleChoiceField, self.fields["ids"])
        ids_field.choices = [(v, v) for v in raw if str(v).isdigit()]

    def clean_reason(self) -> str:
        return " ".join(self.cleaned_data["reason"].split())


class DeclarationForm(BootstrapMixin, forms.ModelForm):
    """The reaction's details; the case's narrative; the drugs come in DrugDetailForm (one per drug)."""

    SERIOUS_CHOICES = [("", _("Non renseignée")), ("yes", _("Grave")), ("no", _("Non grave"))]

    serious_choice = forms.ChoiceField(label=_("Gravité"), choices=SERIOUS_CHOICES, required=False)
    narrative = forms.CharField(
        label=_("Description de l'effet (narratif)"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    reporter_rpps = forms.CharField(
        label=_("Numéro RPPS du déclarant"),
        required=False,
        max_length=11,
        validators=[validate_rpps],
        help_text=_("Quand le profil du médecin demandeur n'en a pas : 11 chiffres."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        model = PvDeclaration
        fields = list(DECLARATION_FIELDS)
        widgets = {
            "outcome": forms.Select(choices=[("", "—"), *Outcome.choices]),
            "dechallenge": forms.Select(choices=[("", "—"), *Dechallenge.choices]),
            "rechallenge": forms.Select(choices=[("", "—"), *Rechallenge.choices]),
        }

    def clean_reporter_rpps(self) -> str:
        return "".join(self.cleaned_data["reporter_rpps"].split())

    def clean_meddra_code(self) -> str:
        return self.cleaned_data["meddra_code"].strip()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        choice = data.get("serious_choice")
        data["serious"] = {"yes": True, "no": False}.get(choice or "")
        any_criterion = any(
            data.get(name)
            for name in (
                "results_in_death",
                "life_threatening",
                "hospitalisation",
                "disabling",
                "congenital_anomaly",
                "other_medically_important",
            )
        )
        if data["serious"] is False and any_criterion:
            raise forms.ValidationError(_("Un effet « non grave » ne peut pas avoir de critère de gravité."))
        if any_criterion and data["serious"] is None:
            data["serious"] = True
        if data.get("meddra_code") and not data.get("meddra_version"):
            self.add_error("meddra_version", _("Indiquez la version MedDRA du code."))
        return data

    def reaction_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data.get(name) for name in [*self.Meta.fields, "serious"]}


class DrugDetailForm(BootstrapMixin, forms.Form):
    route = forms.CharField(label=_("Voie"), required=False, max_length=60)
    dose = forms.CharField(label=_("Posologie"), required=False, max_length=100)
    batch_numbers = forms.CharField(label=_("Numéro(s) de lot"), required=False, max_length=200)
    batch_unknown = forms.BooleanField(label=_("Lot inconnu"), required=False)
    action_taken = forms.ChoiceField(label=_("Mesure prise"), required=False, choices=[("", "—"), *ActionTaken.choices])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = {k: v if isinstance(v, bool) else " ".join(str(v).split()) for k, v in self.cleaned_data.items()}
        if data.get("batch_unknown") and data.get("batch_numbers"):
            self.add_error("batch_numbers", _("Indiquez un numéro de lot ou « lot inconnu », pas les deux."))
        return data
