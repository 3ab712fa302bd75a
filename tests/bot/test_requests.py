"""A request in the municipality's channel, answered with Acceptera / Avböj and modals."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from domain.choices import DeclineReason, Role
from domain.lifecycle import ReferralStatus
from notices.request_cards import ACCEPT_ACTION, DECLINE_ACTION
from services import referrals
from storage.models import ChatOutbox, PlacementRequest, Referral
from tests.bot.conftest import (
    NOW,
    OSBY_CHANNEL,
    SITE,
    date_value,
    decline_values,
    open_request,
)
from transports.slack.text import to_plain


def plain(body) -> str:
    return to_plain(body.get("blocks", []), body.get("text", ""))


def posts(chat, channel):
    return [b for b in chat.slack.sent("chat.postMessage") if b["channel"] == channel]


def updates(chat):
    return chat.slack.sent("chat.update")


def modal_of(chat, user, action, request_id):
    assert chat.click(user, action, str(request_id), channel=OSBY_CHANNEL).status_code == 200
    chat.drain()
    return chat.slack.sent("views.open")[-1]["view"]


def test_an_opened_request_is_posted_in_the_municipalitys_channel(chat):
    scene = open_request(chat)
    [card] = posts(chat, OSBY_CHANNEL)
    text = plain(card)
    assert f"Förfrågan till Osby: {scene.code}" in text
    # The benefit type is social-insurance information about the person: not in chat.
    assert "Ersättning" not in text and "Sjukpenning" not in text
    assert "Önskad kommun: Osby" in text
    assert "Förfrågan skickad: 20 nov. 2026 10:00" in text
    assert f"{SITE}/anmalningar/{scene.code}" in text
    assert "[Acceptera] [Avböj]" in text
    buttons = card["blocks"][-1]["elements"]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        (ACCEPT_ACTION, str(scene.request_id)),
        (DECLINE_ACTION, str(scene.request_id)),
    ]


def test_no_channel_no_message_and_the_request_still_opens(chat):
    investigator = chat.world.user(Role.INVESTIGATOR)
    referral = chat.world.file(investigator, "Bromölla", NOW.date())
    chat.drain()
    assert chat.world.status(referral.id) is ReferralStatus.REQUESTED
    assert chat.slack.sent("chat.postMessage") == []


def test_accept_through_the_modal_updates_the_card_and_tells_the_investigator(chat):
    scene = open_request(chat)
    view = modal_of(chat, "U0OSBY", ACCEPT_ACTION, scene.request_id)
    assert view["title"]["text"] == "Acceptera förfrågan"
    assert scene.code in plain({"blocks": view["blocks"]})

    early = chat.submit("U0OSBY", view, date_value("2026-11-10"))
    assert early.get_json() == {
        "response_action": "errors",
        "errors": {
            "meeting_on": "Trepartssamtalet kan inte vara före det datum förfrågan skickades, "
            "20 nov. 2026."
        },
    }
    missing = chat.submit("U0OSBY", view, date_value(None))
    assert missing.get_json()["errors"] == {"meeting_on": "Ange datum för trepartssamtalet."}
    assert chat.world.status(scene.referral_id) is ReferralStatus.REQUESTED

    done = chat.submit("U0OSBY", view, date_value("2026-12-01"))
    assert done.status_code == 200 and done.data == b""  # the modal closes
    chat.drain()
    assert chat.world.status(scene.referral_id) is ReferralStatus.ACCEPTED
    [update] = updates(chat)
    [card] = posts(chat, OSBY_CHANNEL)
    assert update["channel"] == OSBY_CHANNEL and update["ts"]
    assert "Accepterad av @U0OSBY 23 nov. 2026 10:00. Trepartssamtal: 1 dec. 2026." in plain(update)
    assert not [b for b in update["blocks"] if b["type"] == "actions"]
    assert plain(card).splitlines()[0] == plain(update).splitlines()[0]
    [dm] = posts(chat, "U0INV")
    assert plain(dm).startswith(
        f"Osby har accepterat förfrågan om {scene.code}. Trepartssamtal: 1 dec. 2026."
    )


def test_decline_needs_a_reason_and_other_needs_a_comment_that_stays_out_of_chat(chat):
    scene = open_request(chat)
    view = modal_of(chat, "U0OSBY", DECLINE_ACTION, scene.request_id)
    assert [o["text"]["text"] for o in view["blocks"][1]["element"]["options"]] == [
        "Ingen kapacitet",
        "Vårt erbjudande matchar inte deltagarens behov",
        "Geografiskt läge",
        "Inte i målgruppen",
        "Information saknas",
        "Annan anledning",
    ]
    no_reason = chat.submit("U0OSBY", view, decline_values(None))
    assert no_reason.get_json()["errors"] == {"reason": "Välj en anledning till att ni avböjer."}
    other = chat.submit("U0OSBY", view, decline_values("other"))
    assert other.get_json()["errors"] == {
        "comment": "Beskriv anledningen i kommentaren när du väljer Annan anledning."
    }
    comment = "Deltagaren har sagt att hon inte kan resa till Osby"
    assert chat.submit("U0OSBY", view, decline_values("other", comment)).data == b""
    chat.drain()
    stored = chat.world.read(lambda s: s.get(PlacementRequest, scene.request_id))
    assert stored.decline_reason is DeclineReason.OTHER and stored.decline_comment == comment
    [update] = updates(chat)
    assert "Avböjd av @U0OSBY 23 nov. 2026 10:00. Anledning: Annan anledning." in plain(update)
    [dm] = posts(chat, "U0INV")
    assert "Osby har avböjt förfrågan om" in plain(dm)
    assert "Du kan fråga en annan kommun på webbplatsen." in plain(dm)
    assert chat.leaks() == []  # the comment is in the database, and nowhere in chat


def test_only_the_asked_municipalitys_linked_contacts_may_answer(chat):
    scene = open_request(chat)
    chat.click("U0KRIS", ACCEPT_ACTION, str(scene.request_id), channel=OSBY_CHANNEL)
    chat.click("U0COORD", DECLINE_ACTION, str(scene.request_id), channel=OSBY_CHANNEL)
    chat.click("U0STRANGER", ACCEPT_ACTION, str(scene.request_id), channel=OSBY_CHANNEL)
    chat.drain()
    assert chat.slack.sent("views.open") == []
    refusals = {r["user"]: r for r in chat.slack.sent("chat.postEphemeral")}
    assert sorted(refusals) == ["U0COORD", "U0KRIS", "U0STRANGER"]
    assert {r["channel"] for r in refusals.values()} == {OSBY_CHANNEL}
    only_contacts = "Bara kontaktpersonerna i den tillfrågade kommunen kan göra detta."
    assert refusals["U0KRIS"]["text"] == refusals["U0COORD"]["text"] == only_contacts
    assert "Skriv `/mm koppla`" in refusals["U0STRANGER"]["text"]
    # A modal submitted by someone else anyway changes nothing.
    view = modal_of(chat, "U0OSBY", ACCEPT_ACTION, scene.request_id)
    refused = chat.submit("U0KRIS", view, date_value("2026-12-01"))
    assert refused.get_json()["errors"] == {"meeting_on": only_contacts}
    assert chat.world.status(scene.referral_id) is ReferralStatus.REQUESTED


def test_a_click_on_an_answered_request_says_who_answered(chat):
    scene = open_request(chat)
    chat.world.do(
        referrals.decline_request,
        actor=scene.osby,
        request_id=scene.request_id,
        reason=DeclineReason.NO_CAPACITY,
        comment="",
        now=NOW,
    )
    chat.drain()
    chat.click("U0OSBY", ACCEPT_ACTION, str(scene.request_id), channel=OSBY_CHANNEL)
    chat.drain()
    assert chat.slack.sent("views.open") == []
    [told] = chat.slack.sent("chat.postEphemeral")
    assert told["text"] == (
        "Förfrågan är redan besvarad. Avböjd av <@U0OSBY> 23 nov. 2026 10:00. "
        "Anledning: Ingen kapacitet."
    )


def test_an_answer_given_on_the_web_site_updates_the_card_too(chat):
    scene = open_request(chat)
    unlinked = chat.world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    chat.world.do(
        referrals.accept_request,
        actor=unlinked,
        request_id=scene.request_id,
        meeting_on=NOW.date(),
        now=NOW,
    )
    chat.drain()
    [update] = updates(chat)
    assert "Accepterad av Osby på webbplatsen 23 nov. 2026 10:00." in plain(update)


def test_a_withdrawn_request_loses_its_buttons(chat):
    scene = open_request(chat)
    chat.world.do(
        lambda s: referrals.withdraw_referral(
            s, actor=scene.investigator, referral=s.get(Referral, scene.referral_id), now=NOW
        )
    )
    chat.drain()
    [update] = updates(chat)
    assert "Återkallad av Försäkringskassan 23 nov. 2026 10:00." in plain(update)
    assert "[Acceptera]" not in plain(update)
    assert posts(chat, "U0INV") == []  # the investigator did it: no message


def test_withdrawn_consent_shows_the_request_as_withdrawn_without_a_reason(chat):
    scene = open_request(chat)
    chat.world.do(
        lambda s: referrals.withdraw_consent(
            s,
            actor=scene.investigator,
            referral=s.get(Referral, scene.referral_id),
            withdrawn_on=NOW.date(),
            now=NOW,
        )
    )
    chat.drain()
    [update] = updates(chat)
    text = plain(update)
    assert "Återkallad av Försäkringskassan 23 nov. 2026 10:00." in text
    assert "[Acceptera]" not in text
    assert "samtycke" not in text.lower()  # why it was withdrawn stays on the web site


def test_the_same_modal_submitted_twice_answers_once(chat):
    scene = open_request(chat)
    view = modal_of(chat, "U0OSBY", ACCEPT_ACTION, scene.request_id)
    assert chat.submit("U0OSBY", view, date_value("2026-12-01")).data == b""
    again = chat.submit("U0OSBY", view, date_value("2026-12-02")).get_json()
    chat.drain()
    assert again["response_action"] == "update"
    assert "Trepartssamtal: 1 dec. 2026." in plain({"blocks": again["view"]["blocks"]})
    assert len(updates(chat)) == 1 and len(posts(chat, "U0INV")) == 1


def test_two_contacts_answering_at_once_exactly_one_wins(chat_on_both):
    """One accepts and the other declines at the same moment: one answer, and the other is
    told who answered first. On SQLite and on PostgreSQL."""
    chat = chat_on_both
    scene = open_request(chat)
    chat.link(chat.world.user(Role.MUNICIPALITY_CONTACT, "Osby"), "U0OSBY2")
    accept_view = modal_of(chat, "U0OSBY", ACCEPT_ACTION, scene.request_id)
    decline_view = modal_of(chat, "U0OSBY2", DECLINE_ACTION, scene.request_id)
    start, answers = threading.Barrier(2), {}

    def answer(user, view, values):
        start.wait()
        answers[user] = chat.submit(user, view, values)

    threads = [
        threading.Thread(target=answer, args=("U0OSBY", accept_view, date_value("2026-12-01"))),
        threading.Thread(
            target=answer, args=("U0OSBY2", decline_view, decline_values("no_capacity"))
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    chat.drain()
    bodies = {user: r.get_json() if r.data else {} for user, r in answers.items()}
    [winner] = [user for user, body in bodies.items() if body == {}]
    [loser] = [user for user, body in bodies.items() if body]
    assert bodies[loser]["response_action"] == "update"
    told = plain({"blocks": bodies[loser]["view"]["blocks"]})
    assert "Förfrågan är redan besvarad." in told
    assert f"av @{winner} 23 nov. 2026 10:00" in told
    answered = chat.world.read(
        lambda s: s.scalar(
            select(func.count())
            .select_from(PlacementRequest)
            .where(PlacementRequest.answered_at.is_not(None))
        )
    )
    assert answered == 1
    assert len(updates(chat)) == 1 and len(posts(chat, "U0INV")) == 1
    # The card, its update and the investigator's message: nothing queued twice.
    assert chat.world.read(lambda s: s.scalar(select(func.count()).select_from(ChatOutbox))) == 3
