"""The shapes the open API reads and writes (pydantic): spectree makes the OpenAPI 3.1
document's schemas from these, and checks every request against them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from domain.choices import DeclineReason

CODE = r"^[A-Za-z]{1,8}-\d{4}-\d{1,6}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InvalidParam(BaseModel):
    name: str
    reason: str


class Problem(BaseModel):
    """RFC 9457 problem details, in Swedish."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    invalid_params: list[InvalidParam] | None = None


class PageQuery(Strict):
    page: int = Field(default=1, ge=1, le=100_000)


class ReasonHeaders(BaseModel):
    """With MM_ASK_REASON=1, a coordinator's token says why it opens a participant it has
    not worked with, as a coordinator does on the web site (written to the audit log). In a
    header, percent-encoded UTF-8, never in the address: access logs keep addresses."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    reason: str | None = Field(default=None, alias="Mm-Reason", max_length=1500)


class ReferralLine(BaseModel):
    reference_code: str
    status: str
    municipality: str | None
    municipality_code: str | None
    filed_at: str


class ReferralList(BaseModel):
    referrals: list[ReferralLine]
    total: int
    page: int
    size: int


class RequestOut(BaseModel):
    municipality: str
    municipality_code: str
    asked_at: str
    answered_at: str | None
    answer: str | None
    decline_reason: str | None


class PlacementOut(BaseModel):
    municipality: str
    municipality_code: str
    meeting_on: str | None
    started_on: str | None
    planned_end_on: str | None
    assessment_plan_on: str | None
    workplace_training_on: str | None
    ended_on: str | None
    final_report_on: str | None
    alternative_plan_on: str | None
    outcome: str | None


class HistoryEntry(BaseModel):
    kind: str
    at: str


class ParticipantOut(BaseModel):
    """Only to a token whose role may see the participant; every reading is logged."""

    name: str
    personal_identity_number: str
    phone: str
    needs: str


class ReferralOut(BaseModel):
    reference_code: str
    status: str
    benefit_type: str
    filed_at: str | None
    consent_on: str | None
    consent_withdrawn_on: str | None
    requests: list[RequestOut]
    placement: PlacementOut | None
    history: list[HistoryEntry]
    participant: ParticipantOut | None


class Accept(Strict):
    meeting_on: date
    over_capacity_confirmed: bool = False


class Decline(Strict):
    reason: DeclineReason
    comment: str = Field(default="", max_length=5000)


class Answered(BaseModel):
    reference_code: str
    status: str


class Places(BaseModel):
    municipality: str
    municipality_code: str | None
    intake_state: str
    capacity: int
    started: int
    accepted_not_started: int
    free: int
    # The next-free forecast (issue 25) where it exists; null until then.
    next_free_on: str | None


class PlacesList(BaseModel):
    municipalities: list[Places]


class BudgetQuery(Strict):
    year: int = Field(ge=2000, le=2100)


class Budget(BaseModel):
    year: int
    accrued_to: str | None
    budget: str
    daily_rate: str
    rate_confirmed: bool
    committed: str
    accrued: str
    remaining: str
    full_year_places_left: str


class RequisitionQuery(Strict):
    period: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")


class RequisitionOut(BaseModel):
    municipality: str
    municipality_code: str
    period: str
    first_day: str
    last_day: str
    state: str
    total: str
    rate_confirmed: bool
    running: bool


class RequisitionList(BaseModel):
    requisitions: list[RequisitionOut]
