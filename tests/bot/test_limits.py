"""Block Kit's limits hold whatever the data size: 290 municipalities, long names, long text.

(Every payload of every bot test is also checked by tests.support.blockkit after the test.)"""

from __future__ import annotations

from bot.replies import PAGE_ACTION
from domain.choices import Role
from storage.models import Municipality
from tests.support.blockkit import problems_in_blocks, problems_in_payload
from transports.slack.blocks import MAX_MESSAGE_BLOCKS, Reply, fit_message, paragraphs, section
from transports.slack.text import to_plain

LONG = "Kommunen med det mycket långa namnet & <tecken> som måste skrivas om i mrkdwn "


def many_municipalities(chat, count=290):
    def add(session):
        for number in range(count):
            name = f"{LONG}{number:03d}"[-100:] if number % 2 else f"Kommun {number:03d}"
            session.add(Municipality(name=name, code=f"{3000 + number}", capacity=number % 9))

    chat.world.do(add)


def coordinator(chat):
    actor = chat.world.user(Role.COORDINATOR)
    chat.link(actor, "U0COORD")
    return "U0COORD"


def test_290_municipalities_give_a_valid_answer_a_page_at_a_time(chat):
    many_municipalities(chat)
    user = coordinator(chat)
    first = chat.reply(user, "platser")
    assert problems_in_payload("ack", first) == []
    text = to_plain(first["blocks"], first["text"])
    assert "Sida 1 av 12." in text
    assert "Bromölla: 5 lediga platser" in text
    assert first["text"].startswith("Totalt: ")
    [page_buttons] = [b for b in first["blocks"] if b["type"] == "actions"]
    [next_button] = page_buttons["elements"]
    assert (next_button["action_id"], next_button["value"]) == (PAGE_ACTION, "2")

    chat.click(user, PAGE_ACTION, "2")
    chat.drain()
    [second] = chat.slack.sent("response_url")
    assert second["replace_original"] is True
    assert "Sida 2 av 12." in to_plain(second["blocks"])
    assert problems_in_payload("response_url", second) == []
    last = chat.reply(user, "platser sida 12")
    assert "&lt;tecken&gt;" in str(last["blocks"])  # data is escaped, not taken as markup
    said = to_plain(last["blocks"])
    assert "Sida 12 av 12." in said and "[Föregående sida]" in said and "[Nästa sida]" not in said


def test_one_municipality_with_a_long_name(chat):
    many_municipalities(chat, count=3)
    user = coordinator(chat)
    name = f"{LONG}001"[-100:]
    said = chat.says(user, f"platser {name}")
    assert said.startswith("Lediga platser i " + name[:30])


def test_a_shared_page_keeps_the_budget_out_when_someone_turns_it(chat):
    many_municipalities(chat, count=60)
    user = coordinator(chat)
    shared = chat.reply(user, "platser dela")
    assert shared["response_type"] == "in_channel"
    [buttons] = [b for b in shared["blocks"] if b["type"] == "actions"]
    assert buttons["elements"][0]["value"] == "2:shared"
    chat.click(user, PAGE_ACTION, "2:shared")
    chat.drain()
    [second] = chat.slack.sent("response_url")
    assert "helårsplatser" not in str(second)


def test_a_message_that_would_be_too_long_is_cut_with_a_note():
    blocks = paragraphs(f"Rad {n} " + "x" * 90 for n in range(2000))
    assert len(blocks) > MAX_MESSAGE_BLOCKS
    fitted = fit_message(blocks)
    assert problems_in_blocks(fitted) == []
    assert fitted[-1]["elements"][0]["text"] == ("Svaret har kortats. Webbplatsen visar allt.")
    message = Reply(blocks=[section("y" * 5000)] * 60, text="z" * 50_000).message()
    assert problems_in_payload("chat.postMessage", message) == []
    assert len(message["text"]) <= 3000
