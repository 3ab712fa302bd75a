"""`mm chat …` and `mm municipality channel …`: the bot from the command line.

mm chat --as utredare1@fk.example "platser Osby"   the same answer as /mm in Slack, as text
mm chat --slack-user U012AB3CD "hjälp"             as a Slack user (linked or not)
mm chat flush                                      deliver queued chat messages now
mm chat socket                                     run the bot in Socket Mode
mm municipality channel Osby C0123ABCD             post Osby's requests in that channel
"""

from __future__ import annotations

import threading

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk.errors import SlackApiError

from bot import commands
from bot.runtime import open_chat_runtime
from cli.runtime import Runtime, pass_runtime
from domain.clock import STOCKHOLM
from locales import gettext as _
from services.municipalities import find_municipality, set_matrix_room, set_slack_channel
from services.users import actor_of, find_user_by_email
from storage.db import unit_of_work
from transports.matrix.settings import MatrixSettings
from transports.slack.blockkit import slack_reply
from transports.slack.settings import OUTBOX_SWEEP_SECONDS, ChatSettings
from transports.slack.text import to_plain

ASK = "ask"


class ChatGroup(click.Group):
    """A group whose unknown first word is not an error but the start of a chat command."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] in self.commands and args[0] != ASK:
            return super().resolve_command(ctx, args)
        return ASK, self.commands[ASK], args


@click.group(
    cls=ChatGroup,
    invoke_without_command=True,
    help=_("Use the chat bot from the command line: the same answers as in Slack, as text."),
)
@click.option("--as", "email", help=_("Ask as the user with this e-mail address."))
@click.option("--slack-user", help=_("Ask as this Slack user id, linked or not."))
@click.pass_context
def chat(ctx: click.Context, email: str | None, slack_user: str | None) -> None:
    ctx.meta["mm.chat.who"] = (email, slack_user)
    if ctx.invoked_subcommand is None:
        ctx.invoke(ask, words=())


@chat.command(ASK, hidden=True)
@click.argument("words", nargs=-1)
@pass_runtime
def ask(runtime: Runtime, words: tuple[str, ...]) -> None:
    email, slack_user = click.get_current_context().meta.get("mm.chat.who", (None, None))
    context = commands.ChatContext(ChatSettings.load(), runtime.sessions, runtime.clock)
    if slack_user:
        asker = commands.asker_for_slack(context, slack_user.strip())
    elif email:
        with unit_of_work(runtime.sessions) as session:
            user = find_user_by_email(session, email)
            if user is None or not user.active:
                raise click.ClickException(
                    _("There is no active user with the e-mail address %(email)s.", email=email)
                )
            asker = commands.Asker(user.slack_user_id, actor_of(user))
    else:
        raise click.UsageError(_("Say who is asking: --as EMAIL or --slack-user U012AB3CD."))
    reply = commands.answer(context, asker, " ".join(words))
    click.echo(to_plain(slack_reply(reply).message()["blocks"], reply.text))
    if reply.shared:
        click.echo(_("(In Slack this answer is shown to everyone in the channel.)"))


@chat.command("flush", help=_("Send the chat messages that are waiting (for a scheduler)."))
@pass_runtime
def flush(runtime: Runtime) -> None:
    chat_runtime = open_chat_runtime(runtime.sessions, runtime.clock)
    try:
        counts = chat_runtime.sweep()
    finally:
        chat_runtime.close()
    again = sum(counts.get(state, 0) for state in ("pending", "deferred", "rate_limited"))
    failed = sum(counts.get(state, 0) for state in ("failed", "skipped", "unknown"))
    click.echo(
        _(
            "Chat messages sent: %(sent)s. To try again later: %(again)s. Given up: %(failed)s.",
            sent=counts.get("sent", 0),
            again=again,
            failed=failed,
        )
    )
    if failed:
        click.echo(_("The administrator sees why on the web site, under Failed deliveries."))
    if again or failed:
        raise click.exceptions.Exit(1)


@chat.command("socket", help=_("Run the chat bot in Socket Mode (needs SLACK_APP_TOKEN)."))
@pass_runtime
def socket(runtime: Runtime) -> None:
    settings = ChatSettings.load()
    if not settings.socket_mode:
        raise click.ClickException(_("Socket Mode needs SLACK_APP_TOKEN and SLACK_BOT_TOKEN."))
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import build_bolt_app

    chat_runtime = open_chat_runtime(runtime.sessions, runtime.clock, settings)
    handler = SocketModeHandler(build_bolt_app(chat_runtime), settings.app_token)
    try:
        handler.connect()
    except (SlackApiError, OSError) as error:
        chat_runtime.close()
        raise click.ClickException(
            _("Could not connect to Slack: %(error)s", error=type(error).__name__)
        ) from None
    click.echo(_("Connected to Slack in Socket Mode. Stop with Ctrl+C."))
    chat_runtime.identity.verify_in_background(chat_runtime.client)
    # The outbox is swept on a schedule, so what Slack refused is tried again.
    sweeper = BackgroundScheduler(timezone=STOCKHOLM)
    sweeper.add_job(
        chat_runtime.sweep,
        IntervalTrigger(seconds=OUTBOX_SWEEP_SECONDS),
        coalesce=True,
        max_instances=1,
    )
    sweeper.start()
    try:
        threading.Event().wait()  # the handler's threads do the work until Ctrl+C
    except KeyboardInterrupt:
        pass
    finally:
        sweeper.shutdown(wait=False)
        handler.close()
        chat_runtime.close()


@chat.command("matrix", help=_("Run the chat bot on the Matrix homeserver (MATRIX_* settings)."))
@pass_runtime
def matrix(runtime: Runtime) -> None:
    settings = MatrixSettings.load()
    if not settings.enabled:
        raise click.ClickException(
            _(
                "The Matrix bot needs MATRIX_HOMESERVER, MATRIX_USER_ID and MATRIX_ACCESS_TOKEN "
                "(or MATRIX_PASSWORD)."
            )
        )
    from bot.matrix_bot import run

    chat_runtime = open_chat_runtime(runtime.sessions, runtime.clock)
    click.echo(_("The Matrix bot is running as %(user)s. Stop with Ctrl+C.", user=settings.user_id))
    try:
        run(chat_runtime, settings)
    except KeyboardInterrupt:
        pass
    finally:
        chat_runtime.close()


@click.group(help=_("Settings of the municipalities."))
def municipality() -> None:
    pass


@municipality.command(
    "channel", help=_("Show or set the Slack channel where a municipality's requests are posted.")
)
@click.argument("name")
@click.argument("channel", required=False)
@click.option("--remove", is_flag=True, help=_("Post no more requests in chat."))
@pass_runtime
def municipality_channel(runtime: Runtime, name: str, channel: str | None, remove: bool) -> None:
    with unit_of_work(runtime.sessions) as session:
        found = find_municipality(session, name)
        if channel or remove:
            set_slack_channel(
                session,
                actor=None,
                municipality_id=found.id,
                channel=None if remove else channel,
                now=runtime.now(),
            )
        current, municipality_name = found.slack_channel, found.name
    if current:
        click.echo(
            _(
                "Requests to %(municipality)s are posted in the Slack channel %(channel)s.",
                municipality=municipality_name,
                channel=current,
            )
        )
    else:
        click.echo(
            _(
                "Requests to %(municipality)s are not posted in chat.",
                municipality=municipality_name,
            )
        )


@municipality.command(
    "room", help=_("Show or set the Matrix room where a municipality's requests are posted.")
)
@click.argument("name")
@click.argument("room", required=False)
@click.option("--remove", is_flag=True, help=_("Post no more requests in Matrix."))
@pass_runtime
def municipality_room(runtime: Runtime, name: str, room: str | None, remove: bool) -> None:
    with unit_of_work(runtime.sessions) as session:
        found = find_municipality(session, name)
        if room or remove:
            set_matrix_room(
                session,
                actor=None,
                municipality_id=found.id,
                room=None if remove else room,
                now=runtime.now(),
            )
        current, municipality_name = found.matrix_room, found.name
    if current:
        click.echo(
            _(
                "Requests to %(municipality)s are posted in the Matrix room %(room)s.",
                municipality=municipality_name,
                room=current,
            )
        )
    else:
        click.echo(
            _(
                "Requests to %(municipality)s are not posted in Matrix.",
                municipality=municipality_name,
            )
        )
