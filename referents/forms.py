"""Forms of the directory: they validate and tidy input; services write."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from tigre.accounts.models import Centre, Title
from tigre.lib.specialties import Specialty
from tigre.lib.validators import validate_finess

from .models import Coverage, OrganCategory, Referent

MAX_IMPORT_BYTES = 10 * 1024 * 1024


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Nom"), required=False, max_length=100)
    specialty = forms.ChoiceField(label=_("Spécialité"), required=False)
    centre = forms.ModelChoiceField(label=_("Centre"), required=False, queryset=Centre.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        specialty_field: Any = self.fields["specialty"]
        specialty_field.choices = [("", _("Toutes les spécialités")), *Specialty.choices]
        centre_field: Any = self.fields["centre"]
        centre_field.queryset = Centre.objects.filter(referents__isnull=False).distinct().order_by("name")
        centre_field.empty_label = _("Tous les centres")
        self.fields["q"].widget.attrs.update({"placeholder": _("Nom, prénom, centre, ville…"), "class": "form-control"})
        self.fields["specialty"].widget.attrs["class"] = "form-select"
        self.fields["centre"].widget.attrs["class"] = "form-select"

    def filters(self) -> dict[str, Any]:
        """The filters to apply: empty when the form is invalid (a stale centre id, say)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        centre = data.get("centre")
        return {
            "text": data.get("q", ""),
            "specialty": data.get("specialty", ""),
            "centre_id": centre.pk if centre else None,
        }


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class CategoriesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=OrganCategory.objects.filter(is_active=True), required=False, **kwargs)


class ReferentForm(forms.Form):
    """Add or edit a referent. On edit, the account's e-mail is shown but not changed here."""

    email = forms.EmailField(label=_("E-mail de connexion"), max_length=254)
    title = forms.ChoiceField(label=_("Titre"), choices=Title.choices, initial=Title.DR)
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    specialty = forms.ChoiceField(label=_("Spécialité"), choices=Specialty.choices)
    centre = forms.ModelChoiceField(label=_("Centre"), queryset=Centre.objects.order_by("name"))
    primary = CategoriesField(label=_("Titulaire pour"))
    backup = CategoriesField(label=_("Suppléant pour"))
    takes_urgent = forms.BooleanField(label=_("Accepte les demandes urgentes (TAG)"), required=False, initial=True)
    phone = forms.CharField(label=_("Téléphone (visible des collègues)"), max_length=32, required=False)
    contact_email = forms.EmailField(
        label=_("E-mail de contact (visible des collègues)"),
        required=False,
        help_text=_("Laisser vide pour afficher l'e-mail de connexion."),
    )
    notes = forms.CharField(label=_("Remarques"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, referent: Referent | None = None, **kwargs: Any) -> None:
        self.referent = referent
        if referent is not None and "initial" not in kwargs:
            coverages = list(referent.coverages.all())
            kwargs["initial"] = {
                "email": referent.user.email,
                "title": referent.user.title,
                "first_name": referent.user.first_name,
                "last_name": referent.user.last_name,
                "specialty": referent.specialty,
                "centre": referent.centre_id,
                "primary": [c.category_id for c in coverages if c.rank == Coverage.Rank.PRIMARY],
                "backup": [c.category_id for c in coverages if c.rank == Coverage.Rank.BACKUP],
                "takes_urgent": referent.takes_urgent,
                "phone": referent.phone,
                "contact_email": referent.email,
                "notes": referent.notes,
            }
        super().__init__(*args, **kwargs)
        if referent is not None:
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _("L'e-mail de connexion se change dans l'administration des comptes.")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if self.referent is None:
            user = get_user_model().objects.filter(email__iexact=email).select_related("referent").first()
            if user is not None and hasattr(user, "referent"):
                raise forms.ValidationError(
                    _("Cette personne est déjà dans l'annuaire : modifiez sa fiche plutôt que d'en créer une autre.")
                )
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        primary = set(data.get("primary") or [])
        backup = set(data.get("backup") or [])
        both = primary & backup
        if both:
            names = ", ".join(sorted(str(c) for c in both))
            self.add_error("backup", _("Une catégorie ne peut être à la fois titulaire et suppléant : %s.") % names)
        if not primary and not backup and not self.errors:
            self.add_error("primary", _("Cochez au moins une catégorie d'organe (titulaire ou suppléant)."))
        return data


class AbsenceForm(forms.Form):
    start = forms.DateField(label=_("Du"), widget=_DateInput())
    end = forms.DateField(label=_("Au (inclus)"), widget=_DateInput())
    reason = forms.CharField(label=_("Motif"), max_length=200, required=False)

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        self.today = today
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs["placeholder"] = _("Congés, congrès… (facultatif)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("La date de fin précède la date de début."))
            elif end < self.today:
                self.add_error("end", _("Cette absence est déjà passée : rien à enregistrer."))
            elif (end - start).days > 366:
                self.add_error("end", _("Une absence dure au plus un an ; désactivez plutôt le référent."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Fichier CSV"), help_text=_("Séparateur « ; » ou « , » ; UTF-8 ou Windows-1252."))

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("Fichier trop volumineux (10 Mo au plus)."))
        data = upload.read()
        if b"\x00" in data[:4096]:
            raise forms.ValidationError(
                _("Ce fichier n'est pas un CSV (un classeur Excel ?) : enregistrez-le au format CSV.")
            )
        return data


class CentreForm(forms.ModelForm):
    # Longer than 9 on input so that "54 002 3264" can be typed as printed, then tidied.
    finess = forms.CharField(label=_("numéro FINESS"), max_length=16, required=False)

    class Meta:
        model = Centre
        fields = ["name", "city", "kind", "finess"]

    def clean_finess(self) -> str:
        value = self.cleaned_data["finess"].strip().replace(" ", "").upper()
        validate_finess(value)
        return value
