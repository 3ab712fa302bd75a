"""The program's goals, measured: four shares with their targets.

- assessment and individual plan within 4 weeks of the tripartite meeting (goal 100 %);
- workplace training started within 10 weeks (goal 90 %);
- ended participants going to work, studies or rehabilitation collaboration (goal 40 %);
- the other ended participants offered an alternative plan by FK (goal 100 %).
A placement counts for a deadline goal once its deadline has passed or the step is done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.text import N_


class Goal(StrEnum):
    ASSESSMENT_PLAN = "assessment_plan"
    WORKPLACE_TRAINING = "workplace_training"
    GOAL_OUTCOME = "goal_outcome"
    ALTERNATIVE_PLAN = "alternative_plan"


TARGETS = {
    Goal.ASSESSMENT_PLAN: Decimal("1.00"),
    Goal.WORKPLACE_TRAINING: Decimal("0.90"),
    Goal.GOAL_OUTCOME: Decimal("0.40"),
    Goal.ALTERNATIVE_PLAN: Decimal("1.00"),
}

GOAL_LABELS = {
    Goal.ASSESSMENT_PLAN: N_("Assessment and individual plan within 4 weeks of the start"),
    Goal.WORKPLACE_TRAINING: N_("Workplace training started within 10 weeks of the start"),
    Goal.GOAL_OUTCOME: N_(
        "Ended participants who went to work, studies or rehabilitation collaboration"
    ),
    Goal.ALTERNATIVE_PLAN: N_("Other ended participants who were offered an alternative plan"),
}


@dataclass(frozen=True)
class Indicator:
    goal: Goal
    achieved: int
    counted: int

    @property
    def target(self) -> Decimal:
        return TARGETS[self.goal]

    @property
    def share(self) -> Decimal | None:
        """Achieved ÷ counted, or None while nobody counts yet."""
        if self.counted == 0:
            return None
        return Decimal(self.achieved) / Decimal(self.counted)

    @property
    def met(self) -> bool | None:
        share = self.share
        return None if share is None else share >= self.target


def summed(groups: Sequence[Sequence[Indicator]]) -> tuple[Indicator, ...]:
    """Several groups' indicators (each the same goals in the same order) as one group: what
    each goal achieved and counted, added up. No groups, no indicators."""
    if not groups:
        return ()
    return tuple(
        Indicator(parts[0].goal, sum(i.achieved for i in parts), sum(i.counted for i in parts))
        for parts in zip(*groups, strict=True)
    )
