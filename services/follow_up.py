"""The follow-up reports by their former names, for the callers outside this package's reach
(the chat bot's budget answer and `make bench`). The use cases live in their own modules:
services.budget_follow_up, services.indicator_report, services.finsam_follow_up and
services.steering_report; new code imports them from there."""

from __future__ import annotations

from services.budget_follow_up import budget_follow_up as budget_follow_up
from services.finsam_follow_up import finsam as finsam
from services.indicator_report import indicators_report as indicators_report
from services.steering_report import steering_report as steering_report
