"""Forms of the meeting's own edits (coordinators, cancel, move) and the version every meeting edit carries: they
validate and tidy input, the services write."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tigre.accounts.models import User
from tigre.accounts.roles import Role

from .scheduling import paris


def first_error(form: forms.BaseForm) -> str:
    """The first error of an invalid form, for a one-line French message."""
    for errors in form.errors.values():
        return str(errors[0])
    return str(_("Saisie invalide."))


class VersionForm(forms.Form):
    """Every meeting edit carries the version of the meeting the user was looking at (``meeting_lock``)."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for bound in self.fields.values():
            widget = bound.widget
            if isinstance(widget, (forms.HiddenInput, forms.CheckboxSelectMultiple)):
                continue
            css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
            widget.attrs.setdefault("class", css)


class CancelMeetingForm(VersionForm):
    reason = forms.CharField(label=_("Motif de l'annulation"), max_length=200)

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Indiquez le motif de l'annulation."))
        return reason


class MoveMeetingForm(VersionForm):
    day = forms.DateField(label=_("Nouvelle date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(
        label=_("Heure de début"), initial=dt.time(17, 0), widget=forms.TimeInput(attrs={"type": "time"})
    )
    reason = forms.CharField(label=_("Motif du déplacement"), max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, time = data.get("day"), data.get("time")
        if day and time:
            starts_at = dt.datetime.combine(day, time, tzinfo=paris())
            if starts_at <= timezone.now():
                self.add_error("day", _("La nouvelle date doit être dans le futur."))
            data["starts_at"] = starts_at
        if "reason" in data and not data["reason"].strip():
            self.add_error("reason", _("Indiquez le motif du déplacement."))
        return data


def coordinator_choices() -> Any:
    return User.objects.filter(is_active=True, groups__name=Role.COORDINATOR).distinct().order_by("last_name")


class CoordinatorsForm(VersionForm):
    coordinators = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        label=_("Coordinateurs (deux au plus)"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["coordinators"]).queryset = coordinator_choices()

    def clean_coordinators(self) -> list[Any]:
        chosen = list(self.cleaned_data["coordinators"])
        if len(chosen) > 2:
            raise forms.ValidationError(_("Une réunion a deux coordinateurs au plus."))
        return chosen
