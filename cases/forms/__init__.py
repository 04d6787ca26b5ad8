"""The request form (``request``) and the small forms of the requester's actions (``actions``)."""

from __future__ import annotations

from .actions import AnswerForm, AttachmentForm, WithdrawForm
from .request import (
    DRAFT,
    SUBMIT,
    CaseFieldsForm,
    LineForm,
    PatientForm,
    RequestForms,
    ToxicityForm,
    drug_choices,
    event_choices,
    line_formset,
    querydict_from,
    raw_data,
    toxicity_formset,
)

__all__ = [
    "DRAFT",
    "SUBMIT",
    "AnswerForm",
    "AttachmentForm",
    "CaseFieldsForm",
    "LineForm",
    "PatientForm",
    "RequestForms",
    "ToxicityForm",
    "WithdrawForm",
    "drug_choices",
    "event_choices",
    "line_formset",
    "querydict_from",
    "raw_data",
    "toxicity_formset",
]
