from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Applied, Outcome


class FollowUpAnswerForm(forms.Form):
    applied = forms.ChoiceField(
        label=_("L'avis de la RCP a-t-il été appliqué ?"),
        choices=Applied.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Indiquez si l'avis a été appliqué.")},
    )
    outcome = forms.ChoiceField(
        label=_("Évolution de la toxicité depuis l'avis"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Indiquez l'évolution du patient.")},
    )
    comment = forms.CharField(
        label=_("Commentaire (facultatif)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Par exemple : ce qui n'a pas pu être appliqué, et pourquoi ; nouvel événement."),
    )
