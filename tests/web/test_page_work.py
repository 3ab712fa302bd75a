"""What a page does besides its own work, done once rather than per request, with the same
result: the session row is written at most once a minute and still ends after exactly the
idle time; the municipality filter is made once while the municipalities stay the same; a
template's sentences are translated when it is compiled."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from flask import render_template_string
from jinja2 import Environment as PlainJinja
from sqlalchemy import event, select, update

import locales
from services import web_sessions
from storage.db import unit_of_work
from storage.models import Municipality, WebSession
from tests.support.work import statements
from web.forms.base import Form
from web.forms.fields import ChoiceField, Choices, SelectChoice, optional_int


def _session_writes(app):
    engine = app.extensions["mm.sessions"].kw["bind"]
    writes: list = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith(("UPDATE WEB_SESSION", "DELETE FROM WEB_SESSION")):
            writes.append(app.config["CLOCK"].now())

    event.listen(engine, "before_cursor_execute", seen)
    return writes


def _last_seen(app):
    with unit_of_work(app.extensions["mm.sessions"], read_only=True) as db:
        return db.scalars(select(WebSession.last_seen_at)).all()


def test_the_session_row_is_written_at_most_once_a_minute_and_ends_after_the_idle_time(
    app, visit, people
):
    clock = app.config["CLOCK"]
    coordinator = visit(people["coordinator"])
    writes = _session_writes(app)
    began = clock.now()
    for _ in range(19):  # a page every 10 seconds for three minutes
        assert coordinator.get("/anmalningar").status == 200
        clock.advance(timedelta(seconds=10))
    gaps = [later - earlier for earlier, later in pairwise(writes)]
    assert all(gap >= web_sessions.TOUCH_EVERY for gap in gaps), writes
    assert len(writes) <= 4  # the first page's menu count, then once a minute
    # ...and often enough that a person reading pages stays logged in.
    assert _last_seen(app) == [max(writes)]
    assert clock.now() - max(writes) <= timedelta(seconds=70)
    assert max(writes) > began

    # Idle: exactly the limit after the last request is still in time, a second more is not.
    clock.moment = max(writes) + web_sessions.IDLE
    assert coordinator.get("/anmalningar").status == 200
    clock.moment = _last_seen(app)[0] + web_sessions.IDLE + timedelta(seconds=1)
    gone = coordinator.client.get("/anmalningar")
    assert gone.status_code == 302 and "/logga-in" in gone.headers["Location"]
    assert _last_seen(app) == []


def test_a_switched_off_account_is_logged_out_at_its_next_page(app, visit, people, sqlite_world):
    from storage.models import User

    contact = visit(people["osby"])
    page = contact.get("/forfragningar")
    assert page.status == 200 and "(Osby)" in page.soup.select_one(".who").get_text()
    with unit_of_work(sqlite_world.sessions) as db:
        db.execute(update(User).where(User.id == people["osby"].user_id).values(active=False))
    again = contact.client.get("/forfragningar")
    assert again.status_code == 302 and "/logga-in" in again.headers["Location"]


def test_the_municipality_filter_follows_a_change_at_once(app, visit, people, sqlite_world):
    coordinator = visit(people["coordinator"])

    def names() -> list[str]:
        page = coordinator.get("/anmalningar")
        return [o.get_text() for o in page.soup.select("select#municipality option")]

    first = names()
    assert first[0] == "Alla" and "Osby" in first
    assert names() == first  # (the first visit's session row written since)
    # Kept while the database reads the same: the list again reads no municipality's name.
    with statements(app.extensions["mm.sessions"].kw["bind"]) as found:
        assert names() == first
    assert [s for s in found if "ORDER BY municipality.name" in s] == []
    with unit_of_work(sqlite_world.sessions) as db:
        db.execute(update(Municipality).where(Municipality.name == "Osby").values(name="Osby k"))
    assert "Osby k" in names() and "Osby" not in names()
    # The chosen one is marked, and the worklist's filter is the same list.
    with unit_of_work(sqlite_world.sessions, read_only=True) as db:
        osby = db.scalar(select(Municipality.id).where(Municipality.name == "Osby k"))
    page = coordinator.get(f"/att-gora?municipality={osby}")
    assert page.value("municipality") == str(osby)


def test_the_filter_made_once_is_written_exactly_as_wtforms_writes_it(app):
    class Filter(Form):
        class Meta:
            csrf = False

        municipality = ChoiceField("Kommun", coerce=optional_int)

    plain = [SelectChoice("", "Alla"), SelectChoice(7, "Å & <b>"), SelectChoice(3, "Osby")]
    with app.test_request_context("/?municipality=7"):
        from flask import request

        for chosen in ("7", "", "3", "99"):
            made = Choices(list(plain))
            for _ in range(2):  # written, then from what was written
                once, every = Filter(formdata=request.args), Filter(formdata=request.args)
                once.municipality.process_formdata([chosen])
                every.municipality.process_formdata([chosen])
                once.municipality.choices, every.municipality.choices = made, list(plain)
                assert once.validate() == every.validate()
                assert once.municipality.errors == every.municipality.errors
                assert str(once.municipality(class_="input")) == str(
                    every.municipality(class_="input")
                )


SOURCE = """{% macro shadow() %}{% set _ = [].append(1) %}{{ _ }}{% endmacro -%}
<p title="{{ _('Log out') }}">{{ _("Log out") }}|{{ _("Logged in as %(name)s", name=who) }}
|{{ ngettext("%(count)s referral.", "%(count)s referrals.", 2, count=2) }}|{{ shadow() }}
|{{ _("Log out")|length }}|{{ (_("Log out") ~ who)|e }}</p>"""


def test_templates_translate_once_and_say_exactly_what_they_said(app):
    catalogue = locales.translations()
    plain = PlainJinja(extensions=["jinja2.ext.i18n"], autoescape=True)
    plain.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=catalogue.gettext, ngettext=catalogue.ngettext, newstyle=True
    )
    with app.test_request_context():
        for who in ("<Anna & Bo>", "Åsa"):
            ours = render_template_string(SOURCE, who=who)
            assert ours == plain.from_string(SOURCE).render(who=who)
            assert ("Logga ut" in ours and "&lt;Anna &amp; Bo&gt;" in ours) or who == "Åsa"
    code = app.jinja_env.compile(SOURCE, raw=True)
    assert "Logga ut" in code  # made when compiled, not looked up at every render
    assert "'Log out'" not in code
