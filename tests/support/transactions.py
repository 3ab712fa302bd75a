"""Random transactions for the kept-figure tests (the day figures, the places in use, the
report totals): lists of steps, each list one unit of work that commits or rolls back, so
that a test shows the kept rows follow both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from storage.db import unit_of_work


def transactions_of(step: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
    """1–6 units of work of 1–6 steps each, every one committed or rolled back."""
    return st.lists(
        st.tuples(st.lists(step, min_size=1, max_size=6), st.booleans()), min_size=1, max_size=6
    )


class _RollBack(Exception):
    pass


def run_transactions(
    sessions: Any,
    transactions: list[Any],
    apply: Callable[[Any, Any, list[int]], None],
    municipality_ids: list[int],
) -> None:
    for steps, roll_back in transactions:
        try:
            with unit_of_work(sessions) as session:
                for step in steps:
                    apply(session, step, municipality_ids)
                if roll_back:  # a failed use case: its changes to the kept rows go with it
                    raise _RollBack
        except _RollBack:
            pass
