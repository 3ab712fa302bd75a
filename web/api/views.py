"""The API's operations: thin, as the web site's views are. Each checks the token's role
for the operation (403), then calls the use case, which checks the object (404) and the
rule (409) as it does for a person."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote

from flask import abort, current_app, g, request
from spectree import Response
from sqlalchemy.orm import Session

from domain.access import Actor
from domain.choices import Role
from domain.clock import local_date
from domain.errors import RuleViolation
from domain.text import N_
from services import api_reads
from services.referrals import accept_request, decline_request, get_referral, open_request_of
from storage.db import unit_of_work
from web.api.document import blueprint, spec
from web.api.models import (
    Accept,
    Answered,
    Budget,
    BudgetQuery,
    Decline,
    PageQuery,
    PlacesList,
    Problem,
    ReasonHeaders,
    ReferralList,
    ReferralOut,
    RequisitionList,
    RequisitionQuery,
)
from web.api.problems import problem

ERRORS = {f"HTTP_{code}": Problem for code in (401, 403, 422, 429)}
ANSWER_ERRORS = {**ERRORS, "HTTP_404": Problem, "HTTP_409": Problem}


def _actor(*roles: Role) -> Actor:
    actor: Actor = g.api_caller.actor
    if actor.role not in roles:
        abort(problem(403))
    return actor


@contextmanager
def _transaction(*, read_only: bool = False) -> Iterator[Session]:
    with unit_of_work(current_app.extensions["mm.sessions"], read_only=read_only) as session:
        yield session


def _now() -> Any:
    return current_app.config["CLOCK"].now()


@blueprint.get("/referrals")
@spec.validate(query=PageQuery, resp=Response(HTTP_200=ReferralList, **ERRORS), tags=["referrals"])
def referrals(query: PageQuery) -> Any:
    """Referrals the token may see, newest first, 50 a page.

    The coordinator's token sees every referral; a municipality's token those its
    municipality was asked about. Codes, statuses, municipalities and dates only."""
    actor = _actor(Role.COORDINATOR, Role.MUNICIPALITY_CONTACT)
    with _transaction(read_only=True) as session:
        lines, total = api_reads.referral_lines(session, actor=actor, page=query.page)
    return ReferralList.model_validate(
        {
            "referrals": [
                {
                    "reference_code": line.reference_code,
                    "status": line.status,
                    "municipality": line.municipality,
                    "municipality_code": line.municipality_code,
                    "filed_at": line.filed_at.isoformat(),
                }
                for line in lines
            ],
            "total": total,
            "page": query.page,
            "size": api_reads.PAGE_SIZE,
        }
    )


@blueprint.get("/referrals/<code>")
@spec.validate(
    headers=ReasonHeaders,
    resp=Response(HTTP_200=ReferralOut, HTTP_404=Problem, HTTP_409=Problem, **ERRORS),
    tags=["referrals"],
)
def referral(code: str, headers: ReasonHeaders) -> Any:
    """One referral: status, requests, placement and milestones, history.

    `participant` is filled only for a token whose role may see the participant (the
    coordinator; the contacts of the municipality asked or running the placement), and
    each such reading is written to the audit log as a page view is. With MM_ASK_REASON=1
    a coordinator's token that has not worked with the referral gives its reason first, in
    the header `Mm-Reason` (percent-encoded UTF-8; else `participant` is null), as on the
    web site."""
    actor = _actor(Role.COORDINATOR, Role.MUNICIPALITY_CONTACT)
    with _transaction() as session:
        shown = api_reads.referral(
            session,
            actor=actor,
            reference_code=code,
            now=_now(),
            address=request.remote_addr or "",
            reason=unquote(headers.reason) if headers.reason else None,
            asking_reasons=current_app.config["MM_ASK_REASON"],
        )
    return ReferralOut.model_validate(shown)


def _answered(session: Session, actor: Actor, code: str) -> int:
    found = get_referral(session, actor=actor, reference_code=code)
    request_ = open_request_of(found)
    if request_ is None:
        raise RuleViolation(N_("This request has already been answered or withdrawn."))
    return request_.id


@blueprint.post("/referrals/<code>/accept")
@spec.validate(json=Accept, resp=Response(HTTP_200=Answered, **ANSWER_ERRORS), tags=["requests"])
def accept(code: str, json: Accept) -> Any:
    """Accept the open request and book the tripartite meeting (a municipality's token).

    The same use case and rules as the web site and chat: without a free place it is
    refused until `over_capacity_confirmed` is true."""
    actor = _actor(Role.MUNICIPALITY_CONTACT)
    with _transaction() as session:
        request_id = _answered(session, actor, code)
        placement = accept_request(
            session,
            actor=actor,
            request_id=request_id,
            meeting_on=json.meeting_on,
            now=_now(),
            over_capacity_confirmed=json.over_capacity_confirmed,
        )
        answered = Answered(
            reference_code=placement.referral.reference_code,
            status=placement.referral.status.value,
        )
    return answered


@blueprint.post("/referrals/<code>/decline")
@spec.validate(json=Decline, resp=Response(HTTP_200=Answered, **ANSWER_ERRORS), tags=["requests"])
def decline(code: str, json: Decline) -> Any:
    """Decline the open request with a reason from the fixed list (a municipality's token)."""
    actor = _actor(Role.MUNICIPALITY_CONTACT)
    with _transaction() as session:
        request_id = _answered(session, actor, code)
        decline_request(
            session,
            actor=actor,
            request_id=request_id,
            reason=json.reason,
            comment=json.comment,
            now=_now(),
        )
        found = get_referral(session, actor=actor, reference_code=code)
        answered = Answered(reference_code=found.reference_code, status=found.status.value)
    return answered


@blueprint.get("/places")
@spec.validate(resp=Response(HTTP_200=PlacesList, **ERRORS), tags=["places"])
def places() -> Any:
    """Capacity and free places per municipality.

    `next_free_on` is an estimate of when the next place frees up (today when one is free),
    null where none is expected to be taken (closed to intake, intake stop)."""
    actor = _actor(Role.COORDINATOR, Role.MUNICIPALITY_CONTACT)
    with _transaction(read_only=True) as session:
        found = api_reads.places(session, actor=actor, today=local_date(_now()))
    return PlacesList.model_validate({"municipalities": found})


@blueprint.get("/budget")
@spec.validate(
    query=BudgetQuery, resp=Response(HTTP_200=Budget, HTTP_409=Problem, **ERRORS), tags=["budget"]
)
def budget(query: BudgetQuery) -> Any:
    """A program year's budget: amount, daily rate, committed, accrued, remaining (kronor)."""
    actor = _actor(Role.COORDINATOR, Role.ASSOCIATION)
    with _transaction(read_only=True) as session:
        found = api_reads.budget(session, actor=actor, year=query.year, today=local_date(_now()))
    return Budget.model_validate(found)


@blueprint.get("/requisitions")
@spec.validate(
    query=RequisitionQuery,
    resp=Response(HTTP_200=RequisitionList, HTTP_409=Problem, **ERRORS),
    tags=["requisitions"],
)
def requisitions(query: RequisitionQuery) -> Any:
    """Requisition bases of one period (`2026-03`; the latest ended one by default): state
    and total in kronor per municipality (a municipality's token: its own)."""
    actor = _actor(Role.COORDINATOR, Role.ASSOCIATION, Role.MUNICIPALITY_CONTACT)
    with _transaction(read_only=True) as session:
        found = api_reads.requisitions(
            session, actor=actor, period=query.period, today=local_date(_now())
        )
    return RequisitionList.model_validate({"requisitions": found})
