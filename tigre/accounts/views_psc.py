"""Pro Santé Connect: the login button's flow, the refusal and access-request pages, the logout through PSC, and the
secretariat's page of access requests. The protocol checks live in ``psc.py``; writes in ``services.py``."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_otp import login as otp_login

from tigre.accounts.decorators import AuthenticatedRequest

from . import psc
from .decorators import role_required
from .forms import EmailAuthenticationForm, PscAccessAcceptForm, PscAccessRefuseForm, PscAccessRequestForm
from .middleware import second_factor_exempt
from .models import PscAccessRequest
from .psc import PscError
from .roles import Role
from .selectors import psc_access_requests, psc_accounts_for_rpps, psc_device_for, psc_link_candidates
from .services import (
    psc_access_request_accept,
    psc_access_request_create,
    psc_access_request_refuse,
    psc_device_record,
)

logger = logging.getLogger(__name__)

SESSION_REFUSED = "tigre_psc_refused"  # {identity, reason, exp}: a verified identity refused, which may ask access
REFUSED_SECONDS = 30 * 60
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


class TigreLoginView(LoginView):
    """The login page: e-mail and password, and the Pro Santé Connect button once PSC is configured."""

    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["psc_enabled"] = psc.psc_config() is not None
        return context


@login_not_required
@never_cache
@require_GET
def psc_start(request: HttpRequest) -> HttpResponse:
    """The button: off to Pro Santé Connect with a fresh state, nonce and PKCE challenge."""
    try:
        url = psc.authorization_start(request, next_url=_safe_next(request, request.GET.get("next", "")))
    except PscError as error:
        return _refused(request, error)
    return HttpResponseRedirect(url)


@login_not_required
@never_cache
@require_GET
def psc_callback(request: HttpRequest) -> HttpResponse:
    """Back from Pro Santé Connect: verify, match the one active account holding the RPPS, log in."""
    # A browser locked out by django-axes (five failures, password or PSC) is refused before any work. The username
    # here is unique to this request: only the address-and-browser counter can lock it.
    if not AxesProxyHandler.is_allowed(request, {"username": f"psc-callback:{secrets.token_hex(8)}"}):
        return get_lockout_response(request)
    try:
        identity, next_url = psc.callback_identity(request)
    except PscError as error:
        return _refused(request, error, axes_username="psc:?")
    config = psc.psc_config()
    assert config is not None  # callback_identity refused otherwise
    axes_username = f"psc:{identity.national_id}"
    if identity.kind == "adeli":
        return _refused(
            request,
            PscError(
                "adeli",
                _(
                    "Pro Santé Connect vous a identifié par votre numéro ADELI. TIGRE reconnaît les médecins par "
                    "leur numéro RPPS : connectez-vous avec votre adresse e-mail et votre mot de passe, ou "
                    "contactez le secrétariat de la RCP."
                ),
                status=403,
                identity=identity,
            ),
            axes_username=axes_username,
        )
    if identity.kind != "rpps":
        return _refused(
            request,
            PscError(
                "identifier_invalid",
                _("Pro Santé Connect n'a pas transmis de numéro RPPS lisible : la connexion est refusée."),
                identity=identity,
            ),
            axes_username=axes_username,
        )
    accounts = psc_accounts_for_rpps(rpps=identity.number)
    if len(accounts) != 1:
        reason = PscAccessRequest.Reason.AMBIGUOUS if accounts else PscAccessRequest.Reason.UNKNOWN
        message = (
            _(
                "Plusieurs comptes TIGRE portent votre numéro RPPS : la connexion est refusée tant que le "
                "secrétariat ne l'a pas corrigé."
            )
            if accounts
            else _("Aucun compte TIGRE n'est associé à votre numéro RPPS (%(rpps)s).") % {"rpps": identity.number}
        )
        return _refused(
            request,
            PscError(str(reason), message, status=403, identity=identity),
            axes_username=axes_username,
            access_reason=str(reason),
        )
    user = accounts[0]
    if not AxesProxyHandler.is_allowed(request, {"username": user.email}):
        return get_lockout_response(request, credentials={"username": user.email})
    device = psc_device_for(user=user)
    if (device is None or device.national_id != identity.national_id) and psc.name_key(user.last_name) != psc.name_key(
        identity.family_name
    ):
        # First link of this account to PSC: a mistyped RPPS on the account must not hand it to someone else.
        return _refused(
            request,
            PscError(
                "name_mismatch",
                _(
                    "Le nom transmis par Pro Santé Connect ne correspond pas à celui du compte TIGRE qui porte votre "
                    "numéro RPPS : la connexion est refusée par sécurité."
                ),
                status=403,
                identity=identity,
            ),
            axes_username=user.email,
            access_reason=str(PscAccessRequest.Reason.NAME_MISMATCH),
        )
    card_level = psc.is_card_level(identity, config)
    device = psc_device_record(user=user, identity=identity, card_level=card_level)
    login(request, user, backend=LOGIN_BACKEND)
    if card_level:
        otp_login(request, device)  # the CPS card is the second factor: is_verified() holds for this session
    request.session[psc.SESSION_ID_TOKEN] = identity.id_token
    request.session.pop(SESSION_REFUSED, None)
    logger.info("PSC login of user %s (acr=%s, card=%s)", user.pk, identity.acr, card_level)
    return HttpResponseRedirect(_safe_next(request, next_url) or reverse(settings.LOGIN_REDIRECT_URL))


def _refused(
    request: HttpRequest, error: PscError, *, axes_username: str = "", access_reason: str = ""
) -> HttpResponse:
    """The French refusal page. A refusal counts as a failed login for django-axes (like a wrong password) unless
    it is the provider's or the user's doing (PSC down, login cancelled)."""
    logger.info("PSC login refused: %s", error.code)
    if error.counts_as_failure and axes_username:
        user_login_failed.send(sender=__name__, credentials={"username": axes_username}, request=request)
    can_ask = bool(access_reason and error.identity is not None and error.identity.kind == "rpps")
    if can_ask:
        assert error.identity is not None
        request.session[SESSION_REFUSED] = {
            "identity": error.identity.as_session(),
            "reason": access_reason,
            "exp": time.time() + REFUSED_SECONDS,
        }
    else:
        request.session.pop(SESSION_REFUSED, None)
    context = {"error": error, "identity": error.identity, "can_ask": can_ask}
    return render(request, "accounts/psc_refused.html", context, status=error.status)


def _refused_identity(request: HttpRequest) -> dict[str, Any] | None:
    data = request.session.get(SESSION_REFUSED)
    if not isinstance(data, dict) or data.get("exp", 0) < time.time():
        return None
    return data


@login_not_required
@never_cache
def psc_access_request(request: HttpRequest) -> HttpResponse:
    """Ask the secretariat for access, after a PSC login refused for want of an account. Only the identity PSC
    verified moments ago (kept in the session) can be the subject of the request."""
    refused = _refused_identity(request)
    if refused is None:
        messages.info(request, _("Connectez-vous d'abord avec Pro Santé Connect pour demander un accès."))
        return redirect("accounts:login")
    form = PscAccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        access_request, created = psc_access_request_create(
            identity=refused["identity"], reason=refused["reason"], **form.cleaned_data
        )
        request.session.pop(SESSION_REFUSED, None)
        return render(
            request, "accounts/psc_access_request_sent.html", {"access_request": access_request, "created": created}
        )
    return render(
        request,
        "accounts/psc_access_request.html",
        {"form": form, "identity": refused["identity"]},
        status=400 if request.method == "POST" else 200,
    )


class PscLogoutView(LogoutView):
    """ "Se déconnecter": ends TIGRE's session and, after a PSC login, Pro Santé Connect's too (RP-initiated logout:
    its end-session endpoint with ``id_token_hint``, back to our registered ``post_logout_redirect_uri``). The idle
    timeout (SessionTimeoutMiddleware) does not come here: it ends TIGRE's session only."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        id_token = request.session.get(psc.SESSION_ID_TOKEN, "")
        response = super().post(request, *args, **kwargs)
        if id_token:
            state = secrets.token_urlsafe(16)
            url = psc.end_session_url(id_token=id_token, state=state)
            if url:
                request.session[psc.SESSION_LOGOUT_STATE] = state
                return render(request, "accounts/psc_logout.html", {"end_session_url": url})
        return response


psc_aware_logout = second_factor_exempt(PscLogoutView.as_view())


@login_not_required
@never_cache
@require_GET
def psc_logged_out(request: HttpRequest) -> HttpResponse:
    """Where Pro Santé Connect sends the browser back after its logout."""
    expected = request.session.pop(psc.SESSION_LOGOUT_STATE, None)
    both = bool(expected) and secrets.compare_digest(str(expected), request.GET.get("state", ""))
    return render(request, "registration/logged_out.html", {"psc_logged_out": both})


# --- The secretariat's page ---------------------------------------------------------------------------------


@role_required(Role.SECRETARIAT, Role.ADMINISTRATOR)
def psc_requests(request: HttpRequest) -> HttpResponse:
    rows = list(psc_access_requests()[:200])
    pending = [r for r in rows if r.status == PscAccessRequest.Status.PENDING]
    decided = [r for r in rows if r.status != PscAccessRequest.Status.PENDING]
    return render(request, "accounts/psc_requests.html", {"pending": pending, "decided": decided})


@role_required(Role.SECRETARIAT, Role.ADMINISTRATOR)
def psc_request_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access_request = get_object_or_404(psc_access_requests(), pk=pk)
    accounts, same_name = psc_link_candidates(access_request=access_request)
    # One account bearing the family name PSC gave: the likely choice, preselected (the secretariat still confirms).
    accept_form = PscAccessAcceptForm(
        accounts=accounts, initial={"user": same_name[0]} if len(same_name) == 1 else None
    )
    refuse_form = PscAccessRefuseForm()
    status = 200
    if request.method == "POST" and access_request.status == PscAccessRequest.Status.PENDING:
        action = request.POST.get("action")
        try:
            if action == "accept":
                accept_form = PscAccessAcceptForm(request.POST, accounts=accounts)
                if accept_form.is_valid():
                    psc_access_request_accept(
                        access_request=access_request,
                        user=accept_form.cleaned_data["user"],
                        by=request.user,
                        note=accept_form.cleaned_data["note"],
                    )
                    messages.success(
                        request,
                        _("Demande acceptée : %(name)s peut se connecter avec Pro Santé Connect.")
                        % {"name": accept_form.cleaned_data["user"].display_name},
                    )
                    return redirect("accounts:psc_requests")
            elif action == "refuse":
                refuse_form = PscAccessRefuseForm(request.POST)
                if refuse_form.is_valid():
                    psc_access_request_refuse(
                        access_request=access_request, by=request.user, note=refuse_form.cleaned_data["note"]
                    )
                    messages.success(request, _("Demande refusée."))
                    return redirect("accounts:psc_requests")
        except ValidationError as error:
            target = accept_form if action == "accept" else refuse_form
            for message in error.messages:
                target.add_error(None, message)
        status = 400
    elif request.method == "POST":
        status = 409
    context = {
        "access_request": access_request,
        "accept_form": accept_form,
        "refuse_form": refuse_form,
        "same_name": same_name,
    }
    return render(request, "accounts/psc_request_detail.html", context, status=status)
