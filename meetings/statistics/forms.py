"""The period chooser (GET): validated, typed; never saves anything."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import periods
from .periods import KIND_CHOICES, KIND_CUSTOM, KIND_MONTH, KIND_QUARTER, KIND_YEAR, MAX_CUSTOM_DAYS, Period

FIRST_YEAR = 2000
MONTH_CHOICES = [
    (str(n), label)
    for n, label in enumerate(
        [
            _("janvier"),
            _("février"),
            _("mars"),
            _("avril"),
            _("mai"),
            _("juin"),
            _("juillet"),
            _("août"),
            _("septembre"),
            _("octobre"),
            _("novembre"),
            _("décembre"),
        ],
        start=1,
    )
]
QUARTER_CHOICES = [
    ("1", _("1er trimestre")),
    ("2", _("2e trimestre")),
    ("3", _("3e trimestre")),
    ("4", _("4e trimestre")),
]


def _select(**attrs: Any) -> forms.Select:
    return forms.Select(attrs={"class": "form-select form-select-sm", **attrs})


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """Which period the dashboard (or the report) covers. Empty: the current year."""

    periode = forms.ChoiceField(label=_("Période"), choices=KIND_CHOICES, required=False, widget=_select())
    annee = forms.IntegerField(
        label=_("Année"),
        required=False,
        min_value=FIRST_YEAR,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "inputmode": "numeric"}),
        error_messages={"invalid": _("Indiquez une année en chiffres (par exemple 2026).")},
    )
    mois = forms.TypedChoiceField(label=_("Mois"), choices=MONTH_CHOICES, coerce=int, required=False, widget=_select())
    trimestre = forms.TypedChoiceField(
        label=_("Trimestre"), choices=QUARTER_CHOICES, coerce=int, required=False, widget=_select()
    )
    du = forms.DateField(
        label=_("Du"),
        required=False,
        widget=_date_input(),
        error_messages={"invalid": _("Date de début invalide (jj/mm/aaaa).")},
    )
    au = forms.DateField(
        label=_("au"),
        required=False,
        widget=_date_input(),
        error_messages={"invalid": _("Date de fin invalide (jj/mm/aaaa).")},
    )

    def clean_annee(self) -> int | None:
        value = self.cleaned_data.get("annee")
        if value is not None and value > timezone.localdate().year + 1:
            raise forms.ValidationError(_("Aucune activité n'est possible après l'an prochain."))
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        kind = data.get("periode") or KIND_YEAR
        today = timezone.localdate()
        the_year = data.get("annee") or today.year
        try:
            if kind == KIND_MONTH:
                data["period"] = periods.month(the_year, data.get("mois") or today.month)
            elif kind == KIND_QUARTER:
                data["period"] = periods.quarter(the_year, data.get("trimestre") or (today.month - 1) // 3 + 1)
            elif kind == KIND_CUSTOM:
                data["period"] = self._custom(data.get("du"), data.get("au"))
            else:
                data["period"] = periods.year(the_year)
        except ValueError as exc:  # a date out of Python's range
            raise forms.ValidationError(_("Période invalide.")) from exc
        return data

    def _custom(self, first: dt.date | None, last: dt.date | None) -> Period:
        if first is None or last is None:
            raise forms.ValidationError(_("Pour une période choisie, indiquez la date de début et la date de fin."))
        if first > last:
            raise forms.ValidationError(_("La date de début de période est après la date de fin."))
        if first.year < FIRST_YEAR:
            raise forms.ValidationError(_("La période ne peut pas commencer avant l'an 2000."))
        if (last - first).days + 1 > MAX_CUSTOM_DAYS:
            raise forms.ValidationError(_("La période choisie ne peut pas dépasser cinq ans."))
        return periods.custom(first, last)

    @property
    def period(self) -> Period:
        """The chosen period (call after ``is_valid()``)."""
        return self.cleaned_data["period"]


def period_form(params: Any) -> PeriodForm:
    """The form bound to the query string; an empty query string chooses the current year (and shows it)."""
    data = {key: params.get(key) for key in PeriodForm.base_fields if params.get(key) not in (None, "")}
    return PeriodForm(data or period_query(periods.current_year()))


def period_query(period: Period) -> dict[str, str]:
    """The query-string parameters that choose ``period`` again (links, the report's request)."""
    if period.kind == KIND_MONTH:
        return {"periode": KIND_MONTH, "annee": str(period.first.year), "mois": str(period.first.month)}
    if period.kind == KIND_QUARTER:
        number = (period.first.month - 1) // 3 + 1
        return {"periode": KIND_QUARTER, "annee": str(period.first.year), "trimestre": str(number)}
    if period.kind == KIND_YEAR:
        return {"periode": KIND_YEAR, "annee": str(period.first.year)}
    return {"periode": KIND_CUSTOM, "du": period.first.isoformat(), "au": period.last.isoformat()}


def period_shortcuts() -> list[tuple[Any, dict[str, str]]]:
    """The periods most asked for: this month, this quarter, this year, last year (label, query parameters)."""
    today = timezone.localdate()
    return [
        (_("Ce mois-ci"), period_query(periods.month(today.year, today.month))),
        (_("Ce trimestre"), period_query(periods.quarter(today.year, (today.month - 1) // 3 + 1))),
        (_("Cette année"), period_query(periods.year(today.year))),
        (_("L'an dernier"), period_query(periods.year(today.year - 1))),
    ]
