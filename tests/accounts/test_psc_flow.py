"""Pro Santé Connect login through the Django test client against a real OpenID Connect provider (the PSC-shaped
development provider, a subprocess on 127.0.0.1): matching, refusals, access requests, django-axes, the second
factor, logout. The browser journeys are in tests/e2e/test_psc_login.py."""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from axes.models import AccessAttempt
from axes.models import AccessLog as AxesAccessLog
from django.test import Client
from django.urls import reverse

from tests.accounts.psc_provider import RPPS_ALICE, RPPS_BOB, RPPS_CORA, RPPS_UNKNOWN, running_provider
from tests.factories.accounts import UserFactory
from tests.helpers import totp_device
from tigre.accounts import psc
from tigre.accounts.middleware import SESSION_LAST_SEEN
from tigre.accounts.models import PscAccessRequest, PscDevice

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with running_provider(tmp_path_factory.mktemp("psc"), ["http://testserver"]) as running:
        yield running


@pytest.fixture(autouse=True)
def psc_on(settings: Any, provider: Any) -> Any:
    settings.PSC = provider.settings()
    settings.SITE_URL = "http://testserver"
    return provider


def start(client: Client, next_url: str = "") -> str:
    response = client.get(reverse("accounts:psc_start") + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response.content[:500]
    return str(response["Location"])


def at_provider(authorization_url: str, identity: str) -> str:
    """The user picks ``identity`` at the provider; returns the callback URL it redirects to."""
    response = requests.post(authorization_url, data={"identity": identity}, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text[:500]
    return str(response.headers["Location"])


def back(client: Client, callback_url: str) -> Any:
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def psc_login(client: Client, identity: str, next_url: str = "") -> Any:
    return back(client, at_provider(start(client, next_url), identity))


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


# --- The flow ------------------------------------------------------------------------------------------


def test_start_sends_pkce_s256_state_nonce_scope_and_acr(client: Client, provider: Any) -> None:
    url = start(client)
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert url.startswith(provider.base_url + "/auth?")
    assert query["response_type"] == "code"
    assert query["scope"] == "openid scope_all"
    assert query["acr_values"] == "eidas1"
    assert query["redirect_uri"] == "http://testserver/compte/psc/retour/"
    assert query["code_challenge_method"] == "S256"
    flow = client.session[psc.SESSION_FLOWS][query["state"]]
    verifier_hash = base64.urlsafe_b64encode(hashlib.sha256(flow["code_verifier"].encode()).digest()).rstrip(b"=")
    assert query["code_challenge"] == verifier_hash.decode()
    assert query["nonce"] == flow["nonce"] and len(query["nonce"]) >= 32


def test_known_rpps_logs_in_and_links_the_account(client: Client, alice: Any, provider: Any) -> None:
    alice.rpps = RPPS_ALICE
    alice.save(update_fields=["rpps"])
    response = psc_login(client, "alice", next_url="/compte/profil/")
    assert response.status_code == 302 and response["Location"] == "/compte/profil/"
    assert logged_in_user_id(client) == str(alice.pk)
    device = PscDevice.objects.get(user=alice)
    assert device.national_id == "8" + RPPS_ALICE and device.last_acr == "eidas1" and not device.last_card_level
    assert client.session[psc.SESSION_ID_TOKEN].count(".") == 2
    # The provider saw PKCE S256 at the authorization and the verifier at the token endpoint.
    assert provider.events("authorize")[-1]["code_challenge_method"] == "S256"
    assert provider.events("token")[-1] == {**provider.events("token")[-1], "status": 200, "code_verifier": True}
    # Recorded like a password login (django-axes' login records).
    assert AxesAccessLog.objects.filter(username=alice.email, path_info="/compte/psc/retour/").exists()
    assert client.get("/compte/profil/").status_code == 200


def test_next_url_elsewhere_is_ignored(client: Client, alice: Any) -> None:
    alice.rpps = RPPS_ALICE
    alice.save(update_fields=["rpps"])
    response = psc_login(client, "alice", next_url="https://evil.example/")
    assert response["Location"] == "/"


def test_first_link_accepts_the_name_without_case_or_accents(client: Client, alice: Any) -> None:
    alice.rpps = RPPS_ALICE
    alice.save(update_fields=["rpps"])
    assert psc_login(client, "alice-accents").status_code == 302  # "aubért" for "Aubert"
    assert logged_in_user_id(client) == str(alice.pk)


def test_first_link_with_another_family_name_is_refused(client: Client, bob: Any) -> None:
    bob.rpps = RPPS_BOB  # PSC says Marc DURAND holds this RPPS: a typo on Bob's account must not hand it over
    bob.save(update_fields=["rpps"])
    response = psc_login(client, "usurpateur")
    assert response.status_code == 403
    assert "ne correspond pas à celui du compte" in response.content.decode()
    assert logged_in_user_id(client) is None
    assert not PscDevice.objects.filter(user=bob).exists()
    assert AccessAttempt.objects.filter(username=bob.email, failures_since_start=1).exists()
    assert reverse("accounts:psc_access_request") in response.content.decode()


def test_the_name_is_checked_at_the_first_link_only(client: Client, alice: Any) -> None:
    alice.rpps = RPPS_ALICE
    alice.save(update_fields=["rpps"])
    assert psc_login(client, "alice").status_code == 302
    client.logout()
    alice.last_name = "Aubert-Lenoir"  # a name changed later in TIGRE does not lock the linked account out
    alice.save(update_fields=["last_name"])
    assert psc_login(client, "alice").status_code == 302
    assert logged_in_user_id(client) == str(alice.pk)


def test_unknown_rpps_is_refused_with_a_way_to_ask_the_secretariat(client: Client, alice: Any) -> None:
    response = psc_login(client, "inconnu")
    assert response.status_code == 403
    page = response.content.decode()
    assert f"Aucun compte TIGRE n&#x27;est associé à votre numéro RPPS ({RPPS_UNKNOWN})" in page
    assert "Demander un accès au secrétariat" in page
    assert logged_in_user_id(client) is None
    assert AccessAttempt.objects.filter(username=f"psc:8{RPPS_UNKNOWN}").exists()

    form = client.get(reverse("accounts:psc_access_request"))
    assert form.status_code == 200 and "FABRE" in form.content.decode()
    bad = client.post(reverse("accounts:psc_access_request"), {"email": "pas-une-adresse", "workplace": ""})
    assert bad.status_code == 400
    sent = client.post(
        reverse("accounts:psc_access_request"),
        {"email": "l.fabre@ch-epernay.test", "workplace": "CH d'Épernay, oncologie", "message": "Merci"},
    )
    assert sent.status_code == 200 and "Demande transmise au secrétariat" in sent.content.decode()
    request = PscAccessRequest.objects.get()
    # The identity is PSC's, not typed: the RPPS and names come from the verified tokens.
    assert (request.rpps, request.family_name, request.given_name, request.reason, request.status) == (
        RPPS_UNKNOWN,
        "FABRE",
        "Lucie",
        "unknown",
        "pending",
    )
    # The session's identity is spent: a second form needs a new PSC login; a new login does not duplicate.
    assert client.get(reverse("accounts:psc_access_request")).status_code == 302
    psc_login(client, "inconnu")
    again = client.post(reverse("accounts:psc_access_request"), {"email": "x@y.test", "workplace": "CH"})
    assert "déjà en cours de traitement" in again.content.decode()
    assert PscAccessRequest.objects.count() == 1


def test_access_request_page_needs_a_refused_psc_identity(client: Client) -> None:
    response = client.get(reverse("accounts:psc_access_request"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert (
        client.post(reverse("accounts:psc_access_request"), {"email": "a@b.test", "workplace": "x"}).status_code == 302
    )
    assert not PscAccessRequest.objects.exists()


def test_two_active_accounts_with_the_rpps_are_refused(client: Client, alice: Any, bob: Any) -> None:
    for user in (alice, bob):
        user.rpps = RPPS_ALICE
        user.save(update_fields=["rpps"])
    response = psc_login(client, "alice")
    assert response.status_code == 403
    assert "Plusieurs comptes TIGRE portent votre numéro RPPS" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_an_inactive_account_is_not_matched(client: Client, alice: Any) -> None:
    alice.rpps = RPPS_ALICE
    alice.is_active = False
    alice.save(update_fields=["rpps", "is_active"])
    response = psc_login(client, "alice")
    assert response.status_code == 403 and logged_in_user_id(client) is None


def test_adeli_only_identity_is_refused_without_access_request(client: Client) -> None:
    response = psc_login(client, "adeli")
    assert response.status_code == 403
    page = response.content.decode()
    assert "numéro ADELI" in page and "Demander un accès" not in page
    assert client.get(reverse("accounts:psc_access_request")).status_code == 302


def test_wrong_acr_is_refused(client: Client, alice: Any) -> None:
    alice.rpps = RPPS_ALICE
    alice.save(update_fields=["rpps"])
    response = psc_login(client, "acr-faible")
    assert response.status_code == 403
    assert "niveau d&#x27;authentification de Pro Santé Connect (eidas0) n&#x27;est pas accepté" in (
        response.content.decode()
    )
    assert logged_in_user_id(client) is None


@pytest.mark.parametrize("identity", ["sans-nonce", "cle-pirate", "autre-emetteur", "autre-audience", "expire"])
def test_a_bad_id_token_is_refused(client: Client, alice: Any, identity: str) -> None:
    alice.rpps = RPPS_ALICE
    alice.save(update_fields=["rpps"])
    response = psc_login(client, identity)
    assert response.status_code == 400
    assert "n&#x27;a pas pu être vérifiée" in response.content.decode()
    assert logged_in_user_id(client) is None
    assert AccessAttempt.objects.filter(username="psc:?").exists()  # counted as a failed login


def test_a_replayed_nonce_is_refused(client: Client, alice: Any) -> None:
    alice.rpps = RPPS_ALICE
    alice.save(update_fields=["rpps"])
    psc_login(Client(), "alice")  # an earlier login whose nonce the provider will send again
    response = psc_login(client, "nonce-rejoue")
    assert response.status_code == 400 and logged_in_user_id(client) is None


def test_a_replayed_callback_is_refused(client: Client, alice: Any) -> None:
    alice.rpps = RPPS_ALICE
    alice.save(update_fields=["rpps"])
    callback = at_provider(start(client), "alice")
    assert back(client, callback).status_code == 302
    client.logout()
    assert back(client, callback).status_code == 400  # the state was spent
    assert logged_in_user_id(client) is None


def test_a_missing_state_is_refused(client: Client, alice: Any) -> None:
    alice.rpps = RPPS_ALICE
    alice.save(update_fields=["rpps"])
    callback = at_provider(start(client), "alice")
    parts = urlsplit(callback)
    code = parse_qs(parts.query)["code"][0]
    response = client.get(f"{parts.path}?code={code}")
    assert response.status_code == 400 and logged_in_user_id(client) is None


def test_a_callback_started_in_another_browser_is_refused(client: Client, alice: Any) -> None:
    alice.rpps = RPPS_ALICE
    alice.save(update_fields=["rpps"])
    callback = at_provider(start(Client()), "alice")  # an attacker's flow, pushed into the victim's browser
    assert back(client, callback).status_code == 400
    assert logged_in_user_id(client) is None


def test_cancelled_at_the_provider_is_not_a_failure(client: Client) -> None:
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    response = client.get(reverse("accounts:psc_callback") + f"?error=access_denied&state={state}")
    assert response.status_code == 400 and "annulée" in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_psc_failures_lock_the_browser_out_like_password_failures(client: Client, alice: Any) -> None:
    alice.rpps = RPPS_ALICE
    alice.save(update_fields=["rpps"])
    for _ in range(5):
        psc_login(client, "inconnu")
    response = psc_login(client, "alice")  # even a good login is refused for 15 minutes
    assert response.status_code == 429
    assert logged_in_user_id(client) is None


def test_an_account_locked_by_password_failures_is_refused_through_psc_too(client: Client, alice: Any) -> None:
    alice.rpps = RPPS_ALICE
    alice.save(update_fields=["rpps"])
    for _ in range(5):
        Client(HTTP_USER_AGENT=f"agent-{_}").post(
            reverse("accounts:login"), {"username": alice.email, "password": "mauvais-mot-de-passe"}
        )
    assert psc_login(client, "alice").status_code == 429
    assert logged_in_user_id(client) is None


def test_provider_down_gives_a_french_503(client: Client, settings: Any) -> None:
    settings.PSC = {**settings.PSC, "DISCOVERY_URL": "http://127.0.0.1:9/.well-known/wallet-openid-configuration"}
    response = client.get(reverse("accounts:psc_start"))
    assert response.status_code == 503 and "ne répond pas" in response.content.decode()


def test_login_page_shows_the_button_only_when_configured(client: Client, settings: Any) -> None:
    assert 'Se connecter avec</span> <span class="psc-button-name">Pro Santé Connect' in (
        client.get(reverse("accounts:login")).content.decode()
    )
    settings.PSC = {**settings.PSC, "CLIENT_ID": ""}
    assert "psc-button" not in client.get(reverse("accounts:login")).content.decode()
    assert client.get(reverse("accounts:psc_start")).status_code == 404


# --- Second factor --------------------------------------------------------------------------------------


def test_staff_with_a_cps_card_needs_no_totp(client: Client, cora: Any) -> None:
    cora.rpps = RPPS_CORA
    cora.save(update_fields=["rpps"])
    totp_device(cora)
    assert psc_login(client, "cora-carte").status_code == 302
    triage = client.get(reverse("cases:triage"))
    assert triage.status_code == 200  # an OTP-protected page, reached without a code
    device = PscDevice.objects.get(user=cora)
    assert device.last_card_level and client.session["otp_device_id"] == device.persistent_id


def test_staff_with_e_cps_still_types_the_totp_code(client: Client, cora: Any) -> None:
    cora.rpps = RPPS_CORA
    cora.save(update_fields=["rpps"])
    totp_device(cora)
    assert psc_login(client, "cora-ecps").status_code == 302
    response = client.get(reverse("cases:triage"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp_verify"))


def test_the_psc_device_cannot_be_verified_with_a_code(cora: Any) -> None:
    device = PscDevice.objects.create(user=cora, name="Pro Santé Connect", confirmed=True, national_id="8" + RPPS_CORA)
    assert device.verify_token("123456") is False


# --- Logout -----------------------------------------------------------------------------------------------


def test_logout_ends_the_psc_session_through_its_end_session_endpoint(
    client: Client, alice: Any, provider: Any
) -> None:
    alice.rpps = RPPS_ALICE
    alice.save(update_fields=["rpps"])
    psc_login(client, "alice")
    id_token = client.session[psc.SESSION_ID_TOKEN]
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 200  # a page that navigates on (meta refresh): templates/accounts/psc_logout.html
    url = response.context["end_session_url"]
    assert f'content="0;url={url.replace("&", "&amp;")}"' in response.content.decode()
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert url.startswith(provider.base_url + "/auth/realms/esante-wallet/protocol/openid-connect/logout?")
    assert query["id_token_hint"] == id_token
    assert query["post_logout_redirect_uri"] == "http://testserver/compte/psc/deconnecte/"
    assert logged_in_user_id(client) is None  # TIGRE's session ended first
    at_psc = requests.get(url, allow_redirects=False, timeout=5)
    assert at_psc.status_code == 302
    event = provider.events("end_session")[-1]
    assert event["id_token_hint_valid"] and event["registered"] and event["sub"] == "psc-alice"
    landing = back(client, at_psc.headers["Location"])
    assert "déconnecté de TIGRE et de Pro Santé Connect" in landing.content.decode()


def test_password_logout_does_not_go_to_psc(client: Client, alice: Any, password: str) -> None:
    assert client.post(reverse("accounts:login"), {"username": alice.email, "password": password}).status_code == 302
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")


def test_idle_timeout_ends_only_tigre_s_session(client: Client, alice: Any, provider: Any) -> None:
    alice.rpps = RPPS_ALICE
    alice.save(update_fields=["rpps"])
    psc_login(client, "alice")
    before = len(provider.events("end_session"))
    session = client.session
    session[SESSION_LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/compte/profil/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert logged_in_user_id(client) is None
    assert len(provider.events("end_session")) == before


# --- The secretariat's page -----------------------------------------------------------------------------


def make_request(**kwargs: Any) -> PscAccessRequest:
    fields = {
        "rpps": RPPS_UNKNOWN,
        "given_name": "Lucie",
        "family_name": "FABRE",
        "reason": "unknown",
        "email": "l.fabre@ch-epernay.test",
        "workplace": "CH d'Épernay",
    }
    fields.update(kwargs)
    return PscAccessRequest.objects.create(**fields)


def test_access_requests_are_for_the_secretariat_only(client: Client, alice: Any, sam: Any) -> None:
    from tests.helpers import login

    request = make_request()
    login(client, alice)
    assert client.get(reverse("accounts:psc_requests")).status_code == 403
    assert client.get(reverse("accounts:psc_request_detail", args=[request.pk])).status_code == 403
    assert (
        client.post(
            reverse("accounts:psc_request_detail", args=[request.pk]), {"action": "refuse", "note": "x"}
        ).status_code
        == 403
    )
    client.logout()
    assert client.get(reverse("accounts:psc_requests")).status_code == 302  # anonymous: to the login page
    request.refresh_from_db()
    assert request.status == "pending"


def test_access_request_list_in_bounded_queries(client: Client, sam: Any, django_assert_max_num_queries: Any) -> None:
    from tests.helpers import login

    for i in range(12):
        make_request(
            rpps=f"103000000{i:02d}", status="pending" if i % 2 else "refused", decided_by=sam if i % 2 == 0 else None
        )
    login(client, sam)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("accounts:psc_requests"))
    assert response.status_code == 200 and response.content.decode().count("FABRE") == 12


def test_accepting_links_the_rpps_to_the_chosen_account_then_psc_login_works(client: Client, sam: Any) -> None:
    from tests.helpers import login

    lucie = UserFactory(email="lucie@ch-epernay.test", first_name="Lucie", last_name="Fabre", roles=["clinician"])
    request = make_request()
    login(client, sam)
    page = client.get(reverse("accounts:psc_request_detail", args=[request.pk]))
    assert "Comptes au même nom" in page.content.decode() and lucie.email in page.content.decode()
    response = client.post(
        reverse("accounts:psc_request_detail", args=[request.pk]), {"action": "accept", "user": lucie.pk, "note": ""}
    )
    assert response.status_code == 302
    lucie.refresh_from_db()
    request.refresh_from_db()
    assert lucie.rpps == RPPS_UNKNOWN
    assert (request.status, request.linked_user, request.decided_by) == ("accepted", lucie, sam)
    other = Client()
    assert psc_login(other, "inconnu").status_code == 302
    assert logged_in_user_id(other) == str(lucie.pk)
    # Decided already: no second decision.
    again = client.post(reverse("accounts:psc_request_detail", args=[request.pk]), {"action": "refuse", "note": "x"})
    assert again.status_code == 409


def test_accepting_onto_an_account_with_another_name_is_refused(client: Client, sam: Any, alice: Any) -> None:
    from tests.helpers import login

    request = make_request()
    login(client, sam)
    response = client.post(
        reverse("accounts:psc_request_detail", args=[request.pk]), {"action": "accept", "user": alice.pk}
    )
    assert response.status_code == 400
    assert "n&#x27;est pas celui que Pro Santé Connect a transmis" in response.content.decode()
    alice.refresh_from_db()
    request.refresh_from_db()
    assert alice.rpps == "" and request.status == "pending"


def test_accepting_when_another_account_holds_the_rpps_is_refused(client: Client, sam: Any) -> None:
    from tests.helpers import login

    UserFactory(last_name="Fabre", rpps=RPPS_UNKNOWN)
    lucie = UserFactory(last_name="Fabre", first_name="Lucie")
    request = make_request()
    login(client, sam)
    response = client.post(
        reverse("accounts:psc_request_detail", args=[request.pk]), {"action": "accept", "user": lucie.pk}
    )
    assert (
        response.status_code == 400 and "Un autre compte actif porte déjà ce numéro RPPS" in response.content.decode()
    )


def test_no_account_to_link_tells_to_have_one_created(client: Client, sam: Any) -> None:
    from tests.helpers import login

    request = make_request(family_name="PERSONNE")
    login(client, sam)
    page = client.get(reverse("accounts:psc_request_detail", args=[request.pk])).content.decode()
    assert "faites-le créer par un administrateur" in page
    response = client.post(reverse("accounts:psc_request_detail", args=[request.pk]), {"action": "accept", "user": ""})
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.status == "pending"


def test_refusing_records_the_reason(client: Client, sam: Any) -> None:
    from tests.helpers import login

    request = make_request()
    login(client, sam)
    assert (
        client.post(
            reverse("accounts:psc_request_detail", args=[request.pk]), {"action": "refuse", "note": ""}
        ).status_code
        == 400
    )
    response = client.post(
        reverse("accounts:psc_request_detail", args=[request.pk]), {"action": "refuse", "note": "Hors région"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decision_note, request.decided_by) == ("refused", "Hors région", sam)


# --- Demo ----------------------------------------------------------------------------------------------------


def test_the_demo_accounts_match_the_development_provider_s_identities() -> None:
    """`make run` + `make psc-dev-provider`: the demo clinician and coordinator log in with the PSC button."""
    import io

    from django.core.management import call_command

    from tigre.accounts.models import User
    from tigre.accounts.psc_identities import DEMO_IDENTITIES

    call_command("load_demo", stdout=io.StringIO())
    matched = {}
    for identity in DEMO_IDENTITIES:
        kind, number = psc.national_id_parse(identity["userinfo"]["SubjectNameID"])
        accounts = list(User.objects.filter(is_active=True, rpps=number)) if kind == "rpps" else []
        if accounts:
            assert len(accounts) == 1
            assert psc.name_key(accounts[0].last_name) == psc.name_key(identity["userinfo"]["family_name"])
            matched[identity["key"]] = accounts[0].email
    assert matched == {
        "clinicien": "clinicien@demo.tigre",
        "coordinateur": "coordinateur@demo.tigre",
        "referent": "referent@demo.tigre",
    }
