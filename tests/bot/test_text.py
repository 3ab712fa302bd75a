"""Block Kit as plain text for `mm chat`."""

from __future__ import annotations

from transports.slack.blocks import (
    actions,
    button,
    context,
    divider,
    escape,
    fields,
    header,
    link,
    section,
)
from transports.slack.text import mrkdwn_to_plain, to_plain


def test_links_mentions_bold_and_escapes_read_as_plain_text():
    text = (
        f"*Obs:* {link('https://mm.example/a?b=1&c=2', 'Öppna')} av <@U0OSBY> {escape('A&B <x>')}"
    )
    assert mrkdwn_to_plain(text) == "Obs: Öppna (https://mm.example/a?b=1&c=2) av @U0OSBY A&B <x>"


def test_a_whole_message():
    blocks = [
        header("Rubrik"),
        *fields([("Kommun", "Osby"), ("Status", "Accepterad")]),
        divider(),
        section("Text"),
        context("Sida 1 av 2"),
        actions(button("Nästa sida", "next", "2"), button("Acceptera", "a", "1")),
    ]
    assert to_plain(blocks) == (
        "Rubrik\n======\nKommun: Osby\nStatus: Accepterad\n"
        + "-" * 40
        + "\nText\nSida 1 av 2\n[Nästa sida] [Acceptera]"
    )
    assert to_plain([], "Bara *text*") == "Bara text"
