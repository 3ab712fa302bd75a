"""The rules of a login through the identity provider (domain.authentication): which roles
need more than the provider's word, when an `acr` is enough, and how UserInfo's claims join
the ID token's."""

from __future__ import annotations

import pytest

from domain.authentication import (
    ProviderLogin,
    login_identity,
    merged_claims,
    provider_login_strength,
)
from domain.choices import Role

STRONG = "http://id.elegnamnden.se/loa/1.0/loa3"
WEAK = "http://id.elegnamnden.se/loa/1.0/loa2"
PERSONAL_DATA = [Role.INVESTIGATOR, Role.MUNICIPALITY_CONTACT, Role.COORDINATOR, Role.LOG_REVIEWER]


def strength(role: Role, acr: str | None, *, accepted=frozenset({STRONG}), for_all=True, site=True):
    return provider_login_strength(
        role, acr, accepted=accepted, required_for_all=for_all, site_second_factor=site
    )


@pytest.mark.parametrize("role", PERSONAL_DATA)
def test_by_default_a_personal_data_role_without_a_strong_acr_gives_the_sites_code(role):
    assert strength(role, None, accepted=frozenset()) is ProviderLogin.SECOND_FACTOR
    assert strength(role, WEAK) is ProviderLogin.SECOND_FACTOR
    assert strength(role, None) is ProviderLogin.SECOND_FACTOR
    assert strength(role, STRONG) is ProviderLogin.ENOUGH


@pytest.mark.parametrize("role", PERSONAL_DATA)
def test_with_the_provider_as_the_only_second_factor_a_weak_login_is_too_weak(role):
    assert strength(role, WEAK, site=False) is ProviderLogin.TOO_WEAK
    assert strength(role, None, site=False) is ProviderLogin.TOO_WEAK
    assert strength(role, None, accepted=frozenset(), site=False) is ProviderLogin.TOO_WEAK
    assert strength(role, STRONG, site=False) is ProviderLogin.ENOUGH


@pytest.mark.parametrize("role", [Role.ASSOCIATION, Role.ADMIN])
def test_the_association_and_the_administrator_follow_the_setting_for_all(role):
    assert strength(role, None) is ProviderLogin.SECOND_FACTOR
    assert strength(role, None, for_all=False) is ProviderLogin.ENOUGH
    assert strength(role, None, for_all=False, site=False) is ProviderLogin.ENOUGH
    # Personal data is never behind the provider's word alone, whatever the setting for all.
    assert strength(Role.COORDINATOR, None, for_all=False) is ProviderLogin.SECOND_FACTOR


def test_userinfo_completes_the_id_token_about_the_same_subject():
    id_token = {"sub": "abc", "iss": "https://idp.example", "nonce": "n"}
    userinfo = {"sub": "abc", "email": "a@b.example", "iss": "forged"}
    assert merged_claims(id_token, userinfo) == {
        "sub": "abc",
        "iss": "https://idp.example",
        "nonce": "n",
        "email": "a@b.example",
    }


@pytest.mark.parametrize(
    "userinfo", [{"sub": "someone-else", "email": "a@b.example"}, {"email": "a@b.example"}, {}]
)
def test_userinfo_about_another_subject_or_none_is_not_used(userinfo):
    assert merged_claims({"sub": "abc"}, userinfo) is None


def test_an_id_token_without_a_subject_takes_nothing_from_userinfo():
    assert merged_claims({}, {"email": "a@b.example"}) is None
    assert merged_claims({"sub": ""}, {"sub": "", "email": "a@b.example"}) is None


@pytest.mark.parametrize(
    "written", ["19810923-9809", "198109239809", " 19810923-9809 ", "810923-9809", "8109239809"]
)
def test_a_personnummer_as_identity_is_kept_as_the_twelve_digits_of_the_swedish_claim(written):
    assert login_identity(written) == "198109239809"


@pytest.mark.parametrize(
    "other",
    ["SE2321000016-7K3P", "a@b.example", "19810923-9808", "1981-09-23", "123"],
)
def test_other_identities_and_invalid_numbers_are_kept_as_written(other):
    assert login_identity(f" {other} ") == other
