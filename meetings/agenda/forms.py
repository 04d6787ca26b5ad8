"""Forms of the agenda pages: they validate and tidy input, the services write."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from meetings.agenda.services import meeting_label
from meetings.models import AgendaItem, Meeting
from meetings.scheduling import paris
from meetings.selectors import late_case_candidates, upcoming_meetings
from tigre.accounts.models import User
from tigre.accounts.roles import Role


class VersionForm(forms.Form):
    """Every agenda edit carries the version of the agenda the user was looking at."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for bound in self.fields.values():
            widget = bound.widget
            if isinstance(widget, (forms.HiddenInput, forms.CheckboxSelectMultiple)):
                continue
            css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
            widget.attrs.setdefault("class", css)


class ShiftForm(VersionForm):
    direction = forms.ChoiceField(choices=[("up", _("Monter")), ("down", _("Descendre"))])

    @property
    def offset(self) -> int:
        return -1 if self.cleaned_data["direction"] == "up" else 1


class ReorderForm(VersionForm):
    order = forms.CharField(widget=forms.HiddenInput)

    def clean_order(self) -> list[int]:
        raw = self.cleaned_data["order"]
        try:
            return [int(part) for part in raw.split(",") if part.strip()]
        except ValueError as exc:
            raise forms.ValidationError(_("Ordre invalide.")) from exc


class MoveItemForm(VersionForm):
    target = forms.ModelChoiceField(queryset=Meeting.objects.none(), label=_("Réunion"))

    def __init__(self, *args: Any, meetings: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if meetings is not None:
            cast(forms.ModelChoiceField, self.fields["target"]).queryset = meetings


class RemoveItemForm(VersionForm):
    reason = forms.CharField(label=_("Motif (facultatif)"), max_length=200, required=False)


class AddCaseForm(VersionForm):
    # Chosen among the candidates the page lists (a search, not a drop-down of every open request).
    case = forms.ModelChoiceField(
        queryset=Case.objects.none(),
        label=_("Demande à ajouter"),
        error_messages={
            "required": _("Choisissez la demande à ajouter dans la liste (cherchez-la par sa référence ou le nom)."),
            "invalid_choice": _("Cette demande ne peut plus être ajoutée : elle n'est plus acceptée ni soumise."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Type de point"), choices=[("", _("Selon la demande")), *AgendaItem.Kind.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["case"]).queryset = late_case_candidates()


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


class CandidateSearchForm(forms.Form):
    """The search of the "add a late request" form: a reference or a patient's name."""

    q = forms.CharField(
        label=_("Rechercher une demande"),
        max_length=100,
        required=False,
        error_messages={"max_length": _("Recherche trop longue : 100 caractères au plus.")},
    )


class ScheduleCaseForm(forms.Form):
    """Put a request on a chosen coming meeting (from the triage queue)."""

    meeting: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Réunion"), queryset=Meeting.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["meeting"])
        field.queryset = upcoming_meetings()
        field.widget.attrs["class"] = "form-select"
        field.label_from_instance = _meeting_choice_label  # type: ignore[method-assign,assignment]


def _meeting_choice_label(meeting: Meeting) -> str:
    holiday = f" — {meeting.holiday_name}" if meeting.holiday_name else ""
    return f"{meeting_label(meeting)}{holiday}"
