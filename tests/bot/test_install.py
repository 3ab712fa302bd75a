"""How the bot joins the web site: off without settings, HTTP or Socket Mode with them; the
manifest an admin pastes; and `mm chat` on the command line."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import yaml
from flask import Flask
from flask_wtf.csrf import CSRFProtect

import bot
from bot.app import EVENTS_PATH, OPEN_ON_WEB
from bot.commands import COMMANDS
from domain.choices import Role
from domain.clock import FixedClock
from domain.delivery import Transport
from storage.models import User
from tests.bot.conftest import NOW, OSBY_CHANNEL, SECRET, make_chat, open_request
from tests.support.slack import SlackStandIn, sign
from transports import delivery
from transports.slack.settings import DEFAULT_COMMAND, ChatSettings
from web import create_app

MM = str(Path(sys.executable).parent / "mm")
NO_SLACK = {key: "" for key in ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")}


def chat_log(caplog):
    return [r.getMessage() for r in caplog.records if r.name.startswith("mm.chat")]


def test_without_slack_settings_the_site_runs_and_one_line_says_chat_is_off(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}", **NO_SLACK})
    assert chat_log(caplog) == [
        "Chat is off: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (HTTP) or SLACK_APP_TOKEN "
        "and SLACK_BOT_TOKEN (Socket Mode) to turn it on."
    ]
    assert "mm.chat" not in app.extensions
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.post(EVENTS_PATH, data="x").status_code == 404


def test_a_signing_secret_without_a_bot_token_is_still_off(tmp_path, caplog):
    settings = {**NO_SLACK, "SLACK_SIGNING_SECRET": SECRET}
    create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}", **settings})
    assert chat_log(caplog) == ["Chat is off: SLACK_BOT_TOKEN is not set."]


def test_without_slack_the_site_sends_notices_without_the_chat_bot(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    mail = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": "2525", "MAIL_FROM": "mm@example.se"}
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}", **NO_SLACK, **mail})
    try:
        assert chat_log(caplog) == ["Slack is off; notices go by email."]
        assert "mm.chat" not in app.extensions
        assert app.extensions[delivery.IN_APP].channels.transports == {Transport.EMAIL}
        assert app.test_client().post(EVENTS_PATH, data="x").status_code == 404
    finally:
        app.extensions[delivery.IN_APP].close()


def test_settings_come_from_the_environment_unless_the_config_says_otherwise():
    environ = {"SLACK_BOT_TOKEN": "xoxb-env", "SLACK_COMMAND": "mm-test", "SITE_URL": "https://x/"}
    settings = ChatSettings.load({"SLACK_BOT_TOKEN": "xoxb-config"}, environ)
    assert settings.bot_token == "xoxb-config"
    assert settings.command == "/mm-test" and settings.site_url == "https://x"
    assert settings.enabled and not settings.http and not settings.socket_mode
    assert ChatSettings.load({}, {"SLACK_API_URL": "http://h:1/api"}).api_url == "http://h:1/api/"


def test_in_socket_mode_the_site_serves_no_endpoint_but_still_posts_requests(sqlite_sessions):
    chat = make_chat(sqlite_sessions, SLACK_SIGNING_SECRET="", SLACK_APP_TOKEN="xapp-1-test")
    harness = next(chat)
    try:
        assert harness.app.test_client().post(EVENTS_PATH, data="x").status_code == 404
        harness.set_channel("Osby", OSBY_CHANNEL)
        investigator = harness.world.user(Role.INVESTIGATOR)
        harness.world.file(investigator, "Osby", NOW.date())
        harness.drain()
        [card] = harness.slack.sent("chat.postMessage")
        assert card["channel"] == OSBY_CHANNEL
    finally:
        next(chat, None)


def test_the_slash_command_can_have_another_name(sqlite_sessions):
    chat = make_chat(sqlite_sessions, SLACK_COMMAND="/mm-test")
    harness = next(chat)
    try:
        assert "Skriv `/mm-test koppla`" in harness.says("U0NOBODY", "hjälp")
        harness.slash = "/mm"
        assert harness.command("U0NOBODY", "hjälp").status_code == 404  # not ours
    finally:
        next(chat, None)


def test_slack_needs_no_csrf_token_but_still_a_signature(sqlite_sessions):
    """The web site protects its forms with Flask-WTF; Slack's requests are signed instead."""
    slack = SlackStandIn()
    app = Flask("site")
    app.config.update(
        SECRET_KEY="k",
        CLOCK=FixedClock(NOW),
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_TEAM_ID="T0MM",
        SLACK_API_URL=slack.api_url,
    )
    app.extensions["mm.sessions"] = sqlite_sessions
    CSRFProtect(app)
    runtime = bot.install(app, delivery.install(app))
    try:
        body = "command=%2Fmm&text=hj%C3%A4lp&user_id=U0X&team_id=T0MM&trigger_id=1.2"
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        client = app.test_client()
        signed = client.post(EVENTS_PATH, data=body, headers={**headers, **sign(SECRET, body)})
        assert signed.status_code == 200
        assert "koppla" in signed.get_json()["text"] + json.dumps(signed.get_json()["blocks"])
        assert client.post(EVENTS_PATH, data=body, headers=headers).status_code == 401
    finally:
        runtime.close()
        slack.stop()


def test_slack_can_verify_the_events_url(chat):
    body = json.dumps({"token": "legacy", "challenge": "c-123", "type": "url_verification"})
    response = chat.post(body, "application/json")
    assert response.status_code == 200 and response.get_json() == {"challenge": "c-123"}


def test_the_manifest_gives_an_admin_a_working_app():
    manifest = yaml.safe_load(Path("bot/manifest.yml").read_text(encoding="utf-8"))
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == DEFAULT_COMMAND
    settings = manifest["settings"]
    urls = [
        command["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    ]
    assert all(url.startswith("https://") and url.endswith(EVENTS_PATH) for url in urls)
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["event_subscriptions"]["bot_events"] == [
        "message.im",
        "app_home_opened",
        "app_mention",
    ]
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "commands",
        "chat:write",
        "im:history",
        "im:read",
        "im:write",
        "channels:history",
        "groups:history",
        "app_mentions:read",
    }
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    [shortcut] = manifest["features"]["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", OPEN_ON_WEB)
    assert shortcut["name"] == "Öppna på webbplatsen"
    # Every subcommand, in the words a user types.
    hint = command["usage_hint"].split(" | ")
    assert [h.split()[0] for h in hint] == [c.name for c in COMMANDS]
    assert len(manifest["display_information"]["long_description"]) >= 174


def test_the_procfile_has_a_socket_mode_process():
    lines = dict(line.split(":", 1) for line in Path("Procfile").read_text().splitlines())
    assert lines["chat"].strip() == "mm chat socket"


def runner(chat, **settings):
    """`mm …` in-process with click's runner: what the console script runs, minus the start-up."""
    from click.testing import CliRunner

    from cli.main import cli, speak_swedish

    speak_swedish()
    env = {
        **NO_SLACK,
        "DATABASE_URL": chat.app.config["DATABASE_URL"],
        "SITE_URL": "https://mm.example",
        **settings,
    }

    def mm(*args, ok=True):
        if args[0] != "--date":
            args = ("--date", "2026-11-23", *args)
        done = CliRunner().invoke(cli, list(args), env=env, prog_name="mm")
        assert done.exception is None or isinstance(done.exception, SystemExit), done.output
        assert (done.exit_code == 0) is ok, done.output
        return done.output

    return mm


def test_mm_chat_answers_like_slack_on_the_command_line(chat):
    contact = chat.world.user(Role.MUNICIPALITY_CONTACT, "Osby")
    email = chat.world.read(lambda s: s.get(User, contact.user_id).email)
    env = {**os.environ, **NO_SLACK, "DATABASE_URL": chat.app.config["DATABASE_URL"]}
    done = subprocess.run(  # the installed console script, once
        [MM, "chat", "--as", email, "platser", "Osby"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == ["Lediga platser i Osby", "====================="]
    assert "Lediga platser: 5" in done.stdout
    mm = runner(chat)
    assert "Kapaciteten i Osby är nu 3." in mm("chat", "--as", email, "KAPACITET 3")
    assert "Jag vet inte vem du är än." in mm("chat", "--slack-user", "U0NOBODY", "budget")
    assert "Kopplingen görs i Slack" in mm("chat", "--as", email, "koppla")
    assert "Det finns ingen aktiv användare" in mm("chat", "--as", "nobody@x.se", "hjälp", ok=False)
    assert mm("municipality", "channel", "osby", "c0123abcd").strip() == (
        "Förfrågningar till Osby visas i Slack-kanalen C0123ABCD."
    )
    assert "är inget kanal-id" in mm("municipality", "channel", "Osby", "#osby", ok=False)
    assert mm("municipality", "channel", "Osby", "--remove").strip() == (
        "Förfrågningar till Osby visas inte i chatten."
    )


def test_mm_chat_flush_sends_what_is_waiting(chat):
    chat.slack.fail_next("chat.postMessage", "service_unavailable")
    open_request(chat)
    assert [c["channel"] for c in chat.slack.sent("chat.postMessage")] == [OSBY_CHANNEL]
    mm = runner(chat, SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=chat.slack.api_url)
    assert mm("--date", "2026-11-24", "chat", "flush").strip() == (
        "Skickade chattmeddelanden: 1. Försöks igen senare: 0. Uppgivna: 0."
    )
    assert mm("--date", "2026-11-24", "chat", "flush").startswith("Skickade chattmeddelanden: 0.")
    assert [c["channel"] for c in chat.slack.sent("chat.postMessage")] == [OSBY_CHANNEL] * 2
    assert "SLACK_BOT_TOKEN" in runner(chat)("chat", "flush", ok=False)


def test_mm_chat_socket_says_why_it_cannot_run(chat):
    assert "Socket Mode kräver SLACK_APP_TOKEN" in runner(chat)("chat", "socket", ok=False)
    mm = runner(
        chat,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_APP_TOKEN="xapp-1-test",
        SLACK_API_URL=chat.slack.api_url,
    )
    assert "Kunde inte ansluta till Slack: SlackApiError" in mm("chat", "socket", ok=False)
    assert [c.method for c in chat.slack.calls] == ["apps.connections.open"]
