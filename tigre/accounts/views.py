from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .forms import TokenForm
from .middleware import second_factor_exempt
from .otp import (
    b32_secret,
    confirmed_device,
    device_confirm,
    device_start_enrolment,
    device_verify,
    otpauth_uri,
    qr_svg,
    second_factor_required,
)
from .roles import Role


def profile(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    role_labels = [label for value, label in Role.choices if value in user.roles]
    context = {
        "profile_user": user,
        "role_labels": role_labels,
        "otp_required": second_factor_required(user, request.session),
        "otp_enrolled": confirmed_device(user) is not None,
    }
    return render(request, "accounts/profile.html", context)


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


@never_cache
@second_factor_exempt
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Second step of the login: a code from the user's authenticator app."""
    user: Any = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if confirmed_device(user) is None:
        return redirect(_url("accounts:otp_enrol", _next_url(request)))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(_next_url(request))
        form.add_error(
            "token",
            _("Code refusé : il est faux, déjà utilisé ou expiré. Attendez le code suivant puis réessayez."),
        )
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@second_factor_exempt
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """Enrolment: scan the QR code (or type the key), then confirm with a first code."""
    user: Any = request.user
    if confirmed_device(user) is not None and not user.is_verified():
        # Replacing a device needs the current one first (otherwise a stolen password would suffice).
        return redirect(_url("accounts:otp_verify", _url("accounts:otp_enrol")))
    device = device_start_enrolment(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device_confirm(request=request, device=device, token=form.cleaned_data["token"]):
            messages.success(request, _("Double authentification activée."))
            return redirect(_next_url(request) if _next_url(request) != "/" else _url("accounts:profile"))
        form.add_error("token", _("Code refusé. Vérifiez l'heure de votre téléphone et saisissez le code affiché."))
    uri = otpauth_uri(device, account=user.email)
    context = {
        "form": form,
        "next": _next_url(request),
        # The SVG is generated here from our own data (qrcode's path image): no user-supplied markup.
        "qr_svg": mark_safe(qr_svg(uri)),  # noqa: S308  # nosec B308 B703
        "secret": b32_secret(device),
        "replacing": confirmed_device(user) is not None,
        "required": second_factor_required(user, request.session),
    }
    return render(request, "accounts/otp_enrol.html", context)


def _url(name: str, next_url: str = "") -> str:
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url
