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


def check_files_referrals(actor: Actor) -> None:
    if actor.role is not Role.INVESTIGATOR:
        raise NotAllowed(N_("Only an investigator at Försäkringskassan can file a referral."))


def check_coordinates(actor: Actor) -> None:
    """Every referral and every municipality's work at once: the coordinator."""
    if actor.role is not Role.COORDINATOR:
        raise NotAllowed(N_("Only Försäkringskassan can do this with a referral."))


def check_lists_referrals(actor: Actor) -> None:
    """The list of referrals: the investigator (their own) and the coordinator (all)."""
    if actor.role not in {Role.INVESTIGATOR, Role.COORDINATOR}:
        raise NotAllowed(N_("Only Försäkringskassan can do this with a referral."))


def check_searches_people(actor: Actor) -> None:
    """A search by personnummer or name: the roles that may see personal data at all."""
    if actor.role not in {Role.INVESTIGATOR, Role.COORDINATOR, Role.MUNICIPALITY_CONTACT}:
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


def check_sets_rates(actor: Actor) -> None:
    if actor.role not in {Role.COORDINATOR, Role.ADMIN}:
        raise NotAllowed(N_("Only the coordinator can set a year's daily rate."))


def check_manages_accounts(actor: Actor | None) -> None:
    """Accounts and municipalities: the administrator (None: the operator on the server's
    command line, who already has the database)."""
    if actor is not None and actor.role is not Role.ADMIN:
        raise NotAllowed(N_("Only an administrator can manage accounts and municipalities."))


def can_manage_deliveries(actor: Actor) -> bool:
    """Failed deliveries (chat, e-mail): the administrator sees them and sends them again.
    They carry codes, channels and reasons only, never personal data."""
    return actor.role is Role.ADMIN


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
