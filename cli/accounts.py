"""`mm user …` and `mm demo …`: accounts from the server's command line. Passwords are read
from a prompt (hidden, asked twice), never from arguments, which `ps` and shell history keep."""

from __future__ import annotations

from typing import Any

import click

from cli.runtime import Runtime, pass_runtime
from domain.choices import LABELS, Role
from domain.errors import RuleViolation
from domain.staff import checked_contact_details
from domain.text import N_
from locales import gettext as _
from locales import ngettext
from services import accounts, users
from services.municipalities import find_municipality
from storage.db import unit_of_work

ROLE = click.Choice([r.value for r in Role])


def _site_url() -> str:
    import os

    return os.environ.get("SITE_URL", "").strip().rstrip("/") or "http://127.0.0.1:8000"


def _ask_password() -> str:
    return click.prompt(
        _("New password"), hide_input=True, confirmation_prompt=_("The new password again")
    )


@click.group(help=_("Manage users."))
def user() -> None:
    pass


@user.command("add", help=_("Add a user who can log in to the web site."))
@click.option("--email", required=True, help=_("E-mail address, used to log in."))
@click.option("--name", required=True, help=_("The user's full name."))
@click.option("--role", required=True, type=ROLE, help=_("The role."))
@click.option("--municipality", help=_("Municipality (name or code), for municipality contacts."))
@click.option("--slack-user", help=_("The user's Slack member id, e.g. U012AB3CD."))
@click.option(
    "--identity", help=_("The user's identity at the identity provider, if not the e-mail address.")
)
@click.option(
    "--invite", is_flag=True, help=_("Print an invitation link instead of asking for a password.")
)
@click.option("--phone", default="", help=_("The user's work phone number, e.g. 044-13 50 00."))
@click.option("--title", default="", help=_("The user's title, e.g. Arbetsmarknadskonsulent."))
@pass_runtime
def user_add(
    runtime: Runtime,
    email: str,
    name: str,
    role: str,
    municipality: str | None,
    slack_user: str | None,
    identity: str | None,
    invite: bool,
    phone: str,
    title: str,
) -> None:
    with unit_of_work(runtime.sessions) as session:  # what can be wrong, before the prompt
        users.normalise_email(email)
        users.checked_name(name)
        checked_contact_details(phone, title)
        if municipality:
            find_municipality(session, municipality)
    password = None if invite else _ask_password()
    with unit_of_work(runtime.sessions) as session:
        found = find_municipality(session, municipality).id if municipality else None
        added, token = accounts.invite_user(
            session,
            actor=None,
            email=email,
            name=name,
            role=role,
            municipality_id=found,
            external_identity=identity,
            now=runtime.now(),
            phone=phone,
            title=title,
        )
        if password is not None:
            accounts.set_password(
                session, actor=None, user_id=added.id, password=password, now=runtime.now()
            )
        if slack_user:
            accounts.link_slack_user(
                session, actor=None, user_id=added.id, slack_user_id=slack_user, now=runtime.now()
            )
        email_added = added.email
    click.echo(_("The user %(email)s has been added.", email=email_added))
    if invite:
        click.echo(
            _("Invitation link (valid 72 hours): %(link)s", link=f"{_site_url()}/inbjudan/{token}")
        )


@user.command("list", help=_("List the users, or those whose name or e-mail contains a text."))
@click.argument("search", required=False, default="")
@pass_runtime
def user_list(runtime: Runtime, search: str) -> None:
    with unit_of_work(runtime.sessions) as session:
        found = accounts.list_users(session, actor=None, query=search)
        lines = [
            "  ".join(
                [
                    u.email,
                    u.name,
                    _(LABELS[u.role]),
                    u.municipality.name if u.municipality else "–",
                    _("active") if u.active else _("deactivated"),
                    _("two-step on") if u.totp_secret else _("two-step not set up"),
                ]
            )
            for u in found
        ]
    for line in lines:
        click.echo(line)
    click.echo(ngettext("%(num)d user.", "%(num)d users.", len(lines)))


@user.command("change", help=_("Change a user's name, role, municipality or identity."))
@click.argument("email")
@click.option("--name", help=_("The user's full name."))
@click.option("--role", type=ROLE, help=_("The role."))
@click.option("--municipality", help=_("Municipality (name or code); 'ingen' for none."))
@click.option("--identity", help=_("Identity at the identity provider; 'ingen' for none."))
@pass_runtime
def user_change(
    runtime: Runtime,
    email: str,
    name: str | None,
    role: str | None,
    municipality: str | None,
    identity: str | None,
) -> None:
    with unit_of_work(runtime.sessions) as session:
        found = accounts.user_by_email(session, actor=None, email=email)
        if municipality is None:
            municipality_id = found.municipality_id
        elif municipality.strip().lower() == "ingen":
            municipality_id = None
        else:
            municipality_id = find_municipality(session, municipality).id
        if identity is None:
            new_identity = found.external_identity
        else:
            new_identity = None if identity.strip().lower() == "ingen" else identity
        changed = accounts.change_user(
            session,
            actor=None,
            user_id=found.id,
            name=name if name is not None else found.name,
            role=role or found.role,
            municipality_id=municipality_id,
            external_identity=new_identity,
            now=runtime.now(),
        )
    click.echo(
        _("The user %(email)s has been changed.", email=email)
        if changed
        else _("Nothing was changed.")
    )


def _simple(use_case: Any, done: str) -> Any:
    @click.argument("email")
    @pass_runtime
    def command(runtime: Runtime, email: str) -> None:
        with unit_of_work(runtime.sessions) as session:
            found = accounts.user_by_email(session, actor=None, email=email)
            use_case(session, actor=None, user_id=found.id, now=runtime.now())
        click.echo(_(done, email=email))

    return command


user.command("deactivate", help=_("Deactivate a user: no more logins, every session ends."))(
    _simple(accounts.deactivate, N_("The user %(email)s has been deactivated."))
)
user.command("reactivate", help=_("Let a deactivated user log in again."))(
    _simple(accounts.reactivate, N_("The user %(email)s has been reactivated."))
)
user.command("unlock", help=_("Forget a user's failed logins."))(
    _simple(accounts.unlock, N_("The user %(email)s has been unlocked."))
)


@user.command("reset", help=_("Reset a user's password or second factor; every session ends."))
@click.argument("email")
@click.option(
    "--password", "new_password", is_flag=True, help=_("Ask for a new password at a prompt.")
)
@click.option("--invite", is_flag=True, help=_("Remove the password and print an invitation link."))
@click.option(
    "--second-factor", is_flag=True, help=_("Remove the authenticator and recovery codes.")
)
@pass_runtime
def user_reset(
    runtime: Runtime, email: str, new_password: bool, invite: bool, second_factor: bool
) -> None:
    if not (new_password or invite or second_factor):
        raise click.UsageError(_("Choose --password, --invite or --second-factor."))
    if new_password and invite:
        raise click.UsageError(_("Choose either --password or --invite."))
    password = _ask_password() if new_password else None
    with unit_of_work(runtime.sessions) as session:
        found = accounts.user_by_email(session, actor=None, email=email)
        token = None
        if password is not None:
            accounts.set_password(
                session, actor=None, user_id=found.id, password=password, now=runtime.now()
            )
        if invite:
            token = accounts.reset_password(
                session, actor=None, user_id=found.id, now=runtime.now()
            )
        if second_factor:
            accounts.reset_second_factor(session, actor=None, user_id=found.id, now=runtime.now())
    if password is not None:
        click.echo(_("The password of %(email)s has been changed.", email=email))
    if token is not None:
        click.echo(
            _("Invitation link (valid 72 hours): %(link)s", link=f"{_site_url()}/inbjudan/{token}")
        )
    if second_factor:
        click.echo(_("The second factor of %(email)s has been reset.", email=email))


@click.group(
    invoke_without_command=True,
    help=_("Load fictitious demo data: users, referrals and placements."),
)
@click.pass_context
def demo(ctx: click.Context) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from cli.demo_data import DEMO_PASSWORD, load_demo_data

    runtime = ctx.find_object(Runtime)
    assert runtime is not None  # the group made it
    with unit_of_work(runtime.sessions) as session:
        if accounts.has_real_users(session):
            raise RuleViolation(
                N_(
                    "The database has accounts for real people, so no demo users are added. "
                    "Use an empty database for the demo."
                )
            )
        loaded, demo_users = load_demo_data(session, now=runtime.now())
    click.echo(_("Demo data loaded.") if loaded else _("Demo data was already loaded."))
    click.echo(_("Demo users (password for all: %(password)s):", password=DEMO_PASSWORD))
    for email, label, key in demo_users:
        click.echo(f"  {email}  {label}  " + _("authenticator key %(key)s", key=key))
    click.echo(
        _(
            "Log in at %(url)s; the code after the password: mm demo code EMAIL (or add the "
            "key to an authenticator app).",
            url=_site_url(),
        )
    )


@demo.command("code", help=_("Print the current authenticator code of a demo user."))
@click.argument("email")
@pass_runtime
def demo_code(runtime: Runtime, email: str) -> None:
    from domain.clock import SystemClock

    with unit_of_work(runtime.sessions) as session:
        code = accounts.demo_code(session, email=email, now=SystemClock().now())
    click.echo(code)


@demo.command("remove", help=_("Remove the demo users: they can never log in again."))
@pass_runtime
def demo_remove(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        count = accounts.remove_demo_users(session, now=runtime.now())
    click.echo(_("Demo users removed: %(num)d.", num=count))
