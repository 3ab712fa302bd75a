"""Every route tried as every role: the status each gets, that nothing changes for those
who may not act, and that personal data reaches only those who may see it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from storage.models import AuditEntry, Event

ROLES = [
    "anonymous",
    "investigator",
    "other_investigator",
    "osby",
    "kristianstad",
    "coordinator",
    "association",
    "admin",
    "log_reviewer",
]
# Who sees the participant of a referral that Osby was asked about, or runs.
SEES_PERSONAL_DATA = {"investigator", "osby", "coordinator"}
PERSONAL = ("Anna Andersson", "19810923-9809", "198109239809", "070-174 06 05", "pröva lager")


@pytest.fixture
def objects(sqlite_world, people):
    requested = sqlite_world.file(people["investigator"], "Osby", date(2026, 11, 20))
    started = sqlite_world.started(
        people["investigator"], people["osby"], "Osby", date(2026, 11, 2)
    )
    return {"R": requested.reference_code, "P": started.reference_code}


def expected_get(role: str) -> dict[str, int]:
    """Status of each page (with R the requested referral) for a role."""
    fk = role in {"investigator", "other_investigator"}
    contact = role in {"osby", "kristianstad"}
    coordinator = role == "coordinator"
    budget_reader = role in {"coordinator", "association", "admin"}
    return {
        "/": 302,
        "/anmalan/ny": 200 if fk else 403,
        "/anmalan/R/skickad": 200
        if role in {"investigator", "coordinator"}
        else 404
        if role == "other_investigator"
        else 403,
        "/anmalningar": 200 if fk or coordinator else 403,
        "/anmalningar/R": 200 if role in SEES_PERSONAL_DATA else 404,
        "/anmalningar/P": 200 if role in SEES_PERSONAL_DATA else 404,
        "/forfragningar": 200 if contact else 403,
        "/kommun": 200 if contact else 403,
        "/oversikt": 200 if coordinator else 403,
        "/dagersattning": 200 if coordinator else 403,
        "/budget": 200 if budget_reader else 403,
        "/koppla/some-token": 200,
        "/mina-installningar": 200,
        "/mina-installningar/losenord": 200,
        "/anvandare": 200 if role == "admin" else 403,
        "/anvandare/ny": 200 if role == "admin" else 403,
        "/anvandare/U": 200 if role == "admin" else 403,
        "/anvandare/historik": 200 if role == "admin" else 403,
        "/kommuner": 200 if role == "admin" else 403,
        "/leveranser": 200 if role == "admin" else 403,
        "/api-nycklar": 200 if role == "admin" else 403,
        "/webhooks": 200 if role == "admin" else 403,
        "/loggkontroll": 200 if role == "log_reviewer" else 403,
        LOG_SEARCH: 200 if role == "log_reviewer" else 403,
        "/loggkontroll/stickprov": 200 if role == "log_reviewer" else 403,
        LOG_SAMPLE: 200 if role == "log_reviewer" else 403,
        "/loggkontroll/granskningar": 200 if role == "log_reviewer" else 403,
        LOG_EXPORT: 200 if role == "log_reviewer" else 403,
        "/registerutdrag": 200 if role in {"coordinator", "log_reviewer"} else 403,
        "/tillganglighet": 200,
        "/personuppgifter": 200,
    }


LOG_SEARCH = "/loggkontroll?period_from=2026-11-01&period_to=2026-11-30"
LOG_SAMPLE = "/loggkontroll/stickprov?period_from=2026-11-01&period_to=2026-11-30&size=5"
LOG_EXPORT = "/loggkontroll/export.csv?period_from=2026-11-01&period_to=2026-11-30"
PUBLIC = {"/tillganglighet", "/personuppgifter"}


def audit_rows(world) -> list[AuditEntry]:
    return world.read(lambda s: list(s.scalars(select(AuditEntry).order_by(AuditEntry.id))))


def expected_audit(role: str, path: str) -> tuple[str, list[str]] | None:
    """The one audit row a page writes for a role, as (what, fields); None for none."""
    if path.startswith("/anmalningar/") and role in SEES_PERSONAL_DATA:
        return ("referral_page", ["personal_details", "needs"])  # no decline comment: not shown
    if role == "log_reviewer":
        kind = {LOG_SEARCH: "log_search", LOG_SAMPLE: "log_sample", LOG_EXPORT: "log_export"}
        if path in kind:
            return (kind[path], ["access_log"])
    return None


@pytest.mark.parametrize("role", ROLES)
def test_every_page_as_every_role(visit, people, objects, sqlite_world, role):
    """Every page as every role: its status, no personal data to those who may not see it,
    and exactly one row in the audit log, with the address and the fields shown, for each
    view of personal data (and for each search in the log); none for anything else."""
    visitor = visit(None if role == "anonymous" else people[role])
    for path, status in expected_get(role).items():
        real = path.replace("/R", "/" + objects["R"]).replace("/P", "/" + objects["P"])
        before = len(audit_rows(sqlite_world))
        page = visitor.get(real.replace("/U", "/" + str(people["investigator"].user_id)))
        written = audit_rows(sqlite_world)[before:]
        if role == "anonymous":
            assert written == [], path
            if path in PUBLIC:
                assert page.status == 200, path
                continue
            assert page.status == 302, path
            assert page.response.headers["Location"].startswith("/logga-in?next=/"), path
            continue
        assert page.status == status, (role, path)
        expected = expected_audit(role, path)
        if role == "investigator" and path == "/anmalningar":  # names in the own list
            assert written and {(r.action, tuple(r.fields)) for r in written} == {
                ("own_list", ("personal_details",))
            }
        elif expected is None:
            assert written == [], (role, path)
        else:
            [row] = written
            assert (row.action, row.fields) == expected, (role, path)
            assert row.user_id == people[role].user_id and row.address == "127.0.0.1"
            assert row.role is people[role].role
            assert row.municipality_id == people[role].municipality_id
        shown = page.response.get_data(as_text=True)
        on_detail = path.startswith("/anmalningar/")
        if role in SEES_PERSONAL_DATA and on_detail:
            assert "Anna Andersson" in shown, (role, path)
        elif role == "investigator" and path == "/anmalningar":  # the name only, logged above
            assert "Anna Andersson" in shown
            assert not any(p in shown for p in PERSONAL[1:]), (role, path)
        else:
            assert not any(p in shown for p in PERSONAL), (role, path)


# (path, object, roles that reach the form: an empty form then gets 400)
ACTIONS = [
    ("/anmalningar/{}/fraga-kommun", "R", {"investigator", "coordinator"}),
    ("/anmalningar/{}/alternativ-planering", "P", {"investigator", "coordinator"}),
    ("/anmalningar/{}/acceptera", "R", {"osby"}),
    ("/anmalningar/{}/avboj", "R", {"osby"}),
    ("/anmalningar/{}/trepartssamtal", "P", {"osby"}),
    ("/anmalningar/{}/kartlaggning", "P", {"osby"}),
    ("/anmalningar/{}/arbetstraning", "P", {"osby"}),
    ("/anmalningar/{}/forlangning", "P", {"osby"}),
    ("/anmalningar/{}/avslut", "P", {"osby"}),
    ("/anmalningar/{}/slutdokumentation", "P", {"osby"}),
    ("/anmalningar/{}/aterkalla", "R", {"investigator", "coordinator"}),
]
# Pages for one role; the others get 403 before any object is looked at.
ROLE_POSTS = [
    ("/anmalan/ny", {}, {"investigator", "other_investigator"}),
    ("/kommun/kapacitet", {}, {"osby", "kristianstad"}),
    ("/kommun/erbjudande", {"offer": "x" * 5001}, {"osby", "kristianstad"}),
    ("/dagersattning", {}, {"coordinator"}),
    ("/anvandare/ny", {}, {"admin"}),
    ("/anvandare/U/andra", {}, {"admin"}),
    ("/anvandare/U/slack", {}, {"admin"}),
    ("/kommuner", {}, {"admin"}),
    ("/kommuner/M", {}, {"admin"}),
    ("/mina-installningar/losenord", {}, set(ROLES)),
]
# The administrator's actions that change an account at once (tested in test_accounts.py):
# every other role gets 403 and nothing changes.
ADMIN_ACTIONS = [
    "/anvandare/U/inaktivera",
    "/anvandare/U/aktivera",
    "/anvandare/U/las-upp",
    "/anvandare/U/aterstall-losenord",
    "/anvandare/U/aterstall-tvastegsverifiering",
    "/anvandare/U/ta-bort-slack",
]


def events(world) -> int:
    return world.read(lambda s: s.scalar(select(func.count()).select_from(Event)))


@pytest.mark.parametrize("role", ROLES)
def test_every_action_as_every_role(visit, people, objects, sqlite_world, role):
    visitor = visit(None if role == "anonymous" else people[role])
    before = events(sqlite_world)
    for pattern, which, allowed in ACTIONS:
        path = pattern.format(objects[which])
        if role in allowed and path.endswith("aterkalla"):
            continue  # it has no fields: posting it withdraws (tested in test_casework)
        page = visitor.post(path, {})
        if role == "anonymous":
            assert page.status == 302, path
        elif role in allowed:
            assert page.status == 400, (role, path)
        else:
            assert page.status == 404, (role, path)
            assert not any(p in page.response.get_data(as_text=True) for p in PERSONAL)
    target = str(people["investigator"].user_id)
    osby = str(sqlite_world.municipality("Osby"))
    for path, data, allowed in ROLE_POSTS:
        page = visitor.post(path.replace("/U/", f"/{target}/").replace("/M", f"/{osby}"), data)
        expected = 302 if role == "anonymous" else 400 if role in allowed else 403
        assert page.status == expected, (role, path)
    if role != "admin":
        for path in ADMIN_ACTIONS:
            page = visitor.post(path.replace("/U/", f"/{target}/"))
            assert page.status == (302 if role == "anonymous" else 403), (role, path)
    assert events(sqlite_world) == before  # nobody changed anything
