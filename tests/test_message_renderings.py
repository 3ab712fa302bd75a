"""A kept answer's renderings (notices.message: Message.rendered): worked out once for every
reader of the same kept answer, and never given for a message a caller has changed since."""

from __future__ import annotations

from dataclasses import replace

from notices.message import Message, context, say, section
from transports.slack.blockkit import slack_reply


class Renders:
    """A transport's rendering, counting how often it is worked out."""

    def __init__(self) -> None:
        self.times = 0

    def __call__(self, message: Message) -> dict:
        self.times += 1
        return slack_reply(message).message()


def _kept():
    return Message([*say("Fria platser").parts, section("Osby: 3")], "Fria platser").kept()


def test_readers_of_one_kept_answer_share_its_rendering():
    kept, render = _kept(), Renders()
    first = kept.message().rendered("slack", render)
    second = kept.message().rendered("slack", render)
    assert render.times == 1
    assert second is first
    assert first == slack_reply(kept.message()).message()
    # Another transport's rendering is its own.
    kept.message().rendered("other", render)
    assert render.times == 2


def test_a_message_changed_after_it_was_taken_is_rendered_for_itself():
    kept, render = _kept(), Renders()
    plain = kept.message().rendered("slack", render)
    noted = kept.message()
    noted = replace(noted, parts=[*noted.parts, context("Det här svaret visas bara för dig.")])
    with_note = noted.rendered("slack", render)
    assert "visas bara för dig" in str(with_note)
    assert "visas bara för dig" not in str(plain)
    shared = replace(kept.message(), shared=True).rendered("slack", render)
    added = kept.message()
    added.parts.append(section("Kristianstad: 1"))  # a caller may add to its own list
    assert "Kristianstad" in str(added.rendered("slack", render))
    assert render.times == 4
    # What was changed was not kept: the unchanged message is given the first rendering.
    assert kept.message().rendered("slack", render) is plain
    assert render.times == 4
    assert shared == slack_reply(replace(kept.message(), shared=True)).message()


def test_a_message_of_no_kept_answer_is_rendered_each_time():
    message, render = say("Hej"), Renders()
    message.rendered("slack", render)
    message.rendered("slack", render)
    assert render.times == 2


def test_the_renderings_take_no_part_in_comparing_kept_answers():
    one, two = _kept(), _kept()
    one.message().rendered("slack", Renders())
    assert one == two
    assert hash(one) == hash(two)
