"""Small forms of the requester's actions and of "Mes demandes"."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Urgency


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=_("Votre réponse"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": _("La réponse ne peut pas être vide.")},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du retrait"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": _("Indiquez pourquoi vous retirez la demande.")},
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier (PDF, PNG ou JPEG)"),
        error_messages={"required": _("Choisissez un fichier."), "empty": _("Le fichier est vide.")},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=200)


class MyCasesFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Statut"),
        required=False,
        choices=[
            ("", _("Tous")),
            ("draft", _("Brouillons")),
            ("in_progress", _("En cours")),
            ("info_requested", _("Informations demandées")),
            ("answered", _("Avis rendu")),
            ("ended", _("Retirées ou refusées")),
        ],
    )
    urgency = forms.ChoiceField(label=_("Urgence"), required=False, choices=[("", _("Toutes")), *Urgency.choices])
    q = forms.CharField(label=_("Recherche"), required=False, max_length=100)
