"""Pro Santé Connect (PSC): the OpenID Connect client.

Authlib does the protocol plumbing: the discovery document, PKCE (S256) and nonce generation, the authorization URL,
the code exchange with client authentication, the JWKS download and the end-session URL. Every check on what comes
back is made here, explicitly, because Authlib's defaults are too lenient for us: its ``authorize_access_token``
validates the ID token only when a nonce was stored, takes its algorithms from the provider's metadata, never
checks ``aud`` unless told, allows two minutes of clock skew and knows nothing of ``acr``. So:

* ``state`` must come back and match a flow started in this browser's session; it is used once (a replayed or
  forged callback finds nothing);
* the ID token must be RS256, signed by a key of the provider's JWKS (fetched again once when the key is unknown
  or the signature fails: key rotation), with ``iss`` equal to the discovery document's issuer, ``aud`` containing
  our client id (``azp`` too when there are several audiences), ``exp``/``iat`` within a small leeway, ``nonce``
  equal to the one sent, ``acr`` in the accepted set, ``at_hash`` matching when present;
* the userinfo answer (a signed JWT at PSC, plain JSON accepted) must be about the same ``sub``.

PSC specifics: the national identifier is ``SubjectNameID`` ("8" + RPPS or "0" + ADELI), names in
``given_name``/``family_name``, the professional record in ``SubjectRefPro``, no reliable e-mail address. Nothing
here writes to the database: matching an account and logging in are the views' and services' business.
"""

from __future__ import annotations

import hmac
import secrets
import time
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import requests
from authlib.integrations.django_client import OAuth
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oidc.core.util import create_half_hash
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    DecodeError,
    InvalidKeyIdError,
    JoseError,
    MissingKeyError,
    UnsupportedAlgorithmError,
)
from joserfc.jwk import KeySet

ALGORITHMS = ["RS256"]
SESSION_FLOWS = "tigre_psc_flows"  # state -> {nonce, code_verifier, next, exp}: flows started in this browser
SESSION_ID_TOKEN = "tigre_psc_id_token"  # noqa: S105  # nosec B105  # a session key, not a secret. the raw ID token of the PSC login, sent back as id_token_hint at logout
SESSION_LOGOUT_STATE = "tigre_psc_logout_state"
FLOW_SECONDS = 10 * 60  # a login must come back from PSC within ten minutes
MAX_FLOWS = 5  # flows kept per session (several tabs); the oldest is dropped


class PscError(Exception):
    """A refused PSC login. ``code`` names the reason (tests, logs), ``message`` is shown to the user (French).
    ``identity`` is set once the tokens were valid (the refusal is then about the account, not the protocol)."""

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        status: int = 400,
        identity: PscIdentity | None = None,
        counts_as_failure: bool = True,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status
        self.identity = identity
        self.counts_as_failure = counts_as_failure


@dataclass(frozen=True)
class PscConfig:
    discovery_url: str
    client_id: str
    client_secret: str
    scope: str
    accepted_acr: tuple[str, ...]
    card_level_acr: tuple[str, ...]
    card_level_auth_modes: tuple[str, ...]
    leeway: int
    timeout: int
    redirect_uri: str
    post_logout_redirect_uri: str


def psc_config() -> PscConfig | None:
    """The PSC settings, or None when PSC is not configured (no client id): the button is then hidden."""
    conf = getattr(settings, "PSC", {})
    if not conf.get("CLIENT_ID") or not conf.get("DISCOVERY_URL"):
        return None
    site = settings.SITE_URL.rstrip("/")
    return PscConfig(
        discovery_url=conf["DISCOVERY_URL"],
        client_id=conf["CLIENT_ID"],
        client_secret=conf.get("CLIENT_SECRET", ""),
        scope=conf.get("SCOPE", "openid scope_all"),
        accepted_acr=tuple(conf.get("ACCEPTED_ACR") or ("eidas1",)),
        card_level_acr=tuple(conf.get("CARD_LEVEL_ACR") or ()),
        card_level_auth_modes=tuple(conf.get("CARD_LEVEL_AUTH_MODES") or ()),
        leeway=int(conf.get("CLOCK_LEEWAY_SECONDS", 30)),
        timeout=int(conf.get("HTTP_TIMEOUT_SECONDS", 10)),
        redirect_uri=conf.get("REDIRECT_URI") or site + reverse("accounts:psc_callback"),
        post_logout_redirect_uri=conf.get("POST_LOGOUT_REDIRECT_URI") or site + reverse("accounts:psc_logged_out"),
    )


@dataclass(frozen=True)
class PscIdentity:
    """Who PSC says logged in, after every check."""

    sub: str
    national_id: str  # SubjectNameID as sent: "8" + RPPS or "0" + ADELI
    kind: str  # "rpps", "adeli" or "" (unreadable)
    number: str  # the RPPS (11 digits) or ADELI (9 digits) number
    given_name: str
    family_name: str
    acr: str
    auth_mode: str
    profession: str = ""  # SubjectRefPro: the first exercice's codeProfession (10 = médecin)
    id_token: str = field(default="", repr=False)

    def as_session(self) -> dict[str, str]:
        return {
            "sub": self.sub,
            "national_id": self.national_id,
            "kind": self.kind,
            "number": self.number,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "acr": self.acr,
            "auth_mode": self.auth_mode,
            "profession": self.profession,
        }


def national_id_parse(value: Any) -> tuple[str, str]:
    """("rpps", 11 digits) for "8" + RPPS, ("adeli", 9 digits) for "0" + ADELI, ("", "") for anything else."""
    text = str(value or "").strip()
    if len(text) == 12 and text[0] == "8" and text[1:].isdigit():
        return "rpps", text[1:]
    if len(text) == 10 and text[0] == "0" and text[1:].isdigit():
        return "adeli", text[1:]
    return "", ""


def name_key(value: str) -> str:
    """A family name compared case- and accent-insensitively, hyphens, apostrophes and spaces ignored
    ("Lefèvre-Dupont" and "LEFEVRE DUPONT" are the same)."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(ch for ch in decomposed if ch.isalnum()).casefold()


def is_card_level(identity: PscIdentity, config: PscConfig) -> bool:
    """A card-level authentication (CPS card): the configured acr or authMode values."""
    return bool(
        (identity.acr and identity.acr in config.card_level_acr)
        or (identity.auth_mode and identity.auth_mode in config.card_level_auth_modes)
    )


# --- The client (Authlib) ------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _client(config: PscConfig, day: int) -> Any:
    """One Authlib client per configuration; ``day`` renews it (and the cached discovery document) daily."""
    oauth = OAuth()
    return oauth.register(
        name="psc",
        client_id=config.client_id,
        client_secret=config.client_secret,
        server_metadata_url=config.discovery_url,
        client_kwargs={
            "scope": config.scope,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_basic",
            "default_timeout": config.timeout,
        },
    )


def client(config: PscConfig) -> Any:
    return _client(config, int(time.time() // 86400))


def _metadata(config: PscConfig) -> dict[str, Any]:
    try:
        metadata: dict[str, Any] = client(config).load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        raise _unreachable() from exc
    for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not metadata.get(key):
            raise _unreachable()
    return metadata


def _unreachable() -> PscError:
    return PscError(
        "provider_unreachable",
        _(
            "Pro Santé Connect ne répond pas pour le moment. Réessayez dans quelques minutes ou connectez-vous avec "
            "votre adresse e-mail et votre mot de passe."
        ),
        status=503,
        counts_as_failure=False,
    )


def _bad_token(code: str) -> PscError:
    return PscError(
        code,
        _(
            "La réponse de Pro Santé Connect n'a pas pu être vérifiée ; la connexion est refusée par sécurité. "
            "Recommencez depuis la page de connexion."
        ),
    )


def authorization_start(request: HttpRequest, *, next_url: str) -> str:
    """Start a login: a new state, nonce and PKCE verifier kept in the session; returns the URL of PSC's
    authorization endpoint."""
    config = psc_config()
    if config is None:
        raise PscError(
            "not_configured",
            _("La connexion par Pro Santé Connect n'est pas activée."),
            status=404,
            counts_as_failure=False,
        )
    _metadata(config)
    nonce = secrets.token_urlsafe(32)
    result = client(config).create_authorization_url(
        config.redirect_uri,
        nonce=nonce,
        state=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),
        acr_values=config.accepted_acr[0],
    )
    now = time.time()
    flows = {s: f for s, f in request.session.get(SESSION_FLOWS, {}).items() if f.get("exp", 0) > now}
    flows[result["state"]] = {
        "nonce": nonce,
        "code_verifier": result["code_verifier"],
        "next": next_url,
        "exp": now + FLOW_SECONDS,
    }
    request.session[SESSION_FLOWS] = dict(sorted(flows.items(), key=lambda item: item[1]["exp"])[-MAX_FLOWS:])
    return str(result["url"])


def callback_identity(request: HttpRequest) -> tuple[PscIdentity, str]:
    """Finish a login from PSC's redirect: returns the verified identity and the ``next`` URL of the flow.
    Raises PscError on anything wrong."""
    config = psc_config()
    if config is None:
        raise PscError(
            "not_configured",
            _("La connexion par Pro Santé Connect n'est pas activée."),
            status=404,
            counts_as_failure=False,
        )
    state = request.GET.get("state", "")
    flows = request.session.get(SESSION_FLOWS, {})
    flow = flows.pop(state, None) if state else None
    request.session[SESSION_FLOWS] = flows  # the state is spent, whatever happens next
    if request.GET.get("error"):
        raise PscError(
            "provider_error",
            _("La connexion par Pro Santé Connect a été annulée ou n'a pas abouti."),
            counts_as_failure=False,
        )
    if not state:
        raise _bad_token("state_missing")
    if flow is None or flow.get("exp", 0) < time.time():
        raise _bad_token("state_unknown")
    code = request.GET.get("code", "")
    if not code:
        raise _bad_token("code_missing")
    metadata = _metadata(config)
    app = client(config)
    try:
        token = app.fetch_access_token(redirect_uri=config.redirect_uri, code=code, code_verifier=flow["code_verifier"])
    except (requests.RequestException, ValueError) as exc:
        raise _unreachable() from exc
    except OAuth2Error as exc:
        raise _bad_token("token_refused") from exc
    raw = token.get("id_token")
    if not raw:
        raise _bad_token("id_token_missing")
    claims = id_token_validate(
        raw,
        keys=lambda force: _jwks(app, force),
        issuer=metadata["issuer"],
        client_id=config.client_id,
        nonce=flow["nonce"],
        accepted_acr=config.accepted_acr,
        leeway=config.leeway,
        access_token=token.get("access_token"),
    )
    userinfo = _userinfo(app, metadata, token, claims, config)
    merged = {**userinfo, **{k: v for k, v in claims.items() if k in ("sub", "acr", "authMode")}}
    return identity_from_claims(merged, id_token=raw), str(flow.get("next") or "")


def _jwks(app: Any, force: bool) -> KeySet:
    try:
        return KeySet.import_key_set(app.fetch_jwk_set(force=force))
    except (requests.RequestException, ValueError) as exc:
        raise _unreachable() from exc


def id_token_validate(
    raw: str,
    *,
    keys: Any,
    issuer: str,
    client_id: str,
    nonce: str,
    accepted_acr: tuple[str, ...],
    leeway: int,
    access_token: str | None = None,
    now: int | None = None,
) -> dict[str, Any]:
    """Verify an ID token; return its claims. ``keys(force)`` gives the provider's key set (``force``: download
    it again). Raises PscError (code ``id_token_*`` or ``acr_refused``)."""
    claims = verify_jwt(raw, keys=keys)
    now = int(time.time()) if now is None else now
    if claims.get("iss") != issuer:
        raise _bad_token("id_token_issuer")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience if isinstance(audience, list) else []
    if client_id not in audiences:
        raise _bad_token("id_token_audience")
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != client_id:
        raise _bad_token("id_token_audience")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or exp + leeway < now:
        raise _bad_token("id_token_expired")
    if not isinstance(iat, int | float) or iat - leeway > now:
        raise _bad_token("id_token_not_yet_valid")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise _bad_token("id_token_subject")
    sent = claims.get("nonce")
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), nonce.encode()):
        raise _bad_token("id_token_nonce")
    if access_token and "at_hash" in claims:
        expected = create_half_hash(access_token, "RS256")
        if expected is None or not hmac.compare_digest(str(claims["at_hash"]).encode(), expected):
            raise _bad_token("id_token_at_hash")
    if claims.get("acr") not in accepted_acr:
        raise PscError(
            "acr_refused",
            _(
                "Le niveau d'authentification de Pro Santé Connect (%(acr)s) n'est pas accepté par TIGRE. "
                "Connectez-vous avec votre carte CPS ou l'application e-CPS."
            )
            % {"acr": str(claims.get("acr") or "?")},
            status=403,
        )
    return claims


def verify_jwt(raw: str, *, keys: Any) -> dict[str, Any]:
    """The claims of a JWT signed RS256 by one of ``keys(force)``; the key set is downloaded again once when the
    key is unknown or the signature fails (the provider may have rotated its keys)."""
    for force in (False, True):
        try:
            token = jwt.decode(raw, keys(force), algorithms=ALGORITHMS)
        except UnsupportedAlgorithmError as exc:
            raise _bad_token("id_token_algorithm") from exc
        except (InvalidKeyIdError, MissingKeyError, BadSignatureError):
            if force:
                raise _bad_token("id_token_signature") from None
            continue
        except (DecodeError, JoseError, ValueError) as exc:
            raise _bad_token("id_token_malformed") from exc
        if token.header.get("alg") not in ALGORITHMS:
            raise _bad_token("id_token_algorithm")
        return dict(token.claims)
    raise _bad_token("id_token_signature")  # pragma: no cover - the loop always returns or raises


def _userinfo(
    app: Any, metadata: dict[str, Any], token: dict[str, Any], claims: dict[str, Any], config: PscConfig
) -> dict[str, Any]:
    """PSC's userinfo answer, checked: a signed JWT (as PSC sends it) or JSON, about the ID token's subject."""
    endpoint = metadata.get("userinfo_endpoint")
    if not endpoint:
        return {}
    try:
        response = app.get(endpoint, token=token, timeout=config.timeout)
    except requests.RequestException as exc:
        raise _unreachable() from exc
    if response.status_code != 200:
        raise _bad_token("userinfo_refused")
    if response.headers.get("Content-Type", "").split(";")[0].strip() == "application/jwt":
        data = verify_jwt(response.text, keys=lambda force: _jwks(app, force))
        if "iss" in data and data["iss"] != metadata["issuer"]:
            raise _bad_token("userinfo_issuer")
        if "aud" in data:
            audience = data["aud"]
            if config.client_id not in ([audience] if isinstance(audience, str) else audience or []):
                raise _bad_token("userinfo_audience")
    else:
        try:
            data = response.json()
        except ValueError as exc:
            raise _bad_token("userinfo_malformed") from exc
    if not isinstance(data, dict) or data.get("sub") != claims["sub"]:
        raise _bad_token("userinfo_subject")
    return data


def identity_from_claims(claims: dict[str, Any], *, id_token: str = "") -> PscIdentity:
    national_id = str(claims.get("SubjectNameID") or claims.get("preferred_username") or "")
    kind, number = national_id_parse(national_id)
    ref = claims.get("SubjectRefPro")
    profession = ""
    if isinstance(ref, dict):
        exercices = ref.get("exercices") or []
        if exercices and isinstance(exercices[0], dict):
            profession = str(exercices[0].get("codeProfession") or "")
    return PscIdentity(
        sub=str(claims.get("sub") or ""),
        national_id=national_id,
        kind=kind,
        number=number,
        given_name=str(claims.get("given_name") or ""),
        family_name=str(claims.get("family_name") or ""),
        acr=str(claims.get("acr") or ""),
        auth_mode=str(claims.get("authMode") or ""),
        profession=profession,
        id_token=id_token,
    )


def end_session_url(*, id_token: str, state: str) -> str | None:
    """PSC's end-session URL for RP-initiated logout (``id_token_hint``, our registered
    ``post_logout_redirect_uri``), or None when PSC is not configured or does not say where it is."""
    config = psc_config()
    if config is None or not id_token:
        return None
    try:
        result = client(config).create_logout_url(
            post_logout_redirect_uri=config.post_logout_redirect_uri, id_token_hint=id_token, state=state
        )
    except (requests.RequestException, ValueError, RuntimeError):  # RuntimeError: no end_session_endpoint
        return None
    return str(result["url"])
