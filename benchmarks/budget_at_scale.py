"""How long the yearly budget takes with 100 000 placements (a national program).

    python benchmarks/budget_at_scale.py [DATABASE_URL]

Default: a temporary SQLite file. The goal is well under a second per year; this is a
benchmark, not a test, because timings depend on the machine.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain.settings import load_program_file
from programs import DEFAULT_PROGRAM_FILE
from services import reports
from services.program_setup import install_program
from storage import migrate
from storage.db import make_engine, session_factory, unit_of_work
from tests.support.bulk import insert_placements
from tests.support.clock import moment

PLACEMENTS = 100_000


def main() -> None:
    url = (
        sys.argv[1]
        if len(sys.argv) > 1
        else (f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}")
    )
    migrate.upgrade(url)
    sessions = session_factory(make_engine(url))
    program = load_program_file(DEFAULT_PROGRAM_FILE)
    rng = random.Random(1)
    with unit_of_work(sessions) as session:
        install_program(session, program, now=moment(date(2026, 1, 1)))
        municipality_ids = [m.municipality_id for m in reports.availability(session).municipalities]
        for municipality_id in municipality_ids:
            spans = []
            for _ in range(PLACEMENTS // len(municipality_ids)):
                start = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 1000))
                spans.append(
                    (start, start + timedelta(days=rng.randrange(30, 365)), rng.random() < 0.5)
                )
            insert_placements(session, municipality_id, spans)
    for year in (2026, 2027, 2028):
        with unit_of_work(sessions) as session:
            began = time.perf_counter()
            result = reports.year_budget(session, year=year, today=date(2027, 6, 15))
            took = time.perf_counter() - began
        print(
            f"{year}: {result.committed_days} committed days over {PLACEMENTS} placements "
            f"in {took * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
