"""Every page of every role on the demo data: the access tests' route table as the start,
then every link a page offers, followed the way a person would (GET, same site, not a
download). Used by the visible-text test (tests/web/test_visible_text.py) and the reflow
test in Chromium (tests/web/test_browser_reflow.py), so that both look at the same pages.

A page reached again under another code or number ("shape") is looked at twice at most: the
demo has forty referrals, and the fortieth reads as the second."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from sqlalchemy import select

from domain.lifecycle import ReferralStatus
from storage.models import Municipality, Placement, PlacementRequest, Referral, User
from tests.web.test_access import ACTIONS, ROLE_POSTS, expected_get

# The demo users standing in for the access tests' roles.
DEMO_ROLES = {
    "investigator": "utredare1@fk.example",
    "other_investigator": "utredare2@fk.example",
    "osby": "kontakt@osby.example",
    "kristianstad": "kontakt@kristianstad.example",
    "coordinator": "samordnare@fk.example",
    "association": "forbundet@sfsno.example",
    "admin": "admin@mm.example",
    "log_reviewer": "granskare@fk.example",
}
# Error pages everyone can reach: not found, a method not allowed.
ERRORS = ["/finns-inte", "/anmalningar/MM-1999-0001", "/logga-ut"]
DOWNLOAD = re.compile(r"\.(xlsx|csv|ics|json|pdf)(\?|$)|[?&]format=")
MAX_PER_SHAPE = 2


@dataclass(frozen=True)
class Objects:
    """The demo referrals that stand in for R (requested of Osby) and P (running in Osby),
    both by utredare1, and a user for U, as in the access tests."""

    requested: str
    running: str
    user_id: int
    osby_id: int


def demo_objects(session) -> Objects:
    def code(status: ReferralStatus, *joins) -> str:
        query = select(Referral.reference_code).join(User, User.id == Referral.investigator_id)
        for join in joins:
            query = query.join(*join)
        query = query.where(
            User.email == DEMO_ROLES["investigator"],
            Referral.status == status,
            Municipality.name == "Osby",
        )
        return session.scalars(query.order_by(Referral.id)).first()

    requested = code(
        ReferralStatus.REQUESTED,
        (PlacementRequest, PlacementRequest.referral_id == Referral.id),
        (Municipality, Municipality.id == PlacementRequest.municipality_id),
    )
    running = code(
        ReferralStatus.STARTED,
        (Placement, Placement.referral_id == Referral.id),
        (Municipality, Municipality.id == Placement.municipality_id),
    )
    user = session.scalars(select(User.id).where(User.email == DEMO_ROLES["investigator"])).one()
    osby = session.scalars(select(Municipality.id).where(Municipality.name == "Osby")).one()
    return Objects(requested or running, running, user, osby)


def start_paths(role: str, objects: Objects) -> list[str]:
    """The access tests' route table for a role, with its placeholders filled in."""
    paths = []
    for path in expected_get(role):
        path = path.replace("/R", "/" + objects.requested).replace("/P", "/" + objects.running)
        paths.append(path.replace("/U", f"/{objects.user_id}"))
    return ["/", *paths, *ERRORS]


def empty_posts(role: str, objects: Objects) -> list[tuple[str, dict[str, str]]]:
    """The forms the access tests send empty: as this role, each comes back with its errors
    (or a refusal), and nothing is saved."""
    posts = []
    for pattern, which, allowed in ACTIONS:
        if role in allowed and not pattern.endswith("aterkalla"):
            code = objects.requested if which == "R" else objects.running
            posts.append((pattern.format(code), {}))
    for path, data, allowed in ROLE_POSTS:
        if role in allowed:
            path = path.replace("/U/", f"/{objects.user_id}/").replace("/M", f"/{objects.osby_id}")
            posts.append((path, data))
    return posts


def shape(path: str) -> str:
    """/anmalningar/MM-2026-0039 and /anmalningar/MM-2026-0040 have one shape."""
    parts = urlsplit(path)
    names = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(names)


def links(html: str) -> Iterable[str]:
    soup = BeautifulSoup(html, "html.parser")
    for anchor in soup.select("a[href]"):
        href = anchor["href"].split("#")[0]
        if anchor.has_attr("download") or not href.startswith("/") or href.startswith("//"):
            continue
        if DOWNLOAD.search(href) or href.startswith("/static/"):
            continue
        yield href


def walk(
    get: Callable[[str], tuple[int, str]],
    start: Iterable[str],
    limit: int = 150,
    per_shape: int = MAX_PER_SHAPE,
) -> dict[str, tuple[int, str]]:
    """Every page reachable from `start`, as {path: (status, html)}; `get` answers one path
    after redirects; at most `per_shape` pages of one shape."""
    seen: dict[str, tuple[int, str]] = {}
    queue = list(dict.fromkeys(start))
    shapes: dict[str, int] = {}
    for path in queue:
        shapes[shape(path)] = shapes.get(shape(path), 0) + 1
    while queue and len(seen) < limit:
        path = queue.pop(0)
        seen[path] = get(path)
        for found in links(seen[path][1]):
            if found in seen or found in queue or shapes.get(shape(found), 0) >= per_shape:
                continue
            shapes[shape(found)] = shapes.get(shape(found), 0) + 1
            queue.append(found)
    return seen
