"""The Home tab for each role (published when opened and when the person's work changes),
the welcome in the Messages tab, @-mentions, and the message shortcut "Öppna på webbplatsen".
Everything sent is checked for Block Kit's limits and personal data by the fixture."""

from __future__ import annotations

from bot.app import OPEN_ON_WEB
from domain.choices import Role
from tests.bot.conftest import OSBY_CHANNEL, open_request
from transports.slack.text import to_plain

_events = iter(range(1, 10_000))


def opened(chat, user: str, tab: str = "home") -> None:
    chat.event({"type": "app_home_opened", "user": user, "tab": tab}, f"Ev-open-{next(_events)}")
    chat.drain()


def home_of(chat, user: str) -> str:
    published = [c for c in chat.slack.delivered("views.publish") if c.body["user_id"] == user]
    assert published, f"no Home tab published for {user}"
    view = published[-1].body["view"]
    assert view["type"] == "home"
    return to_plain(view["blocks"])


def test_each_role_sees_its_own_work_on_the_home_tab(chat):
    scene = open_request(chat)
    association = chat.world.user(Role.ASSOCIATION)
    chat.link(association, "U0ASSOC")
    for user in ("U0INV", "U0OSBY", "U0KRIS", "U0COORD", "U0ASSOC", "U0NOBODY"):
        opened(chat, user)

    investigator = home_of(chat, "U0INV")
    assert "Du är kopplad som: Utredare, Försäkringskassan." in investigator
    assert f"Dina pågående anmälningar\n{scene.code}: Väntar på svar (Osby)" in investigator
    assert "Budgeten för 2026" not in investigator
    assert "Ny anmälan (https://mm.example/anmalan/ny)" in investigator

    osby = home_of(chat, "U0OSBY")
    assert "1 förfrågan väntar på svar" in osby
    # The worklist on the web has the same request to answer, and the tab links to it.
    assert "1 sak att göra på webbplatsen. (https://mm.example/att-gora)" in osby
    assert f"{scene.code} till Osby, tillfrågad 20 nov. 2026" in osby
    assert (
        "Lediga platser\nOsby: 5 lediga platser (kapacitet 5, startade 0, accepterade men "
        "inte startade 0)\n---" in osby
    )
    assert "Bromölla" not in osby and "Totalt" not in osby
    assert "Förfrågningar (https://mm.example/forfragningar)" in osby

    kristianstad = home_of(chat, "U0KRIS")
    assert "Inget väntar på dig just nu." in kristianstad
    assert "att göra på webbplatsen" not in kristianstad
    assert scene.code not in kristianstad  # another municipality's request

    coordinator = home_of(chat, "U0COORD")
    assert f"{scene.code} till Osby" in coordinator
    assert "Totalt: 31 lediga platser." in coordinator
    assert "Budgeten för 2026 räcker till ytterligare" in coordinator

    association_home = home_of(chat, "U0ASSOC")
    assert "Budgeten för 2026 räcker till ytterligare" in association_home
    assert scene.code not in association_home

    nobody = home_of(chat, "U0NOBODY")
    assert "Jag vet inte vem du är än. Skriv `/mm koppla`" in nobody
    assert "Chatten visar bara referenskoder, aldrig personuppgifter." in nobody


def test_the_home_tab_is_published_again_when_the_work_changes(chat):
    scene = open_request(chat)  # filing it published the Home tabs it changed
    assert scene.code in home_of(chat, "U0OSBY")
    assert scene.code in home_of(chat, "U0INV")
    assert "U0KRIS" not in {c.body["user_id"] for c in chat.slack.delivered("views.publish")}


def test_the_first_visit_to_the_messages_tab_gets_a_welcome_once(chat):
    opened(chat, "U0NEW", tab="messages")
    opened(chat, "U0NEW", tab="messages")
    [welcome] = chat.slack.delivered("chat.postMessage")
    assert welcome.body["channel"] == "U0NEW"
    assert to_plain(welcome.body["blocks"]) == (
        "Välkommen! Jag är Möjlighetsmodellens bot. Skriv `hjälp` här för att se vad du kan "
        "göra, eller `koppla` för att koppla ditt Slack-konto till webbplatsen.\n"
        "Samma kommandon fungerar med `/mm` i alla kanaler. Jag visar bara referenskoder, "
        "kommuner, datum och antal, aldrig personuppgifter."
    )


def test_a_mention_is_answered_like_a_direct_message_but_privately(chat):
    coordinator = chat.world.user(Role.COORDINATOR)
    chat.link(coordinator, "U0COORD")
    mention = {"type": "app_mention", "channel": "C0ALL", "user": "U0COORD", "ts": "1.1"}
    chat.event({**mention, "text": "<@U0BOT> platser Osby"}, "Ev-m-1")
    chat.event({**mention, "text": "<@U0BOT|mm> platser dela"}, "Ev-m-2")
    chat.drain()
    [private] = chat.slack.delivered("chat.postEphemeral")
    assert (private.body["channel"], private.body["user"]) == ("C0ALL", "U0COORD")
    assert to_plain(private.body["blocks"]).startswith("Lediga platser i Osby")
    [shared] = chat.slack.delivered("chat.postMessage")
    assert shared.body["channel"] == "C0ALL"
    assert "Totalt: 31 lediga platser." in to_plain(shared.body["blocks"])
    assert "Budgeten" not in to_plain(shared.body["blocks"])  # not for everyone in a channel


def test_the_message_shortcut_links_to_the_referral_on_the_web_site(chat):
    scene = open_request(chat)
    [card] = chat.slack.delivered("chat.postMessage")

    def shortcut(message: dict) -> dict:
        return {
            "type": "message_action",
            "callback_id": OPEN_ON_WEB,
            "user": {"id": "U0OSBY"},
            "team": {"id": "T0MM"},
            "channel": {"id": OSBY_CHANNEL},
            "message": message,
            "response_url": chat.slack.response_url("shortcut"),
            "trigger_id": "9.9.t",
        }

    card_message = {"ts": "1.2", "text": card.body["text"], "blocks": card.body["blocks"]}
    assert chat.interact(shortcut(card_message)).status_code == 200
    assert chat.interact(shortcut({"ts": "1.3", "text": "Hej allihop"})).status_code == 200
    chat.drain()
    # The two run in parallel threads: their answers may arrive in either order.
    answers = {to_plain(a["blocks"]): a for a in chat.slack.sent("response_url")}
    assert sorted(answers) == [
        "Det här meddelandet gäller ingen anmälan. Webbplatsen: https://mm.example "
        "(https://mm.example)",
        f"Öppna {scene.code} på webbplatsen (https://mm.example/anmalningar/{scene.code})",
    ]
    assert {a["response_type"] for a in answers.values()} == {"ephemeral"}
