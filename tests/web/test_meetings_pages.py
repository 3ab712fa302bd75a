"""Meetings on the web: booked from the referral's page, moved and recorded on the meeting's
page, and downloaded as a calendar invitation that a calendar parser reads."""

from __future__ import annotations

from datetime import date

from icalendar import Calendar

from storage.models import Referral


def test_a_follow_up_is_booked_moved_downloaded_and_held(visit, people, sqlite_world):
    started = sqlite_world.started(
        people["investigator"], people["osby"], "Osby", date(2026, 11, 2)
    )
    osby = visit(people["osby"])
    url = f"/anmalningar/{started.reference_code}"
    booked = osby.post(
        url + "/moten", {"on": "2026-11-26", "at": "9.30", "place": "Arbetsplatsen, Storgatan 1"}
    )
    assert booked.status == 302
    page = osby.get(url)
    assert page.notices == ["Uppföljningsmötet är bokat till 26 nov. 2026."]
    assert "Ett uppföljningsmöte bokades till 26 nov. 2026." in page.text
    link = page.soup.find("a", string="Uppföljningsmöte")
    meeting = osby.get(link["href"])
    assert meeting.h1 == "Uppföljningsmöte"
    assert "Tid 09:30" in meeting.text and "Plats Arbetsplatsen, Storgatan 1" in meeting.text
    wrong = osby.post(link["href"] + "/flytta", {"on": "2026-11-27", "at": "25:00", "place": "X"})
    assert wrong.status == 400
    assert wrong.error("at") == "25:00 är ingen tid skriven TT:MM, till exempel 09:30."
    moved = osby.post(link["href"] + "/flytta", {"on": "2026-11-27", "at": "13:00", "place": "X"})
    assert moved.status == 302
    assert osby.get(link["href"]).notices == ["Mötet är flyttat. Ladda ner kalenderinbjudan igen."]
    # Everyone who may see the referral downloads it; it names the code and Osby only.
    download = visit(people["investigator"]).client.get(link["href"] + ".ics")
    assert download.status_code == 200
    assert download.mimetype == "text/calendar"
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="{started.reference_code}-uppfoljningsmote-2026-11-27.ics"'
    )
    [event] = Calendar.from_ical(download.data).walk("VEVENT")
    assert str(event["summary"]) == f"Uppföljningsmöte {started.reference_code}, Osby"
    assert event.decoded("dtstart").isoformat() == "2026-11-27T13:00:00+01:00"
    assert int(event["sequence"]) == 1
    participant = sqlite_world.read(lambda s: s.get(Referral, started.id).participant)
    assert participant.name not in download.get_data(as_text=True)
    assert visit(people["kristianstad"]).client.get(link["href"] + ".ics").status_code == 404
    # The investigator sees the meeting but cannot move it.
    assert "Flytta mötet" not in visit(people["investigator"]).get(link["href"]).text
    assert visit(people["investigator"]).post(link["href"] + "/flytta", {}).status == 404
