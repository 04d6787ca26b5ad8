"""The request form: patient, cancer, immunotherapy lines, toxicities, context, reason and question.

Two modes: ``draft`` (nothing required, only values that cannot be right are refused) and ``submit`` (also what
a submitted request must hold). What is required, and the French message when it is missing, comes from
``cases.rules``, which ``case_completeness`` reads too. ``RequestForms`` bundles the four parts so that views stay
thin. Forms never save.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms import BaseFormSet, formset_factory
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from referents.models import ToxicityEvent
from tigre.accounts.models import Centre, User
from tigre.accounts.roles import Role
from tigre.lib.validators import normalize_ins, validate_ins, validate_mssante_address

from .. import rules
from ..models import Case, CtcaeVersion, Drug, ImmunotherapyLine, Patient, RequestReason, Urgency
from ..services import CASE_FIELDS, PATIENT_FIELDS, TOXICITY_FIELDS

DRAFT, SUBMIT = "draft", "submit"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
MONTH_INPUT_FORMATS = ["%Y-%m", "%m/%Y", "%Y-%m-%d", "%d/%m/%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m")


def _date_field(label: Any, *, month: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=MonthInput() if month else DateInput(),
        input_formats=MONTH_INPUT_FORMATS if month else DATE_INPUT_FORMATS,
        error_messages={"invalid": _("Date invalide (jj/mm/aaaa).")},
    )


def _set_choices(field: forms.Field, choices: Any) -> None:
    field.choices = choices  # type: ignore[attr-defined]


class ModeMixin:
    """One part of the request (``part``: its prefix in ``cases.rules``). No field is required to Django: in
    submit mode, ``clean`` refuses what the rules require and is blank, with the rule's message."""

    part: str
    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)):
                continue
            widget.attrs["class"] = "form-select" if isinstance(widget, forms.Select) else "form-control"
        required = rules.submit_required(self.part)
        for name, field in self.fields.items():
            field.required = False
            if name in required:
                field.widget.attrs["data-required"] = "1"
                field.submit_required = True  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}  # type: ignore[misc]
        if self.mode == SUBMIT:
            errors: Any = getattr(self, "_errors", None) or {}
            for name, message in rules.missing_fields(self.part, data):
                if name not in errors:  # a value that could not be read already has its message
                    self.add_error(name, forms.ValidationError(message, code="required"))  # type: ignore[attr-defined]
        return data


class PatientForm(ModeMixin, forms.ModelForm):
    part = rules.PATIENT

    class Meta:
        model = Patient
        fields = list(PATIENT_FIELDS)
        widgets = {"sex": forms.RadioSelect}
        help_texts = {
            "ins": _("15 caractères : NIR (13) + clé (2). Laissez vide si inconnu."),
            "used_name": _("Si différent du nom de naissance."),
            "ins_status": _(
                "Statut dans votre établissement. « Qualifiée » : INS vérifié par le téléservice INSi et identité "
                "validée sur une pièce d'identité ; seule une identité qualifiée permet les échanges structurés "
                "(fiche RCP au DMP, MSSanté)."
            ),
            "gp_mssante": _("Pour lui adresser la fiche RCP par messagerie sécurisée (se termine par mssante.fr)."),
        }

    def __init__(self, *args: Any, mode: str = DRAFT, centres: list[Centre] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["birth_date"] = _date_field(Patient._meta.get_field("birth_date").verbose_name)
        self.fields["height_cm"] = forms.IntegerField(
            label=_("taille (cm)"), required=False, min_value=30, max_value=250
        )
        self.fields["weight_kg"] = forms.DecimalField(
            label=_("poids (kg)"),
            required=False,
            min_value=Decimal("0.5"),
            max_value=Decimal("400"),
            max_digits=5,
            decimal_places=1,
        )
        _set_choices(self.fields["sex"], list(getattr(self.fields["sex"], "choices", []))[1:])
        # Typed with spaces or dots as printed on a card: normalised, then checked (format and key) in clean_ins.
        self.fields["ins"] = forms.CharField(
            label=_("INS (NIR + clé)"),
            required=False,
            max_length=25,
            help_text=self.fields["ins"].help_text,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        )
        if centres is not None:
            _set_choices(self.fields["treating_centre"], [("", "---------")] + [(c.pk, str(c)) for c in centres])
        self.set_mode(mode)

    def clean_ins(self) -> str:
        value = normalize_ins(self.cleaned_data.get("ins", ""))
        validate_ins(value)
        return value

    def clean_birth_date(self) -> date | None:
        value = self.cleaned_data.get("birth_date")
        if (err := rules.birth_date_error(value)) is not None:
            raise forms.ValidationError(err)
        return value

    def clean_gp_mssante(self) -> str:
        value = (self.cleaned_data.get("gp_mssante") or "").strip().lower()
        validate_mssante_address(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        qualified = data.get("ins_status") == Patient.InsStatus.QUALIFIED
        if qualified and not data.get("ins") and "ins" not in self.errors:
            self.add_error(
                "ins", _("Une identité qualifiée porte son INS : saisissez-le, ou choisissez un autre statut.")
            )
        return data

    def _post_clean(self) -> None:
        """No model instance validation: fields are checked above, the service stores the cleaned values."""


class CaseFieldsForm(ModeMixin, forms.ModelForm):
    part = rules.CASE

    class Meta:
        model = Case
        fields = list(CASE_FIELDS)
        widgets = {
            "history": forms.Textarea(attrs={"rows": 2}),
            "autoimmune_history": forms.Textarea(attrs={"rows": 2}),
            "comorbidities": forms.Textarea(attrs={"rows": 2}),
            "key_results": forms.Textarea(attrs={"rows": 3}),
            "question": forms.Textarea(attrs={"rows": 3}),
            "urgency_reason": forms.Textarea(attrs={"rows": 2}),
            "urgency": forms.RadioSelect,
            "reason": forms.RadioSelect,
        }
        labels = {"patient_informed_on": _("date de l'information (facultative)")}
        help_texts = {
            "primary_site": _("ex. C34"),
            "question": _("Ce que vous attendez précisément de la RCP."),
        }

    co_requester_emails = forms.CharField(
        label=_("co-demandeur(s)"),
        required=False,
        max_length=500,
        help_text=_("E-mail TIGRE d'un confrère qui suivra aussi la demande (plusieurs : séparés par des virgules)."),
    )

    def __init__(self, *args: Any, mode: str = DRAFT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["diagnosis_date"] = _date_field(_("date du diagnostic (mois/année)"), month=True)
        self.fields["performance_status"] = forms.TypedChoiceField(
            label=_("état général OMS"),
            choices=[("", "—")] + [(i, str(i)) for i in range(5)],
            coerce=int,
            empty_value=None,
            required=False,
        )
        self.fields["primary_site"].label = _("code CIM-10")
        # Asked on every request (INCa minimal dataset of a fiche RCP; docs/domain.md#fiche-rcp).
        self.fields["patient_informed"] = forms.TypedChoiceField(
            label=_("Le patient est-il informé que son dossier est présenté en RCP ?"),
            choices=[("yes", _("Oui")), ("no", _("Non"))],
            coerce=lambda v: {"yes": True, "no": False}.get(v),
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
        )
        if isinstance(self.initial.get("patient_informed"), bool):
            self.initial["patient_informed"] = "yes" if self.initial["patient_informed"] else "no"
        self.fields["patient_informed_on"] = _date_field(_("informé le (facultatif)"))
        _set_choices(self.fields["reason"], list(RequestReason.choices))
        _set_choices(self.fields["urgency"], list(Urgency.choices))
        self.set_mode(mode)

    def clean_co_requester_emails(self) -> list[Any]:
        emails = {e.lower() for e in re.split(r"[\s,;]+", self.cleaned_data.get("co_requester_emails", "")) if e}
        if len(emails) > 5:
            raise forms.ValidationError(_("Cinq co-demandeurs au plus."))
        users = list(
            User.objects.filter(
                email__in=emails,
                is_active=True,
                groups__name__in=[Role.CLINICIAN, Role.REFERENT, Role.COORDINATOR],
            ).distinct()
        )
        unknown = sorted(emails - {u.email.lower() for u in users})
        if unknown:
            raise forms.ValidationError(
                _("Aucun compte médecin TIGRE pour : %(emails)s.") % {"emails": ", ".join(unknown)}
            )
        return users

    def clean_urgency(self) -> str:
        return self.cleaned_data.get("urgency") or Urgency.STANDARD

    def clean_patient_informed_on(self) -> date | None:
        value = self.cleaned_data.get("patient_informed_on")
        if (err := rules.future_date_error(value)) is not None:
            raise forms.ValidationError(err)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("patient_informed") is not True:
            data["patient_informed_on"] = None  # a date only goes with "yes"
        return data

    def clean_diagnosis_date(self) -> date | None:
        value = self.cleaned_data.get("diagnosis_date")
        if (err := rules.future_date_error(value)) is not None:
            raise forms.ValidationError(err)
        return value

    def _post_clean(self) -> None:
        """No model instance validation: the service stores the cleaned values."""


class RowFormSet(BaseFormSet):
    """Rows are added and removed in the page: every row is optional, a row left blank is ignored."""

    def initial_form_count(self) -> int:
        return 0

    def rows(self) -> list[Any]:
        return [f for f in self.forms if f.has_changed()]

    def shown(self) -> list[tuple[int, Any]]:
        """The rows to draw, with their index (rows keep their numbers): all of them, except that once posted,
        the rows the clinician removed in the page (none of their fields sent) are not drawn again."""
        if not self.is_bound:
            return list(enumerate(self.forms))
        sent = {key.split("-")[1] for key in self.data if key.startswith(f"{self.prefix}-") and key.count("-") >= 2}
        return [(index, form) for index, form in enumerate(self.forms) if str(index) in sent]


class LineForm(ModeMixin, forms.Form):
    part = rules.LINE

    drugs = forms.MultipleChoiceField(
        label=_("médicament(s)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Médicament inconnu.")},
    )
    regimen = forms.ChoiceField(label=_("schéma"), required=False)
    setting = forms.ChoiceField(label=_("situation"), required=False)
    start_date = _date_field(_("date de début"))
    last_dose_date = _date_field(_("dernière administration"))
    cycles = forms.IntegerField(
        label=_("nombre de cycles"), required=False, validators=[MinValueValidator(0), MaxValueValidator(500)]
    )
    status = forms.ChoiceField(label=_("statut"), required=False)
    dose = forms.CharField(label=_("posologie"), required=False, max_length=100)

    def __init__(self, *args: Any, mode: str = DRAFT, drugs: Mapping[str, Drug] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.drug_map = dict(drugs or {})
        _set_choices(self.fields["drugs"], [(pk, str(d)) for pk, d in self.drug_map.items()])
        blank = [("", "—")]
        _set_choices(self.fields["regimen"], blank + list(ImmunotherapyLine.Regimen.choices))
        _set_choices(self.fields["setting"], blank + list(ImmunotherapyLine.Setting.choices))
        _set_choices(self.fields["status"], list(ImmunotherapyLine.LineStatus.choices))
        self.set_mode(mode)

    def has_changed(self) -> bool:
        # The status select always posts a value; a row is "typed" only if something else was entered.
        return any(name != "status" for name in self.changed_data)

    def clean_drugs(self) -> list[Drug]:
        return [self.drug_map[pk] for pk in self.cleaned_data.get("drugs", []) if pk in self.drug_map]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("start_date", "last_dose_date"):
            if (err := rules.future_date_error(data.get(name))) is not None:
                self.add_error(name, err)
        if (err := rules.line_dates_error(data.get("start_date"), data.get("last_dose_date"))) is not None:
            self.add_error("last_dose_date", err)
        return data

    def storable(self) -> dict[str, Any] | None:
        """The row as the service stores it, or None if the database cannot hold it yet (no start date)."""
        data = getattr(self, "cleaned_data", {})
        if not data.get("start_date"):
            return None
        row = {
            k: data[k] for k in ("regimen", "setting", "start_date", "last_dose_date", "cycles", "dose") if k in data
        }
        row["status"] = data.get("status") or ImmunotherapyLine.LineStatus.ONGOING
        row["drugs"] = data.get("drugs", [])
        return row


class ToxicityForm(ModeMixin, forms.Form):
    part = rules.TOXICITY

    event = forms.ChoiceField(
        label=_("événement"), required=False, error_messages={"invalid_choice": _("Événement inconnu.")}
    )
    grade = forms.TypedChoiceField(
        label=_("grade CTCAE"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—")] + [(i, str(i)) for i in rules.GRADES],
        error_messages={"invalid_choice": rules.GRADE_MESSAGE},
    )
    ctcae_version = forms.ChoiceField(
        label=_("version CTCAE"),
        required=False,
        choices=CtcaeVersion.choices,
        initial=CtcaeVersion.V5,
        error_messages={"invalid_choice": _("Version CTCAE inconnue.")},
    )
    onset_date = _date_field(_("date d'apparition"))
    pre_existing = forms.BooleanField(label=_("préexistant à l'immunothérapie"), required=False)
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    management_hold = forms.BooleanField(label=_("ICI suspendu"), required=False)
    steroids_mg_per_kg = forms.DecimalField(
        label=_("corticoïdes (mg/kg/j)"),
        required=False,
        max_digits=4,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("30"),
    )
    line = forms.ChoiceField(
        label=_("survenue sous la ligne"),
        required=False,
        error_messages={"invalid_choice": _("Cette ligne d'immunothérapie n'existe pas dans le formulaire.")},
    )
    other_immunosuppressants = forms.CharField(label=_("autres immunosuppresseurs"), required=False, max_length=300)
    management_notes = forms.CharField(
        label=_("prise en charge déjà réalisée"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        mode: str = DRAFT,
        events: Mapping[str, ToxicityEvent] | None = None,
        event_choices: list[Any] | None = None,
        line_choices: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.event_map = dict(events or {})
        _set_choices(self.fields["event"], [("", "—"), *list(event_choices or [])])
        # The line rows of the same form, by their row number in the page ("Ligne 1"...); the page's script
        # keeps them in step when rows are added or removed (static/js/cases.js).
        _set_choices(self.fields["line"], [("", "—"), *list(line_choices or [])])
        self.set_mode(mode)
        self.fields["line"].widget.attrs["data-line-select"] = "1"

    def has_changed(self) -> bool:
        # The CTCAE version select always posts a value; a row is "typed" only if something else was entered.
        return any(name != "ctcae_version" for name in self.changed_data)

    def clean_event(self) -> ToxicityEvent | None:
        pk = self.cleaned_data.get("event")
        return self.event_map.get(pk) if pk else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (err := rules.future_date_error(data.get("onset_date"))) is not None:
            self.add_error("onset_date", err)
        return data

    def storable(self) -> dict[str, Any] | None:
        data = getattr(self, "cleaned_data", {})
        if not (data.get("event") and data.get("grade") and data.get("onset_date")):
            return None
        row = {k: data[k] for k in TOXICITY_FIELDS if k in data}
        row["ctcae_version"] = row.get("ctcae_version") or CtcaeVersion.V5
        return row


def _line_choices(indices: list[int]) -> list[tuple[str, str]]:
    return [(str(index), str(_("Ligne %(n)d") % {"n": n})) for n, index in enumerate(indices, start=1)]


def event_choices() -> tuple[dict[str, ToxicityEvent], list[Any]]:
    """Active events grouped by organ category (one query), for the grouped select."""
    events = list(
        ToxicityEvent.objects.filter(is_active=True, category__is_active=True)
        .select_related("category")
        .order_by("category__position", "category__label", "position", "label")
    )
    groups: dict[str, list[tuple[str, str]]] = {}
    for ev in events:
        groups.setdefault(ev.category.label, []).append((str(ev.pk), ev.label))
    return {str(ev.pk): ev for ev in events}, list(groups.items())


def drug_choices() -> dict[str, Drug]:
    return {str(d.pk): d for d in Drug.objects.filter(is_active=True).order_by("target", "name")}


def line_formset(**kwargs: Any) -> RowFormSet:
    initial = kwargs.get("initial") or []
    cls = formset_factory(LineForm, formset=RowFormSet, extra=max(len(initial), 1), max_num=20, absolute_max=20)
    return cast(RowFormSet, cls(prefix="line", **kwargs))


def toxicity_formset(**kwargs: Any) -> RowFormSet:
    initial = kwargs.get("initial") or []
    cls = formset_factory(ToxicityForm, formset=RowFormSet, extra=max(len(initial), 1), max_num=20, absolute_max=20)
    return cast(RowFormSet, cls(prefix="tox", **kwargs))


class RequestForms:
    """The four parts of the request form, validated together in one mode."""

    def __init__(self, *, data: Any = None, case: Case | None = None, mode: str = DRAFT, user: Any = None) -> None:
        self.mode = mode
        self.case = case
        self.drugs = drug_choices()
        self.events, grouped = event_choices()
        centres = list(Centre.objects.order_by("name"))
        line_kwargs = {"mode": mode, "drugs": self.drugs}
        tox_kwargs: dict[str, Any] = {"mode": mode, "events": self.events, "event_choices": grouped}
        if data is not None:
            sent = {k.split("-")[1] for k in data if k.startswith("line-") and k.count("-") >= 2}
            tox_kwargs["line_choices"] = _line_choices(sorted(int(i) for i in sent if i.isdigit()))
            self.patient = PatientForm(data, prefix="patient", mode=mode, centres=centres)
            self.case_form = CaseFieldsForm(data, prefix="case", mode=mode)
            self.lines = line_formset(data=data, form_kwargs=line_kwargs)
            self.toxicities = toxicity_formset(data=data, form_kwargs=tox_kwargs)
        else:
            patient_initial, case_initial, lines_initial, tox_initial = _initial_from(case)
            tox_kwargs["line_choices"] = _line_choices(list(range(max(len(lines_initial), 1))))
            if case is None and getattr(user, "centre_id", None):
                patient_initial["treating_centre"] = user.centre_id
            self.patient = PatientForm(prefix="patient", mode=mode, centres=centres, initial=patient_initial)
            self.case_form = CaseFieldsForm(prefix="case", mode=mode, initial=case_initial)
            self.lines = line_formset(initial=lines_initial, form_kwargs=line_kwargs)
            self.toxicities = toxicity_formset(initial=tox_initial, form_kwargs=tox_kwargs)
        self.section_errors: dict[str, list[str]] = {"lines": [], "toxicities": [], "general": []}

    @property
    def is_bound(self) -> bool:
        return self.patient.is_bound

    def is_valid(self) -> bool:
        ok = all(
            [self.patient.is_valid(), self.case_form.is_valid(), self.lines.is_valid(), self.toxicities.is_valid()]
        )
        if self.mode == SUBMIT:
            self._cross_checks()
        return ok and not self.has_errors()

    def _cross_checks(self) -> None:
        lines = list(self.lines.rows())
        toxicities = list(self.toxicities.rows())
        case_values = getattr(self.case_form, "cleaned_data", {})
        for section, part, rows in (("lines", rules.LINE, lines), ("toxicities", rules.TOXICITY, toxicities)):
            if (message := rules.missing_rows(part, len(rows), case_values)) is not None:
                self.section_errors[section].append(message)
        starts = [f.cleaned_data.get("start_date") for f in lines if getattr(f, "cleaned_data", None)]
        first_dose = min((d for d in starts if d), default=None)
        for form in toxicities:
            data = getattr(form, "cleaned_data", None) or {}
            err = rules.onset_error(data.get("onset_date"), first_dose, bool(data.get("pre_existing")))
            if err is not None and "onset_date" not in form.errors:
                form.add_error("onset_date", err)

    def add_missing(self, missing: list[tuple[str, str]]) -> None:
        """Show what ``case_completeness`` refused (form field name, message) on the fields it names, as the form
        itself would; what names no field of this page goes to the list at the top."""
        parts = {"patient": self.patient, "case": self.case_form}
        sections = {"line": self.lines, "tox": self.toxicities}
        # A missing field's message names the field; a wrong value's message needs the field's label (summary).
        required = {str(rule.message) for rule in rules.REQUIRED_FIELDS}
        for name, message in missing:
            prefix, _sep, rest = name.partition("-")
            form: forms.BaseForm | None = None
            field = rest
            if prefix in parts:
                form = parts[prefix]
            elif prefix in sections and rest.partition("-")[0].isdigit():
                index, _sep, field = rest.partition("-")
                rows = sections[prefix].rows()
                form = rows[int(index)] if int(index) < len(rows) else None
            if name in self.section_errors:
                self.section_errors[name].append(message)
            elif form is not None and field in form.fields:
                code = "required" if message in required else "invalid"
                form.add_error(field, forms.ValidationError(message, code=code))
            else:
                self.section_errors["general"].append(message)

    def has_errors(self) -> bool:
        return bool(self.summary())

    def summary(self) -> list[dict[str, str]]:
        """Every error, in page order, with the id of the field to jump to (the list at the top of the form)."""
        items: list[dict[str, str]] = []
        if not self.is_bound:
            return items

        def add(form: forms.BaseForm, prefix_label: str = "", row_label: str = "") -> None:
            for name, errors in form.errors.as_data().items():
                if name == "__all__":
                    for e in errors:
                        items.extend({"label": prefix_label, "message": str(m), "anchor": ""} for m in e)
                    continue
                bf = form[name]
                for e in errors:
                    # A missing field's message names the field (cases.rules): only the row is added to it.
                    label = row_label if e.code == "required" else f"{prefix_label}{bf.label}"
                    anchor = bf.id_for_label or bf.auto_id
                    items.extend({"label": str(label), "message": str(m), "anchor": anchor} for m in e)

        add(self.patient, str(_("Patient — ")))
        add(self.case_form)
        for e in self.section_errors["lines"]:
            items.append({"label": str(_("Immunothérapie")), "message": e, "anchor": "section-lines"})
        for i, form in enumerate(self.lines.rows(), start=1):
            add(form, str(_("Ligne %(n)s — ") % {"n": i}), str(_("Ligne %(n)s") % {"n": i}))
        for e in self.section_errors["toxicities"]:
            items.append({"label": str(_("Toxicités")), "message": e, "anchor": "section-toxicities"})
        for i, form in enumerate(self.toxicities.rows(), start=1):
            add(form, str(_("Toxicité %(n)s — ") % {"n": i}), str(_("Toxicité %(n)s") % {"n": i}))
        for message in self.section_errors["general"]:
            items.append({"label": "", "message": message, "anchor": ""})
        for err in self.lines.non_form_errors() + self.toxicities.non_form_errors():
            items.append({"label": "", "message": str(err), "anchor": ""})
        return items

    def payload(self) -> dict[str, Any]:
        """What can be stored now (valid fields, rows the database can hold), for the services."""
        patient = {k: v for k, v in self.patient.cleaned_data.items() if k in PATIENT_FIELDS}
        fields = {k: v for k, v in self.case_form.cleaned_data.items() if k in CASE_FIELDS}
        co_requesters = self.case_form.cleaned_data.get("co_requester_emails")
        stored = [(f, row) for f in self.lines.rows() if (row := f.storable()) is not None]
        lines = [row for _f, row in stored]
        # A toxicity names its line by the line's row in the page; stored, by the line's position.
        position = {f.prefix.rsplit("-", 1)[-1]: i for i, (f, _row) in enumerate(stored)}
        toxicities = []
        for f in self.toxicities.rows():
            if (row := f.storable()) is not None:
                row["line_index"] = position.get(f.cleaned_data.get("line") or "")
                toxicities.append(row)
        return {
            "patient": patient,
            "fields": fields,
            "lines": lines,
            "toxicities": toxicities,
            "co_requesters": co_requesters,  # None when the field was wrong: left unchanged
        }

    def tag_qualifying(self) -> list[Any]:
        rows = []
        for form in self.toxicities.forms:
            if self.is_bound:
                data = getattr(form, "cleaned_data", None) or {}
                rows.append({"event": data.get("event"), "grade": data.get("grade")})
            else:
                rows.append(
                    {"event": self.events.get(str(form.initial.get("event", ""))), "grade": form.initial.get("grade")}
                )
        return rules.tag_qualifying(rows)


RAW_PREFIXES = ("patient-", "case-", "line-", "tox-")


def raw_data(data: Any) -> dict[str, list[str]]:
    """The posted form as JSON-able lists (kept on a draft so that nothing typed is lost).

    Only the form's own fields; NUL characters are dropped (PostgreSQL text cannot hold them)."""
    return {
        k.replace("\x00", ""): [v.replace("\x00", "")[:5000] for v in data.getlist(k)][:50]
        for k in data
        if k.startswith(RAW_PREFIXES) and len(k) <= 64
    }


def querydict_from(raw: Mapping[str, list[str]]) -> QueryDict:
    q = QueryDict(mutable=True)
    for k, values in raw.items():
        q.setlist(k, [str(v) for v in values])
    return q


def _initial_from(
    case: Case | None,
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    if case is None:
        return {}, {"urgency": Urgency.STANDARD}, [], []
    p = case.patient
    patient_initial = {name: getattr(p, name) for name in PATIENT_FIELDS}
    patient_initial["treating_centre"] = p.treating_centre_id
    case_initial = {name: getattr(case, name) for name in CASE_FIELDS}
    case_initial["co_requester_emails"] = ", ".join(u.email for u in case.co_requesters.all())
    lines = [
        {
            **{
                k: getattr(line, k)
                for k in ("regimen", "setting", "start_date", "last_dose_date", "cycles", "status", "dose")
            },
            "drugs": [str(d.pk) for d in line.drugs.all()],
        }
        for line in case.lines.all()
    ]
    line_rows = {line.pk: str(i) for i, line in enumerate(case.lines.all())}
    toxicities = [
        {
            "line": line_rows.get(t.line_id, "") if t.line_id else "",
            **{
                k: getattr(t, k)
                for k in (
                    "grade",
                    "ctcae_version",
                    "onset_date",
                    "pre_existing",
                    "description",
                    "management_hold",
                    "steroids_mg_per_kg",
                    "other_immunosuppressants",
                    "management_notes",
                )
            },
            "event": str(t.event_id),
        }
        for t in case.toxicities.all()
    ]
    return patient_initial, case_initial, lines, toxicities
