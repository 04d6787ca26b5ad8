from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from .models import PscAccessRequest, User


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse e-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _("Adresse e-mail ou mot de passe incorrect."),
        "inactive": _("Ce compte est désactivé."),
    }


class TokenForm(forms.Form):
    """A 6-digit code from the authenticator app (spaces tolerated, as apps display "123 456")."""

    token = forms.CharField(
        label=_("Code à 6 chiffres"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not (token.isdigit() and len(token) == 6):
            raise forms.ValidationError(_("Saisissez les 6 chiffres affichés par votre application."))
        return token


class PscAccessRequestForm(forms.ModelForm):
    """What a professional refused at a PSC login tells the secretariat (the identity itself comes from PSC)."""

    class Meta:
        model = PscAccessRequest
        fields = ["email", "phone", "workplace", "message"]
        labels = {
            "email": _("Adresse e-mail professionnelle"),
            "workplace": _("Établissement et service"),
            "message": _("Message au secrétariat (facultatif)"),
        }
        help_texts = {
            "email": _("Le secrétariat vous répondra à cette adresse."),
            "workplace": _("Par exemple : CHU de Reims, service d'oncologie médicale."),
        }
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel"}),
            "message": forms.Textarea(attrs={"rows": 3}),
        }


class PscAccessAcceptForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Compte existant à lier"),
        queryset=User.objects.none(),
        empty_label=_("— choisir le compte —"),
    )
    note = forms.CharField(label=_("Note (facultative)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, accounts: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["user"]
        field.queryset = accounts if accounts is not None else User.objects.filter(is_active=True)
        field.label_from_instance = lambda u: f"{u.last_name} {u.first_name} — {u.email}"


class PscAccessRefuseForm(forms.Form):
    note = forms.CharField(label=_("Motif du refus"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class AccountPasswordResetForm(PasswordResetForm):
    """ "Mot de passe oublié", also for an account never activated (created without a password by the directory's
    import, whose activation link expired): Django's own form skips accounts without a usable password."""

    def get_users(self, email: str) -> Iterator[Any]:
        return iter(User.objects.filter(email__iexact=email, is_active=True))
