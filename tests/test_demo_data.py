"""The demo data reads as real data would: each name matches the gender its personnummer codes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from cli.demo_data import FIRST_NAMES, first_name_for, load_demo_data
from storage.models import Participant
from tests.support.clock import moment

WOMEN = set(FIRST_NAMES[0::2])
MEN = set(FIRST_NAMES[1::2])


def test_every_demo_participant_has_a_name_of_the_gender_the_personnummer_codes(sqlite_world):
    sqlite_world.do(load_demo_data, now=moment(date(2026, 11, 23), hour=6))
    people = sqlite_world.read(
        lambda s: [(p.name, p.personal_identity_number) for p in s.scalars(select(Participant))]
    )
    assert len(people) > 30
    for name, number in people:
        first = name.split()[0]
        male = int(number[-2]) % 2 == 1  # the ninth digit of the ten
        assert first in (MEN if male else WOMEN), (name, number)


def test_a_name_is_swapped_for_its_pair_only_when_the_gender_differs():
    assert first_name_for("Johan", "19800101-9822") == "Maria"
    assert first_name_for("Johan", "19800101-9812") == "Johan"
    assert first_name_for("Anna", "19800101-9812") == "Erik"
    assert first_name_for("Anna", "19800101-9822") == "Anna"
