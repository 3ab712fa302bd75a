"""The fixed lists users choose from, with their labels (msgids, translated by adapters)."""

from __future__ import annotations

from enum import StrEnum

from domain.text import N_


class Role(StrEnum):
    INVESTIGATOR = "investigator"
    MUNICIPALITY_CONTACT = "municipality_contact"
    COORDINATOR = "coordinator"
    ASSOCIATION = "association"
    ADMIN = "admin"
    # Reviews the audit log (loggkontroll); separate from the administrator so that nobody
    # reviews their own access.
    LOG_REVIEWER = "log_reviewer"


class BenefitType(StrEnum):
    SICKNESS_BENEFIT = "sickness_benefit"
    ACTIVITY_COMPENSATION = "activity_compensation"
    COORDINATED_REHABILITATION = "coordinated_rehabilitation"


class Gender(StrEnum):
    """Legal gender as the personnummer shows it (its second-to-last digit); only for the
    Finsam follow-up's counts."""

    FEMALE = "female"
    MALE = "male"


class DeclineReason(StrEnum):
    NO_CAPACITY = "no_capacity"
    OFFER_MISMATCH = "offer_mismatch"
    LOCATION = "location"
    NOT_TARGET_GROUP = "not_target_group"
    MISSING_INFORMATION = "missing_information"
    OTHER = "other"


class Outcome(StrEnum):
    WORK = "work"
    STUDIES = "studies"
    REHABILITATION_COLLABORATION = "rehabilitation_collaboration"
    OTHER_MEASURE = "other_measure"
    ALTERNATIVE_PLAN = "alternative_plan"
    DROPOUT = "dropout"


class IntakeState(StrEnum):
    """A municipality's intake besides its number of places: open, a waiting list (it may be
    asked, but a start may wait), or closed (it is not asked)."""

    OPEN = "open"
    WAITING_LIST = "waiting_list"
    CLOSED = "closed"


# The program's goal: at least 40 % of ended participants go to one of these.
GOAL_OUTCOMES = frozenset({Outcome.WORK, Outcome.STUDIES, Outcome.REHABILITATION_COLLABORATION})
# Ends that call for FK's alternative plan: neither a goal nor an alternative plan already.
NEEDS_ALTERNATIVE_PLAN = frozenset(set(Outcome) - GOAL_OUTCOMES - {Outcome.ALTERNATIVE_PLAN})

LABELS: dict[StrEnum, str] = {
    Role.INVESTIGATOR: N_("Investigator, Försäkringskassan"),
    Role.MUNICIPALITY_CONTACT: N_("Municipality contact"),
    Role.COORDINATOR: N_("Coordinator, Försäkringskassan"),
    Role.ASSOCIATION: N_("Coordination association"),
    Role.ADMIN: N_("Administrator"),
    Role.LOG_REVIEWER: N_("Log reviewer"),
    BenefitType.SICKNESS_BENEFIT: N_("Sickness benefit"),
    BenefitType.ACTIVITY_COMPENSATION: N_("Activity compensation"),
    BenefitType.COORDINATED_REHABILITATION: N_("Coordinated rehabilitation"),
    Gender.FEMALE: N_("Women"),
    Gender.MALE: N_("Men"),
    DeclineReason.NO_CAPACITY: N_("No capacity"),
    DeclineReason.OFFER_MISMATCH: N_("Our offer does not match the participant's needs"),
    DeclineReason.LOCATION: N_("Location"),
    DeclineReason.NOT_TARGET_GROUP: N_("Not in the target group"),
    DeclineReason.MISSING_INFORMATION: N_("Missing information"),
    DeclineReason.OTHER: N_("Other reason"),
    Outcome.WORK: N_("Work"),
    Outcome.STUDIES: N_("Studies"),
    Outcome.REHABILITATION_COLLABORATION: N_("Rehabilitation collaboration"),
    Outcome.OTHER_MEASURE: N_("Other measure"),
    Outcome.ALTERNATIVE_PLAN: N_("Alternative plan from Försäkringskassan"),
    Outcome.DROPOUT: N_("Dropped out or other reason"),
    IntakeState.OPEN: N_("Open for intake"),
    IntakeState.WAITING_LIST: N_("Waiting list"),
    IntakeState.CLOSED: N_("Closed to intake"),
}


def label(choice: StrEnum) -> str:
    """The msgid that names a choice; adapters translate it."""
    return LABELS[choice]
