"""Two writers that wait for each other: PostgreSQL aborts one (deadlock_detected), which
changed nothing and runs again (storage.db.again_if_transient, used by every form's use case
through web.views.attempt); where it cannot run again, a Swedish page says nothing was saved
(503), never a 500 or a traceback, and the log has the code only."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from storage.db import again_if_transient, make_engine, unit_of_work
from storage.models import Municipality
from tests.support.deadlock import deadlocked
from web import create_app


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_unit_of_work_aborted_for_a_deadlock_runs_again(sessions):
    with unit_of_work(sessions) as session:
        first, second = session.scalars(select(Municipality.id).order_by(Municipality.id)).all()[:2]
    both_hold_a_row = threading.Barrier(2)
    runs: Counter[str] = Counter()

    def writer(name: str, one: int, other: int):
        def run() -> None:
            runs[name] += 1
            with unit_of_work(sessions) as session:
                session.execute(
                    update(Municipality).where(Municipality.id == one).values(offer=name)
                )
                if runs[name] == 1:  # the first time, each waits for the other's row
                    both_hold_a_row.wait(timeout=10)
                session.execute(
                    update(Municipality).where(Municipality.id == other).values(offer=name)
                )

        return run

    with ThreadPoolExecutor(2) as pool:
        done = [
            pool.submit(again_if_transient, writer("a", first, second)),
            pool.submit(again_if_transient, writer("b", second, first)),
        ]
        for future in done:
            future.result(timeout=30)
    assert sorted(runs.values()) == [1, 2]  # one was aborted, and ran again after the other
    again = next(name for name, n in runs.items() if n == 2)
    with unit_of_work(sessions) as session:
        offers = session.scalars(
            select(Municipality.offer).where(Municipality.id.in_([first, second]))
        ).all()
    assert offers == [again, again]  # it ran last, whole


def test_an_aborted_change_that_reaches_the_page_says_so_in_swedish(tmp_path, caplog):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "SECRET_KEY": "k"})

    app.add_url_rule("/deadlocked", view_func=deadlocked)
    with caplog.at_level(logging.WARNING):
        response = app.test_client().get("/deadlocked")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Ändringen kunde inte sparas just nu" in page
    assert "Traceback" not in page and "UPDATE" not in page
    assert "a transaction was aborted (40P01)" in caplog.text
    assert "19121212" not in caplog.text and "UPDATE" not in caplog.text


def test_a_failed_statement_keeps_its_values_out_of_the_error(database_url):
    """The error of a failed statement reaches the log; its values may be personal data."""
    engine = make_engine(database_url)
    with pytest.raises(DBAPIError) as failed, engine.connect() as connection:
        connection.execute(text("SELECT * FROM no_such_table WHERE x = :x"), {"x": "19121212-1212"})
    engine.dispose()
    assert "no_such_table" in str(failed.value)
    assert "19121212" not in str(failed.value)
