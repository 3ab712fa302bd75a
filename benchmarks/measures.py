"""What `make bench` drives its clients at: each measure names the server it goes to, the
request it makes, the check of the answer, the floor it is held against and its goal (a
ratio to the floor's p99). The site's chat commands and pages, the casework lists, the
follow-up reports and requisitions, and the floors themselves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from load import Timings
from served import COORDINATOR_SLACK, expect, page, slash

from tests.support.bulk import NationalData


@dataclass
class Measure:
    name: str
    server: str
    make: Callable[[], Any]
    check: Callable[[int, bytes], str | None]
    floor: str | None  # the measure whose p99 is its floor
    limit: float | None = None
    timings: Timings = field(default_factory=Timings)
    slow: bool = False
    warm: Timings = field(default_factory=Timings)  # the untimed warm-up (national.drive)


def site_measures(data: NationalData, cookies: dict[str, str]) -> list[Measure]:
    code = data.codes.get("started", data.codes.get("ended"))[0]
    one_moment = "ögonblick"
    # Issue 24: every chat answer's p99 within twice the bare Bolt ack's (it was 1.5 before).
    chat = 2.0
    measures = [
        Measure(
            "/mm platser (coordinator)",
            "site",
            slash(COORDINATOR_SLACK, "platser"),
            expect(contains="blocks", not_contains=one_moment),
            "ack",
            chat,
        ),
        Measure(
            "/mm budget",
            "site",
            slash(COORDINATOR_SLACK, "budget"),
            expect(contains="blocks", not_contains=one_moment),
            "ack",
            chat,
        ),
        Measure(
            "/mm status <kod>",
            "site",
            slash(COORDINATOR_SLACK, f"status {code}"),
            expect(contains=code, not_contains=one_moment),
            "ack",
            chat,
        ),
        Measure(
            "/oversikt", "site", page("/oversikt", cookies["coordinator"]), expect(), "page", 3.0
        ),
        Measure("/budget", "site", page("/budget", cookies["association"]), expect(), "page", 3.0),
        Measure(
            "/anmalningar?status=requested",
            "site",
            page("/anmalningar?status=requested", cookies["coordinator"]),
            expect(),
            "page",
            3.0,
        ),
        Measure(
            f"/forfragningar ({data.largest_municipality})",
            "site",
            page("/forfragningar", cookies["largest"]),
            expect(),
            "page",
            3.0,
        ),
    ]
    return measures + extra_site_measures(data, cookies) + casework_measures(data, cookies)


def casework_measures(data: NationalData, cookies: dict[str, str]) -> list[Measure]:
    """The lists and worklists (issue 14): paged, filtered and searched in SQL, each within
    3 times the bare page however long the history."""
    code = data.codes.get("started", data.codes.get("ended"))[0]
    coordinator, contact = cookies["coordinator"], cookies["largest"]
    investigator = cookies["investigator"]
    deep, after = data.deep_page
    pages = [
        ("/anmalningar (coordinator)", "/anmalningar", coordinator),
        ("/anmalningar?sida=1000 (coordinator)", "/anmalningar?sida=1000", coordinator),
        # The same page as the site links to it: by the key of the row before it.
        (
            f"/anmalningar?sida={deep}&sida-efter=<kod> (coordinator)",
            f"/anmalningar?sida={deep}&sida-efter={after}",
            coordinator,
        ),
        ("/anmalningar?q=<kod> (coordinator)", f"/anmalningar?q={code}", coordinator),
        ("/anmalningar (investigator)", "/anmalningar", investigator),
        ("/att-gora (coordinator)", "/att-gora", coordinator),
        ("/att-gora?task=ending (coordinator)", "/att-gora?task=ending", coordinator),
        (f"/att-gora ({data.largest_municipality})", "/att-gora", contact),
        ("/att-gora (investigator)", "/att-gora", investigator),
    ]
    return [
        Measure(name, "site", page(path, who), expect(), "page", 3.0) for name, path, who in pages
    ]


def extra_site_measures(data: NationalData, cookies: dict[str, str]) -> list[Measure]:
    """The follow-up reports, and the requisition pages: the list of a period's bases (a
    list's first page: 3× the bare page) and the largest municipality's basis. A report or
    basis of one period has issue 24's goal: 10× the bare page."""
    code = data.codes_of[data.largest_municipality]
    coordinator = cookies["coordinator"]
    year = data.today.year
    reports = [
        (f"/uppfoljning/budget?ar={year}", f"/uppfoljning/budget?ar={year}"),
        ("/uppfoljning/indikatorer (the quarter)", "/uppfoljning/indikatorer"),
        ("/uppfoljning/samverkansgrupp (the quarter)", "/uppfoljning/samverkansgrupp"),
    ]
    return [
        *[
            Measure(name, "site", page(path, coordinator), expect(), "page", 10.0)
            for name, path in reports
        ],
        Measure(
            "/rekvisitioner (coordinator)",
            "site",
            page("/rekvisitioner", coordinator),
            expect(),
            "page",
            3.0,
        ),
        Measure(
            f"/rekvisitioner/{code}/<last ended period> ({data.largest_municipality})",
            "site",
            page(f"/rekvisitioner/{code}/{data.last_ended_period}", cookies["largest"]),
            expect(),
            "page",
            10.0,
        ),
    ]


def floor_measures() -> list[Measure]:
    return [
        Measure(
            "bare Flask page, 50 rows", "page", page("/rows"), expect(contains="<table>"), None
        ),
        Measure(
            "bare Bolt ack, process_before_response=True",
            "ack_before",
            slash(COORDINATOR_SLACK, "platser"),
            expect(),
            None,
        ),
        Measure(
            "bare Bolt ack, default mode",
            "ack_default",
            slash(COORDINATOR_SLACK, "platser"),
            expect(),
            None,
        ),
    ]
