"""Pro Santé Connect in Chromium: the button, a real OpenID Connect provider shaped like PSC (a subprocess on
127.0.0.1, tigre/accounts/psc_devprovider.py), and every refusal a user may meet."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.accounts.psc_provider import RPPS_ALICE, RPPS_CORA, running_provider
from tests.e2e.actors import screenshots
from tests.helpers import totp_device

pytestmark = pytest.mark.django_db(transaction=True)

BUTTON = "Se connecter avec Pro Santé Connect"
REFUSED_TOKEN = "La réponse de Pro Santé Connect n'a pas pu être vérifiée"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory, live_server: Any) -> Iterator[Any]:
    with running_provider(tmp_path_factory.mktemp("psc-e2e"), [live_server.url]) as running:
        yield running


@pytest.fixture(autouse=True)
def psc_on(settings: Any, provider: Any, live_server: Any) -> Any:
    settings.PSC = provider.settings()
    settings.SITE_URL = live_server.url
    return provider


def with_rpps(user: Any, rpps: str) -> Any:
    user.rpps = rpps
    user.save(update_fields=["rpps"])
    return user


def psc_login(page: Any, base_url: str, provider: Any, identity_label: str, path: str = "/compte/connexion/") -> Any:
    """Click the PSC button, pick the identity at the provider, come back to TIGRE."""
    page.goto(base_url + path)
    page.get_by_role("link", name=BUTTON).click()
    page.wait_for_url(provider.base_url + "/auth?**")
    page.get_by_role("button", name=identity_label).click()
    page.wait_for_url(base_url + "/**")
    page.wait_for_load_state()
    return page


def test_known_rpps_logs_in_with_the_psc_button(
    page: Any, live_server: Any, provider: Any, alice: Any, axe_check: Any
) -> None:
    with_rpps(alice, RPPS_ALICE)
    page.goto(live_server.url + "/compte/connexion/")
    button = page.get_by_role("link", name=BUTTON)
    assert button.is_visible()
    axe_check(page, "psc-login")
    screenshots(page, "psc-login")
    psc_login(page, live_server.url, provider, "Alice AUBERT (e-CPS)")
    assert "/compte/" not in page.url
    assert page.get_by_role("button", name="Dr Alice Aubert").is_visible() or "Aubert" in page.content()
    authorize = provider.events("authorize")[-1]
    assert authorize["code_challenge_method"] == "S256" and authorize["has_nonce"] and authorize["has_state"]
    assert authorize["scope"] == "openid scope_all"


def test_staff_with_a_cps_card_reaches_an_otp_protected_page(
    page: Any, browser: Any, browser_context_args: Any, live_server: Any, provider: Any, cora: Any
) -> None:
    with_rpps(cora, RPPS_CORA)
    totp_device(cora)
    psc_login(page, live_server.url, provider, "Cora COLIN (carte CPS)", path="/compte/connexion/?next=/demandes/tri/")
    assert page.url == live_server.url + "/demandes/tri/"
    assert page.locator("h1").first.is_visible()
    # The same person with the e-CPS app (not a card): TIGRE asks for the TOTP code.
    other = browser.new_context(**browser_context_args).new_page()
    psc_login(other, live_server.url, provider, "Cora COLIN (e-CPS)", path="/compte/connexion/?next=/demandes/tri/")
    assert "/compte/double-authentification/" in other.url
    assert other.get_by_label("Code à 6 chiffres").is_visible()


def test_unknown_rpps_is_refused_and_can_ask_the_secretariat(
    page: Any, live_server: Any, provider: Any, axe_check: Any
) -> None:
    psc_login(page, live_server.url, provider, "Lucie FABRE (RPPS inconnu)")
    assert page.get_by_role("heading", name="Connexion par Pro Santé Connect refusée").is_visible()
    assert page.get_by_text("Aucun compte TIGRE n'est associé à votre numéro RPPS").is_visible()
    axe_check(page, "psc-refused")
    screenshots(page, "psc-refused")
    page.get_by_role("link", name="Demander un accès au secrétariat").click()
    page.get_by_label("Adresse e-mail professionnelle").fill("l.fabre@ch-epernay.test")
    page.get_by_label("Établissement et service").fill("CH d'Épernay, oncologie")
    axe_check(page, "psc-access-request")
    screenshots(page, "psc-access-request")
    page.get_by_role("button", name="Envoyer la demande").click()
    assert page.get_by_role("heading", name="Demande transmise au secrétariat").is_visible()


def test_adeli_only_identity_is_refused(page: Any, live_server: Any, provider: Any) -> None:
    psc_login(page, live_server.url, provider, "Jeanne ROCHE (ADELI)")
    assert page.get_by_text("Pro Santé Connect vous a identifié par votre numéro ADELI").is_visible()
    assert page.get_by_role("link", name="Demander un accès au secrétariat").count() == 0


def test_wrong_acr_is_refused(page: Any, live_server: Any, provider: Any, alice: Any) -> None:
    with_rpps(alice, RPPS_ALICE)
    psc_login(page, live_server.url, provider, "Alice AUBERT (acr eidas0)")
    assert page.get_by_text("Le niveau d'authentification de Pro Santé Connect (eidas0) n'est pas accepté").is_visible()


@pytest.mark.parametrize(
    "identity", ["Alice AUBERT (sans nonce)", "Alice AUBERT (nonce rejoué)", "Alice AUBERT (autre clé)"]
)
def test_missing_or_replayed_nonce_and_foreign_key_are_refused(
    page: Any, live_server: Any, provider: Any, alice: Any, identity: str
) -> None:
    with_rpps(alice, RPPS_ALICE)
    if "rejoué" in identity:  # an earlier login leaves a nonce for the provider to replay
        psc_login(page, live_server.url, provider, "Alice AUBERT (e-CPS)")
        page.context.clear_cookies()
    psc_login(page, live_server.url, provider, identity)
    assert page.get_by_text(REFUSED_TOKEN).is_visible()
    page.goto(live_server.url + "/")
    assert "/compte/connexion/" in page.url  # not logged in


def test_replayed_or_stateless_callback_is_refused(page: Any, live_server: Any, provider: Any, alice: Any) -> None:
    with_rpps(alice, RPPS_ALICE)
    callbacks: list[str] = []
    page.on("request", lambda request: callbacks.append(request.url) if "/compte/psc/retour/" in request.url else None)
    psc_login(page, live_server.url, provider, "Alice AUBERT (e-CPS)")
    assert "/compte/" not in page.url and callbacks
    page.context.clear_cookies()
    page.goto(callbacks[0])  # the same code and state again
    assert page.get_by_text(REFUSED_TOKEN).is_visible()
    parts = urlsplit(callbacks[0])
    code = parse_qs(parts.query)["code"][0]
    page.goto(f"{live_server.url}{parts.path}?code={code}")  # no state at all
    assert page.get_by_text(REFUSED_TOKEN).is_visible()


def test_logout_goes_through_the_provider_end_session_endpoint(
    page: Any, live_server: Any, provider: Any, alice: Any
) -> None:
    with_rpps(alice, RPPS_ALICE)
    psc_login(page, live_server.url, provider, "Alice AUBERT (e-CPS)")
    visited: list[str] = []
    page.on("request", lambda request: visited.append(request.url) if request.is_navigation_request() else None)
    page.locator("nav .dropdown-toggle").last.click()
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(live_server.url + "/compte/psc/deconnecte/**")
    assert page.get_by_text("Vous êtes déconnecté de TIGRE et de Pro Santé Connect.").is_visible()
    end_session = provider.base_url + "/auth/realms/esante-wallet/protocol/openid-connect/logout"
    assert any(url.startswith(end_session + "?") and "id_token_hint=" in url for url in visited)
    event = provider.events("end_session")[-1]
    assert event["id_token_hint_valid"] and event["sub"] == "psc-alice"
    page.goto(live_server.url + "/")
    assert "/compte/connexion/" in page.url


def test_the_secretariat_links_an_access_request_to_an_existing_account(
    page: Any,
    browser: Any,
    browser_context_args: Any,
    live_server: Any,
    provider: Any,
    sam: Any,
    password: str,
    axe_check: Any,
) -> None:
    from tests.e2e.actors import open_as
    from tests.factories.accounts import UserFactory

    lucie = UserFactory(email="lucie@ch-epernay.test", first_name="Lucie", last_name="Fabre", roles=["clinician"])
    psc_login(page, live_server.url, provider, "Lucie FABRE (RPPS inconnu)")
    page.get_by_role("link", name="Demander un accès au secrétariat").click()
    page.get_by_label("Adresse e-mail professionnelle").fill("l.fabre@ch-epernay.test")
    page.get_by_label("Établissement et service").fill("CH d'Épernay, oncologie")
    page.get_by_role("button", name="Envoyer la demande").click()

    totp_device(sam)
    secretariat = open_as(browser, browser_context_args, live_server.url, sam, password)
    secretariat.goto(live_server.url + "/compte/psc/demandes/")
    axe_check(secretariat, "psc-requests")
    secretariat.get_by_role("link", name="Lucie FABRE").click()
    assert secretariat.get_by_text("Comptes au même nom").is_visible()
    axe_check(secretariat, "psc-request-detail")
    screenshots(secretariat, "psc-request-detail")
    chosen = secretariat.get_by_label("Compte existant à lier")
    assert chosen.input_value() == str(lucie.pk)  # the one account with PSC's family name comes preselected
    secretariat.get_by_role("button", name="Accepter et lier").click()
    assert secretariat.get_by_text("Demande acceptée").is_visible()

    page.context.clear_cookies()
    psc_login(page, live_server.url, provider, "Lucie FABRE (RPPS inconnu)")
    assert "/compte/" not in page.url  # now linked: logged in as Lucie
