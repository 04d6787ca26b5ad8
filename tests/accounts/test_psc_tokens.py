"""Unit tests of the Pro Santé Connect token checks (tigre/accounts/psc.py), with keys made here."""

from __future__ import annotations

import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from tigre.accounts import psc
from tigre.accounts.psc import PscConfig, PscError

ISSUER = "https://auth.psc.test/auth/realms/esante-wallet"
CLIENT = "tigre"
NONCE = "nonce-0123456789"
NOW = 1_800_000_000
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
NEW_KEY = RSAKey.generate_key(2048, parameters={"kid": "k2"})


def claims(**overrides: Any) -> dict[str, Any]:
    base = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "psc-sub-1",
        "iat": NOW - 5,
        "exp": NOW + 60,
        "nonce": NONCE,
        "acr": "eidas1",
        "authMode": "MOBILE",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload: dict[str, Any], key: Any = KEY, alg: str = "RS256") -> str:
    return jwt.encode({"alg": alg, "kid": "k1"}, payload, key, algorithms=[alg])


def keys_of(*published: RSAKey) -> Any:
    calls: list[bool] = []

    def keys(force: bool) -> KeySet:
        calls.append(force)
        return KeySet(list(published))

    keys.calls = calls  # type: ignore[attr-defined]
    return keys


def validate(raw: str, keys: Any = None, **kwargs: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "keys": keys or keys_of(KEY),
        "issuer": ISSUER,
        "client_id": CLIENT,
        "nonce": NONCE,
        "accepted_acr": ("eidas1", "eidas2"),
        "leeway": 30,
        "now": NOW,
    }
    options.update(kwargs)
    return psc.id_token_validate(raw, **options)


def refused(raw: str, **kwargs: Any) -> str:
    with pytest.raises(PscError) as caught:
        validate(raw, **kwargs)
    return caught.value.code


def test_a_good_token_gives_its_claims() -> None:
    assert validate(sign(claims()))["sub"] == "psc-sub-1"


def test_signature_by_a_key_outside_the_jwks_is_refused_after_one_refetch() -> None:
    keys = keys_of(KEY)
    assert refused(sign(claims(), key=OTHER_KEY), keys=keys) == "id_token_signature"
    assert keys.calls == [False, True]  # the key set was downloaded again once (key rotation), then refused


def test_a_rotated_key_is_found_by_downloading_the_key_set_again() -> None:
    published = [KEY]

    def keys(force: bool) -> KeySet:
        if force:
            published.append(NEW_KEY)
        return KeySet(list(published))

    raw = jwt.encode({"alg": "RS256", "kid": "k2"}, claims(), NEW_KEY, algorithms=["RS256"])
    assert validate(raw, keys=keys)["sub"] == "psc-sub-1"


def test_hs256_and_none_are_refused() -> None:
    secret = OctKey.generate_key(256)
    assert refused(sign(claims(), key=secret, alg="HS256")) == "id_token_algorithm"
    unsigned = jwt.encode({"alg": "none"}, claims(), None, algorithms=["none"])
    assert refused(unsigned) in {"id_token_algorithm", "id_token_malformed"}


def test_garbage_is_refused() -> None:
    assert refused("not.a.jwt") == "id_token_malformed"


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"iss": "https://faux.test"}, "id_token_issuer"),
        ({"iss": None}, "id_token_issuer"),
        ({"aud": "another"}, "id_token_audience"),
        ({"aud": None}, "id_token_audience"),
        ({"aud": [CLIENT, "another"]}, "id_token_audience"),  # several audiences need azp = us
        ({"aud": [CLIENT], "azp": "another"}, "id_token_audience"),
        ({"exp": NOW - 31}, "id_token_expired"),
        ({"exp": None}, "id_token_expired"),
        ({"iat": NOW + 31}, "id_token_not_yet_valid"),
        ({"sub": None}, "id_token_subject"),
        ({"nonce": None}, "id_token_nonce"),
        ({"nonce": "another-nonce"}, "id_token_nonce"),
        ({"acr": "eidas0"}, "acr_refused"),
        ({"acr": None}, "acr_refused"),
    ],
)
def test_each_claim_is_checked(override: dict[str, Any], code: str) -> None:
    assert refused(sign(claims(**override))) == code


def test_several_audiences_with_azp_us_are_accepted() -> None:
    assert validate(sign(claims(aud=[CLIENT, "other"], azp=CLIENT)))["azp"] == CLIENT


def test_clock_leeway_is_small() -> None:
    assert validate(sign(claims(exp=NOW - 29)))  # 29 s late: clock skew, accepted
    assert validate(sign(claims(iat=NOW + 29)))
    assert refused(sign(claims(exp=NOW - 120))) == "id_token_expired"  # Authlib's default leeway would accept it


def test_at_hash_must_match_the_access_token() -> None:
    from authlib.oidc.core.util import create_half_hash

    good = create_half_hash("access-1", "RS256").decode()
    assert validate(sign(claims(at_hash=good)), access_token="access-1")
    assert refused(sign(claims(at_hash=good)), access_token="access-2") == "id_token_at_hash"


def test_acr_refusal_names_the_level_in_french() -> None:
    with pytest.raises(PscError) as caught:
        validate(sign(claims(acr="eidas0")))
    assert caught.value.status == 403
    assert "eidas0" in str(caught.value.message)
    assert "n'est pas accepté" in str(caught.value.message)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("810100000017", ("rpps", "10100000017")),
        ("0541234567", ("adeli", "541234567")),
        ("10100000017", ("", "")),  # no prefix
        ("8101000000170", ("", "")),
        ("81010000001A", ("", "")),
        ("", ("", "")),
        (None, ("", "")),
    ],
)
def test_subject_name_id_is_read_as_rpps_or_adeli(value: Any, expected: tuple[str, str]) -> None:
    assert psc.national_id_parse(value) == expected


def test_family_names_compare_without_case_accents_or_hyphens() -> None:
    assert psc.name_key("Lefèvre-Dupont") == psc.name_key("LEFEVRE DUPONT")
    assert psc.name_key("d'Hérouville") == psc.name_key("DHEROUVILLE")
    assert psc.name_key("Martin") != psc.name_key("Martinot")


def config(**kwargs: Any) -> PscConfig:
    base: dict[str, Any] = {
        "discovery_url": "https://x.test/.well-known/wallet-openid-configuration",
        "client_id": CLIENT,
        "client_secret": "s",
        "scope": "openid scope_all",
        "accepted_acr": ("eidas1",),
        "card_level_acr": (),
        "card_level_auth_modes": ("CARD",),
        "leeway": 30,
        "timeout": 5,
        "redirect_uri": "https://t.test/compte/psc/retour/",
        "post_logout_redirect_uri": "https://t.test/compte/psc/deconnecte/",
    }
    base.update(kwargs)
    return PscConfig(**base)


def test_card_level_is_the_configured_auth_mode_or_acr() -> None:
    card = psc.identity_from_claims({"sub": "s", "SubjectNameID": "810100000017", "acr": "eidas1", "authMode": "CARD"})
    app = psc.identity_from_claims({"sub": "s", "SubjectNameID": "810100000017", "acr": "eidas1", "authMode": "MOBILE"})
    assert psc.is_card_level(card, config())
    assert not psc.is_card_level(app, config())
    assert psc.is_card_level(app, config(card_level_acr=("eidas1",)))
    assert not psc.is_card_level(card, config(card_level_auth_modes=()))


def test_identity_reads_psc_claims() -> None:
    identity = psc.identity_from_claims(
        {
            "sub": "psc-1",
            "SubjectNameID": "810100000017",
            "given_name": "Claire",
            "family_name": "MARTINOT",
            "acr": "eidas1",
            "authMode": "CARD",
            "SubjectRefPro": {"exercices": [{"codeProfession": "10"}]},
            "email": "not-used@example.test",
        }
    )
    assert (identity.kind, identity.number, identity.family_name, identity.profession) == (
        "rpps",
        "10100000017",
        "MARTINOT",
        "10",
    )


def test_psc_is_off_without_a_client_id(settings) -> None:
    settings.PSC = {**settings.PSC, "CLIENT_ID": ""}
    assert psc.psc_config() is None


def test_production_and_sandbox_discovery_urls_are_psc_s_own_path(settings) -> None:
    for url in settings.PSC_DISCOVERY_URLS.values():
        assert url.startswith("https://")
        assert url.endswith("/.well-known/wallet-openid-configuration")


def test_time_is_real_by_default() -> None:
    raw = sign(claims(iat=int(time.time()) - 5, exp=int(time.time()) + 60))
    assert validate(raw, now=None)["sub"] == "psc-sub-1"
