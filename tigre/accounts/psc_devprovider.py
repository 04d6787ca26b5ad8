"""A small but real OpenID Connect provider shaped like Pro Santé Connect, for development and the test suite.

NEVER part of production: it signs whatever identity one clicks. It needs Flask (requirements-dev.txt), listens on
the loopback interface only and is started by hand (``make psc-dev-provider``) or by the tests as a subprocess.

Built on Authlib's server side: the authorization-code grant, PKCE (S256 only, required), the OpenID Connect code
flow (nonce), client authentication at the token endpoint (``client_secret_basic``), RS256 ID tokens whose public
key is published as a JWKS. What is Pro Santé Connect's own is imitated: the discovery document under
``/.well-known/wallet-openid-configuration`` (not the standard path), the scope ``openid scope_all``, ``acr`` and
``authMode`` in the ID token, the identity (``SubjectNameID``, names, ``SubjectRefPro``) from the userinfo endpoint
as a signed JWT, and an end-session endpoint that checks ``id_token_hint`` and the registered
``post_logout_redirect_uri``.

Identities may carry ``quirks`` so that the tests can watch the client refuse a bad token (see
``psc_identities.identity``). ``GET /_dev/events`` lists what the provider saw (JSON), for the tests.

    python -m tigre.accounts.psc_devprovider --port 8900 \\
        --client-id tigre-dev --client-secret tigre-dev-secret \\
        --redirect-uri http://127.0.0.1:8000/compte/psc/retour/ \\
        --post-logout-redirect-uri http://127.0.0.1:8000/compte/psc/deconnecte/
"""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import urlencode

import flask
from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector, current_token
from authlib.oauth2.rfc6749 import ClientMixin, InvalidRequestError, TokenMixin, grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import AuthorizationCodeMixin
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.grants.util import create_half_hash
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from .psc_identities import DEMO_IDENTITIES

REALM = "/auth/realms/esante-wallet"
DISCOVERY_PATH = f"{REALM}/.well-known/wallet-openid-configuration"
SCOPES = ("openid", "scope_all")
QUIRKS = frozenset({"omit_nonce", "replay_nonce", "rogue_key", "wrong_issuer", "wrong_audience", "expired"})


# --- Storage (one process, in memory) ---------------------------------------------------------------------


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret.encode(), self.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "client_secret_basic" if endpoint == "token" else True

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    identity_key: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int
    acr: str | None
    created: float = field(default_factory=time.time)

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str | None:
        return self.acr

    def is_expired(self) -> bool:
        return time.time() - self.created > 60


@dataclass
class Token(TokenMixin):
    access_token: str
    client_id: str
    identity_key: str
    scope: str
    issued_at: float = field(default_factory=time.time)

    def check_client(self, client: ClientMixin) -> bool:
        return client.get_client_id() == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return 600

    def is_expired(self) -> bool:
        return time.time() - self.issued_at > 600

    def is_revoked(self) -> bool:
        return False

    def get_user(self) -> dict[str, Any]:
        return STATE.identities[self.identity_key]


class State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.identities: dict[str, dict[str, Any]] = {}
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, Token] = {}
        self.events: list[dict[str, Any]] = []
        self.previous_nonces: list[str] = []
        self.key = RSAKey.generate_key(2048, parameters={"kid": "psc-dev-1", "use": "sig", "alg": "RS256"})
        # A key nobody published, with the same key id: what a forger would sign with.
        self.rogue_key = RSAKey.generate_key(2048, parameters={"kid": "psc-dev-1", "use": "sig", "alg": "RS256"})

    def event(self, name: str, **data: Any) -> None:
        with self.lock:
            self.events.append({"event": name, "at": time.time(), **data})


STATE = State()


def issuer() -> str:
    return flask.request.host_url.rstrip("/") + REALM


# --- The OpenID Connect grant -----------------------------------------------------------------------------


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]

    def save_authorization_code(self, code: str, request: Any) -> Code:
        payload = request.payload
        item = Code(
            code=code,
            client_id=request.client.get_client_id(),
            redirect_uri=payload.redirect_uri,
            scope=payload.scope,
            identity_key=request.user["key"],
            nonce=payload.data.get("nonce"),
            code_challenge=payload.data.get("code_challenge"),
            code_challenge_method=payload.data.get("code_challenge_method"),
            auth_time=int(time.time()),
            acr=request.user["id_token"].get("acr"),
        )
        with STATE.lock:
            STATE.codes[code] = item
        return item

    def query_authorization_code(self, code: str, client: ClientMixin) -> Code | None:
        item = STATE.codes.get(code)
        if item and item.client_id == client.get_client_id() and not item.is_expired():
            return item
        return None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        with STATE.lock:
            STATE.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: Code) -> dict[str, Any]:
        return STATE.identities[authorization_code.identity_key]


class PscOpenIDCode(OpenIDCode):
    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return any(code.nonce == nonce for code in STATE.codes.values())

    def generate_user_info(self, user: dict[str, Any], scope: str) -> dict[str, Any]:
        return {"sub": user["sub"]}

    def encode_id_token(self, token: dict[str, Any], request: Any) -> str:
        """The ID token as Pro Santé Connect shapes it, spoiled on purpose when the identity has quirks."""
        user = request.user
        code: Code = request.authorization_code
        quirks = set(user.get("quirks", ()))
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer(),
            "aud": request.client.get_client_id(),
            "azp": request.client.get_client_id(),
            "sub": user["sub"],
            "iat": now,
            "exp": now + 120,
            "auth_time": code.auth_time,
            **user.get("id_token", {}),
        }
        if code.nonce:
            claims["nonce"] = code.nonce
        at_hash = create_half_hash(token["access_token"], "RS256")
        claims["at_hash"] = at_hash.decode() if at_hash else None
        if "omit_nonce" in quirks:
            claims.pop("nonce", None)
        if "replay_nonce" in quirks:
            # The nonce of an earlier authorization: what a replayed ID token carries.
            earlier = [n for n in STATE.previous_nonces if n != code.nonce]
            claims["nonce"] = earlier[-1] if earlier else secrets.token_urlsafe(16)
        if "wrong_issuer" in quirks:
            claims["iss"] = "https://faux-psc.invalid" + REALM
        if "wrong_audience" in quirks:
            claims["aud"] = "un-autre-service"
            claims["azp"] = "un-autre-service"
        if "expired" in quirks:
            claims["iat"], claims["exp"] = now - 900, now - 600
        key = STATE.rogue_key if "rogue_key" in quirks else STATE.key
        return jwt.encode({"alg": "RS256", "kid": "psc-dev-1", "typ": "JWT"}, claims, key, algorithms=["RS256"])


class S256Required(CodeChallenge):
    """PKCE demanded of every client, confidential ones too, and S256 only (Authlib lets a confidential client
    without ``code_challenge`` through, and reads a missing method as "plain")."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE S256 is required (code_challenge, code_challenge_method=S256)")
        super().validate_code_challenge(grant, redirect_uri)


class TokenValidator(BearerTokenValidator):
    def authenticate_token(self, token_string: str) -> Token | None:
        return STATE.tokens.get(token_string)


def query_client(client_id: str) -> Client | None:
    return STATE.clients.get(client_id)


def save_token(token: dict[str, Any], request: Any) -> None:
    with STATE.lock:
        STATE.tokens[token["access_token"]] = Token(
            access_token=token["access_token"],
            client_id=request.client.get_client_id(),
            identity_key=request.user["key"],
            scope=token.get("scope", ""),
        )


# --- The application --------------------------------------------------------------------------------------

PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1e1e1e}}
header{{background:#000091;color:#fff;padding:.8rem 1rem;border-radius:.3rem}} button{{display:block;width:100%;
margin:.5rem 0;padding:.7rem;text-align:left;border:1px solid #000091;background:#f5f5fe;border-radius:.3rem;
font-size:1rem;cursor:pointer}} button:hover{{background:#e3e3fd}} .note{{color:#555;font-size:.9rem}}</style>
</head><body><header><strong>Pro Santé Connect</strong> — fournisseur de développement (TIGRE)</header>{body}
</body></html>"""


def create_app(
    *,
    identities: list[dict[str, Any]],
    client_id: str,
    client_secret: str,
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str],
) -> flask.Flask:
    for identity in identities:
        unknown = set(identity.get("quirks", ())) - QUIRKS
        if unknown:
            raise ValueError(f"unknown quirks {sorted(unknown)} for identity {identity['key']}")
    STATE.identities = {identity["key"]: identity for identity in identities}
    STATE.clients = {
        client_id: Client(
            client_id=client_id,
            client_secret=client_secret,
            redirect_uris=redirect_uris,
            post_logout_redirect_uris=post_logout_redirect_uris,
        )
    }

    app = flask.Flask(__name__)
    app.secret_key = secrets.token_bytes(32)
    app.config["SESSION_COOKIE_NAME"] = "psc_dev_session"
    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    server.register_grant(AuthorizationCodeGrant, [PscOpenIDCode(require_nonce=True), S256Required(required=True)])
    require_oauth = ResourceProtector()
    require_oauth.register_token_validator(TokenValidator())

    @app.get(DISCOVERY_PATH)
    def discovery() -> Any:
        base = flask.request.host_url.rstrip("/")
        return flask.jsonify(
            {
                "issuer": issuer(),
                "authorization_endpoint": f"{base}/auth",
                "token_endpoint": f"{base}{REALM}/protocol/openid-connect/token",
                "userinfo_endpoint": f"{base}{REALM}/protocol/openid-connect/userinfo",
                "end_session_endpoint": f"{base}{REALM}/protocol/openid-connect/logout",
                "jwks_uri": f"{base}{REALM}/protocol/openid-connect/certs",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"],
                "scopes_supported": list(SCOPES),
                "acr_values_supported": ["eidas1"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "userinfo_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                "subject_types_supported": ["public"],
            }
        )

    @app.get(f"{REALM}/protocol/openid-connect/certs")
    def jwks() -> Any:
        return flask.jsonify(KeySet([STATE.key]).as_dict(private=False))

    @app.route("/auth", methods=["GET", "POST"])
    def authorize() -> Any:
        args = flask.request.args
        try:
            server.get_consent_grant(end_user=None)  # validates client, redirect URI, PKCE, nonce
        except Exception as exc:  # an invalid request never reaches the client: say why, as PSC's error page does
            STATE.event("authorize_refused", error=str(exc), args=dict(args))
            return _page("Requête refusée", f"<p>Requête d'autorisation refusée : {escape(str(exc))}</p>"), 400
        STATE.event(
            "authorize",
            method=flask.request.method,
            scope=args.get("scope"),
            acr_values=args.get("acr_values"),
            code_challenge_method=args.get("code_challenge_method"),
            has_nonce=bool(args.get("nonce")),
            has_state=bool(args.get("state")),
        )
        if flask.request.method == "GET":
            current = flask.session.get("psc_identity")
            buttons = "".join(
                f'<form method="post"><input type="hidden" name="identity" value="{escape(key)}">'
                f'<button type="submit">{escape(identity["label"])}</button></form>'
                for key, identity in STATE.identities.items()
            )
            opened = (
                f'<p class="note">Session Pro Santé Connect ouverte : {escape(STATE.identities[current]["label"])}</p>'
                if current in STATE.identities
                else '<p class="note">Aucune session Pro Santé Connect ouverte.</p>'
            )
            body = (
                f"<h1>Choisissez l'identité (fictive)</h1>{opened}{buttons}"
                '<p class="note">Personnes et numéros inventés. Ce fournisseur ne sert qu\'au développement.</p>'
            )
            return _page("Pro Santé Connect (développement)", body)
        identity = STATE.identities.get(flask.request.form.get("identity", ""))
        if identity is None:
            return _page("Identité inconnue", "<p>Identité inconnue.</p>"), 400
        if nonce := args.get("nonce"):
            with STATE.lock:
                STATE.previous_nonces.append(nonce)
        flask.session["psc_identity"] = identity["key"]
        return server.create_authorization_response(grant_user=identity)

    @app.post(f"{REALM}/protocol/openid-connect/token")
    def token() -> Any:
        response = server.create_token_response()
        STATE.event("token", status=response.status_code, code_verifier=bool(flask.request.form.get("code_verifier")))
        return response

    @app.route(f"{REALM}/protocol/openid-connect/userinfo", methods=["GET", "POST"])
    @require_oauth("openid")
    def userinfo() -> Any:
        identity = current_token.get_user()
        claims = {
            "sub": identity["sub"],
            "iss": issuer(),
            "aud": current_token.client_id,
            **identity.get("userinfo", {}),
        }
        signed = jwt.encode({"alg": "RS256", "kid": "psc-dev-1"}, claims, STATE.key, algorithms=["RS256"])
        STATE.event("userinfo", identity=identity["key"])
        return flask.Response(signed, content_type="application/jwt")

    @app.route(f"{REALM}/protocol/openid-connect/logout", methods=["GET", "POST"])
    def end_session() -> Any:
        values = flask.request.values
        hint = values.get("id_token_hint", "")
        redirect_uri = values.get("post_logout_redirect_uri")
        hint_sub, hint_valid = None, False
        if hint:
            try:
                decoded = jwt.decode(hint, STATE.key, algorithms=["RS256"])
                hint_valid = decoded.claims.get("aud") in STATE.clients
                hint_sub = decoded.claims.get("sub")
            except Exception:  # any undecodable hint is simply not valid
                hint_valid = False
        registered = any(redirect_uri in c.post_logout_redirect_uris for c in STATE.clients.values())
        STATE.event(
            "end_session",
            id_token_hint_valid=hint_valid,
            sub=hint_sub,
            post_logout_redirect_uri=redirect_uri,
            registered=registered,
        )
        if redirect_uri and not (registered and hint_valid):
            return _page("Déconnexion refusée", "<p>Adresse de retour non enregistrée ou jeton absent.</p>"), 400
        flask.session.pop("psc_identity", None)
        if redirect_uri:
            state = values.get("state")
            separator = "&" if "?" in redirect_uri else "?"
            return flask.redirect(redirect_uri + (f"{separator}{urlencode({'state': state})}" if state else ""))
        return _page("Déconnecté", "<p>Vous êtes déconnecté de Pro Santé Connect.</p>")

    @app.get("/_dev/events")
    def events() -> Any:
        return flask.jsonify(STATE.events)

    return app


def _page(title: str, body: str) -> str:
    return PAGE.format(title=escape(title), body=body)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("--client-id", default="tigre-dev")
    parser.add_argument("--client-secret", default="tigre-dev-secret")
    parser.add_argument("--redirect-uri", action="append", default=None)
    parser.add_argument("--post-logout-redirect-uri", action="append", default=None)
    parser.add_argument("--identities", help="a JSON file: a list of identities (default: the demo identities)")
    args = parser.parse_args(argv)
    if not ipaddress.ip_address(args.host).is_loopback:
        parser.error("the development provider listens on a loopback address only")
    if args.identities:
        with open(args.identities, encoding="utf-8") as handle:
            identities = json.load(handle)
    else:
        identities = DEMO_IDENTITIES
    app = create_app(
        identities=identities,
        client_id=args.client_id,
        client_secret=args.client_secret,
        redirect_uris=args.redirect_uri or ["http://127.0.0.1:8000/compte/psc/retour/"],
        post_logout_redirect_uris=args.post_logout_redirect_uri or ["http://127.0.0.1:8000/compte/psc/deconnecte/"],
    )
    from werkzeug.serving import run_simple

    print(f"Pro Santé Connect (développement) : http://{args.host}:{args.port}{DISCOVERY_PATH}", flush=True)
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
