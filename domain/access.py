"""Who may see and do what. Every adapter asks here, for every object.

Personal data is seen only by the investigator who made the referral, the coordinator, and
contacts of the municipality that has the open request or the placement. The association and
the administrator never see personal data.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.choices import Role
from domain.errors import NotAllowed, NotFound
from domain.text import N_


@dataclass(frozen=True)
class Actor:
    user_id: int
    role: Role
    municipality_id: int | None = None

    @property
    def is_contact(self) -> bool:
        return self.role is Role.MUNICIPALITY_CONTACT


@dataclass(frozen=True)
class ReferralFacts:
    """What access decisions need to know about one referral."""

    investigator_id: int
    open_request_municipality_id: int | None
    placement_municipality_id: int | None
    asked_municipality_ids: frozenset[int]
    # The participant withdrew consent: nothing more is shared with the municipality.
    consent_withdrawn: bool = False


def _contact_of(actor: Actor, municipality_id: int | None) -> bool:
    return (
        actor.is_contact
        and municipality_id is not None
        and (actor.municipality_id == municipality_id)
    )


def can_see_personal_data(actor: Actor, facts: ReferralFacts) -> bool:
    if actor.role is Role.COORDINATOR:
        return True
    if actor.role is Role.INVESTIGATOR:
        return actor.user_id == facts.investigator_id
    if facts.consent_withdrawn:
        return False  # the municipality's contacts see the code and the statuses only
    return _contact_of(actor, facts.open_request_municipality_id) or _contact_of(
        actor, facts.placement_municipality_id
    )


def can_see_referral(actor: Actor, facts: ReferralFacts) -> bool:
    """Code, status and history; a municipality that was asked keeps seeing its answer."""
    if can_see_personal_data(actor, facts):
        return True
    if facts.consent_withdrawn and (
        _contact_of(actor, facts.placement_municipality_id)
        or _contact_of(actor, facts.open_request_municipality_id)
    ):
        return True
    return actor.is_contact and actor.municipality_id in facts.asked_municipality_ids


def check_sees_referral(actor: Actor, facts: ReferralFacts) -> None:
    if not can_see_referral(actor, facts):
        raise NotFound(N_("There is no referral with that reference code."))


def check_follows_referral(actor: Actor, facts: ReferralFacts) -> None:
    """Withdraw, ask another municipality, record the alternative plan: FK's side."""
    check_sees_referral(actor, facts)
    if actor.role is Role.COORDINATOR:
        return
    if actor.role is Role.INVESTIGATOR and actor.user_id == facts.investigator_id:
        return
    raise NotAllowed(N_("Only Försäkringskassan can do this with a referral."))


def check_answers_for(actor: Actor, municipality_id: int | None) -> None:
    """Answer a request: the contacts of the municipality that was asked."""
    if not _contact_of(actor, municipality_id):
        raise NotAllowed(N_("Only the contacts of the municipality that was asked can do this."))


def check_runs_placement(actor: Actor, municipality_id: int | None) -> None:
    """Record what happens at a placement, extend or end it: its municipality's contacts."""
    if not _contact_of(actor, municipality_id):
        raise NotAllowed(
            N_("Only the contacts of the municipality that runs the placement can do this.")
        )


def check_manages_municipality(actor: Actor, municipality_id: int) -> None:
    """Capacity and offer: the municipality's own contacts, or an administrator."""
    if actor.role is Role.ADMIN:
        return
    if not _contact_of(actor, municipality_id):
        raise NotAllowed(
            N_("Only the municipality's own contacts and an administrator can change this.")
        )


def can_manage_municipalities(actor: Actor) -> bool:
    """Whether capacity and offer are the actor's to set at all (their own municipality's,
    or any for an administrator): check_manages_municipality decides for one."""
    return actor.is_contact or actor.role is Role.ADMIN


def can_file_referrals(actor: Actor) -> bool:
    return actor.role is Role.INVESTIGATOR


def check_files_referrals(actor: Actor) -> None:
    if not can_file_referrals(actor):
        raise NotAllowed(N_("Only an investigator at Försäkringskassan can file a referral."))


def can_coordinate(actor: Actor) -> bool:
    """Every referral and every municipality's work at once, the year's other costs: the
    coordinator."""
    return actor.role is Role.COORDINATOR


def check_coordinates(actor: Actor) -> None:
    if not can_coordinate(actor):
        raise NotAllowed(N_("Only Försäkringskassan can do this with a referral."))


def check_lists_referrals(actor: Actor) -> None:
    """The list of referrals: the investigator (their own) and the coordinator (all)."""
    if actor.role not in {Role.INVESTIGATOR, Role.COORDINATOR}:
        raise NotAllowed(N_("Only Försäkringskassan can do this with a referral."))


def works_with_referrals(actor: Actor) -> bool:
    """The roles that have referrals of their own to follow, and so may see personal data
    at all: the investigator, the coordinator and the municipalities' contacts."""
    return actor.role in {Role.INVESTIGATOR, Role.COORDINATOR, Role.MUNICIPALITY_CONTACT}


def check_searches_people(actor: Actor) -> None:
    """A search by personnummer or name."""
    if not works_with_referrals(actor):
        raise NotAllowed(N_("Only those who may see personal data search for a person."))


def check_pays_requisitions(actor: Actor) -> None:
    """The association's work: paying attested requisition bases."""
    if actor.role is not Role.ASSOCIATION:
        raise NotAllowed(N_("Only the association can record that a requisition basis is paid."))


def can_see_budget(actor: Actor) -> bool:
    return actor.role in {Role.COORDINATOR, Role.ASSOCIATION, Role.ADMIN}


def check_sees_budget(actor: Actor) -> None:
    if not can_see_budget(actor):
        raise NotAllowed(
            N_("Only the coordinator, the association and the administrator can see the budget.")
        )


def can_enter_finsam_figures(actor: Actor) -> bool:
    """The association's own figures for Uppföljning Finsam: the association or the
    coordinator."""
    return actor.role in {Role.COORDINATOR, Role.ASSOCIATION}


def can_see_places(actor: Actor) -> bool:
    """Capacity and free places of every municipality (the API): the coordinator and the
    municipalities' contacts."""
    return actor.role in {Role.COORDINATOR, Role.MUNICIPALITY_CONTACT}


def can_see_indicators(actor: Actor) -> bool:
    """Those who see the budget see every municipality's indicators; a contact their own."""
    return can_see_budget(actor) or actor.is_contact


def indicators_scope(actor: Actor | None, municipality_id: int | None) -> int | None:
    """The municipality whose indicators the actor is shown (None: all) when they ask for
    `municipality_id`: everyone who follows up sees all; a contact only their own."""
    if actor is None or can_see_budget(actor):
        return municipality_id
    if actor.is_contact and municipality_id in (None, actor.municipality_id):
        return actor.municipality_id
    raise NotAllowed(N_("You can follow up only your own municipality's indicators."))


def check_sets_rates(actor: Actor) -> None:
    if actor.role not in {Role.COORDINATOR, Role.ADMIN}:
        raise NotAllowed(N_("Only the coordinator can set a year's daily rate."))


def check_manages_accounts(actor: Actor | None) -> None:
    """Accounts and municipalities: the administrator (None: the operator on the server's
    command line, who already has the database)."""
    if actor is not None and not can_administer(actor):
        raise NotAllowed(N_("Only an administrator can manage accounts and municipalities."))


def can_administer(actor: Actor) -> bool:
    """Accounts, municipalities' chat places, failed deliveries: the administrator."""
    return actor.role is Role.ADMIN


def can_manage_deliveries(actor: Actor) -> bool:
    """Failed deliveries (chat, e-mail): the administrator sees them and sends them again.
    They carry codes, channels and reasons only, never personal data."""
    return can_administer(actor)


def check_manages_deliveries(actor: Actor) -> None:
    if not can_manage_deliveries(actor):
        raise NotAllowed(N_("Only an administrator can see and retry failed deliveries."))


def check_reviews_log(actor: Actor) -> None:
    """The audit log is reviewed by the log reviewer only: not the administrator, so that no
    one reviews their own access."""
    if actor.role is not Role.LOG_REVIEWER:
        raise NotAllowed(N_("Only the log reviewer can read the audit log."))


def check_makes_register_extracts(actor: Actor) -> None:
    if actor.role not in {Role.COORDINATOR, Role.LOG_REVIEWER}:
        raise NotAllowed(
            N_("Only the coordinator and the log reviewer can make register extracts.")
        )
