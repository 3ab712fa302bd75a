"""A name has a letter and nothing invisible; the published demo password and passwords built
from the program's own words are refused for real accounts (demo accounts keep theirs).
Each case from the hostile run: on the page, with the exact Swedish text, nothing saved."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from domain.errors import RuleViolation
from domain.names import check_name
from domain.passwords import DEMO_PASSWORD, check_password_strength
from locales import render
from storage.models import Referral, User

NO_LETTER = "Ett namn måste innehålla minst en bokstav."
INVISIBLE = "Ett namn får inte innehålla osynliga tecken eller styrtecken."
PUBLISHED = (
    "Lösenordet är publicerat i instruktionerna för det här programmet och kan inte användas "
    "för ett riktigt konto. Välj ett annat."
)
PROGRAM_WORDS = (
    "Lösenordet är byggt av ord från det här programmet, och de är lätta att gissa. Använd "
    "flera ord som inte hör ihop."
)

# (name as typed, the refusal): the eleven the hostile run tried, and their kind.
NOT_NAMES = [
    ("-1", NO_LETTER),
    ("\u200b" * 10, INVISIBLE),  # ten zero-width spaces
    ("\ufeff", INVISIBLE),  # a lone byte-order mark
    ("😀😀", NO_LETTER),
    ("🙂 👍", NO_LETTER),
    ("123 456", NO_LETTER),
    ("...", NO_LETTER),
    ("Anna\u200bAndersson", INVISIBLE),  # a zero-width space inside a real name
    ("Anna\u202eAndersson", INVISIBLE),  # a right-to-left override
    ("Anna\x07Andersson", INVISIBLE),  # a control character
    ("Anna\u2028Andersson", INVISIBLE),  # a line separator
]
NAMES = ["Anna Andersson", "Åsa Öberg-Ek", "O'Brien", "李小龍", "Zoë", "Anna-Karin 2:a"]


@pytest.mark.parametrize(("name", "message"), NOT_NAMES)
def test_a_name_without_a_letter_or_with_invisible_characters_is_refused(name, message):
    with pytest.raises(RuleViolation) as refused:
        check_name(name)
    assert (refused.value.field, render(refused.value.text)) == ("name", message)


@pytest.mark.parametrize("name", NAMES)
def test_real_names_in_any_script_are_names(name):
    check_name(name)  # raises on a refusal


@pytest.fixture
def referral_form(sqlite_world):
    osby = str(sqlite_world.municipality("Osby"))
    return {
        "name": "Anna Andersson",
        "personal_identity_number": "810923-9809",
        "benefit_type": "sickness_benefit",
        "consent_given": "y",
        "consent_on": "2026-11-20",
        "municipality": osby,
    }


@pytest.mark.parametrize(("name", "message"), NOT_NAMES)
def test_the_new_referral_refuses_a_participant_name_that_is_no_name(
    visit, people, sqlite_world, referral_form, name, message
):
    page = visit(people["investigator"]).post("/anmalan/ny", {**referral_form, "name": name})
    assert page.status == 400
    assert page.summary == [("#name", message)]
    assert sqlite_world.read(lambda s: s.scalar(select(func.count()).select_from(Referral))) == 0


@pytest.mark.parametrize(("name", "message"), NOT_NAMES[:4])
def test_an_account_name_that_is_no_name_is_refused(visit, people, sqlite_world, name, message):
    admin = visit(people["admin"])
    before = sqlite_world.read(lambda s: s.scalar(select(func.count()).select_from(User)))
    page = admin.post(
        "/anvandare/ny", {"email": "ny@fk.example", "name": name, "role": "investigator"}
    )
    assert page.status == 400
    assert page.summary == [("#name", message)]
    target = people["investigator"].user_id
    changed = admin.post(f"/anvandare/{target}/andra", {"name": name, "role": "investigator"})
    assert changed.status == 400
    assert changed.summary == [("#name", message)]
    assert sqlite_world.read(lambda s: s.scalar(select(func.count()).select_from(User))) == before
    assert sqlite_world.read(lambda s: s.get(User, target).name) == "Test Person"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (DEMO_PASSWORD, PUBLISHED),
        ("Demo-Losen-2026", PUBLISHED),
        ("demo losen 2026 !!", PUBLISHED),
        ("Möjlighetsmodellen-Kristianstad-2026", PROGRAM_WORDS),
        ("skane-nordost-finsam-2027", PROGRAM_WORDS),
        ("samordnare-utredare-anmalan", PROGRAM_WORDS),
    ],
)
def test_the_demo_password_and_the_programs_words_are_refused_for_a_real_account(password, message):
    with pytest.raises(RuleViolation) as refused:
        check_password_strength(password, personal=("Nina Ny", "ny@osby.example"))
    assert (refused.value.field, render(refused.value.text)) == ("password", message)


def test_a_demo_account_may_keep_the_published_password_and_good_passwords_pass():
    check_password_strength(DEMO_PASSWORD, demo=True)
    check_password_strength("kanot-mössa-blåbär-regn")
    check_password_strength("Osby-cykel-lampa-regn-7")  # a program word among others


def test_my_settings_refuse_the_demo_password(visit, sqlite_world):
    from domain.choices import Role

    actor = sqlite_world.user(Role.COORDINATOR, password="ett-langt-losenord-2026")
    page = visit(actor).post(
        "/mina-installningar/losenord",
        {
            "current_password": "ett-langt-losenord-2026",
            "password": DEMO_PASSWORD,
            "repeat": DEMO_PASSWORD,
        },
    )
    assert page.status == 400
    assert page.summary == [("#password", PUBLISHED)]
