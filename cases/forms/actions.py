"""Small forms of the requester's actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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
