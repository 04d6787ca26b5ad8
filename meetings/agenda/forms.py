"""Forms of the agenda pages: they validate and tidy input, the services write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from meetings.agenda.selectors import late_case_candidates
from meetings.forms import VersionForm
from meetings.models import AgendaItem, Meeting
from meetings.scheduling import late_scheduling_warning, meeting_date_label
from meetings.selectors import upcoming_meetings


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
    late = f" — {_('date limite passée')}" if late_scheduling_warning(meeting) else ""
    return f"{meeting_date_label(meeting)}{holiday}{late}"


class CarryOverForm(forms.Form):
    """The build report's "carry over": one request or several, by id (checked again by the service)."""

    cases = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={
            "required": _("Choisissez au moins une demande à reporter."),
            "invalid_choice": _("Demande inconnue."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any positive id is a possible choice; the service reports the ones no longer waiting.
        values = self.data.getlist("cases") if hasattr(self.data, "getlist") else []
        cast(forms.TypedMultipleChoiceField, self.fields["cases"]).choices = [
            (v, v) for v in values[:50] if str(v).isdigit()
        ]
