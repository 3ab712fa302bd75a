"""/anvandare: the administrator's accounts. Each change is one use case (services.accounts)
and an event in the history shown on the account's page and on /anvandare/historik."""

from __future__ import annotations

from typing import Any, cast

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

import locales
from domain.account_events import describe_account_event
from domain.choices import Role
from domain.text import N_
from services import accounts, second_factor, web_sessions
from storage import queries
from storage.models import User
from web import runtime
from web.auth import roles
from web.forms.accounts import NewUserForm, SlackUserForm, UserFilterForm, UserForm
from web.forms.base import Form
from web.views import attempt, municipality_choices

blueprint = Blueprint("accounts", __name__, url_prefix="/anvandare")
admin_only = roles(Role.ADMIN)


def _history(session: Any, events: list[Any]) -> list[dict[str, Any]]:
    names = {m.id: m.name for m in queries.municipalities(session)}
    people = {u.id: u.name for u in session.query(User).all()}
    return [
        {
            "at": e.at,
            "text": describe_account_event(e, names),
            "by": people.get(e.actor_id) if e.actor_id else None,
            "about": people.get(e.subject_user_id) if e.subject_user_id else None,
            "about_id": e.subject_user_id,
        }
        for e in events
    ]


@blueprint.get("")
@admin_only
def listing() -> Any:
    form = UserFilterForm(request.args, meta={"csrf": False})
    form.role.choices = [SelectChoice("", locales.gettext("All roles")), *_role_choices()]
    form.active.choices = [
        SelectChoice("", locales.gettext("Active and deactivated")),
        SelectChoice("yes", locales.gettext("Active")),
        SelectChoice("no", locales.gettext("Deactivated")),
    ]
    form.validate()
    with runtime.transaction(read_only=True) as db:
        found = accounts.list_users(
            db,
            actor=runtime.actor(),
            query=form.q.data or "" if not form.q.errors else "",
            role=form.role.data if not form.role.errors else None,
            active={"yes": True, "no": False}.get(form.active.data or ""),
        )
        rows = [
            {
                "id": u.id,
                "name": u.name,
                "email": u.email,
                "role": u.role,
                "municipality": u.municipality.name if u.municipality else None,
                "active": u.active,
                "enrolled": u.totp_secret is not None,
            }
            for u in found
        ]
    return render_template("accounts/list.html", form=form, rows=rows)


def _role_choices() -> list[SelectChoice]:
    from domain.choices import LABELS

    return [SelectChoice(r.value, locales.gettext(LABELS[r])) for r in Role]


def _new_page(form: NewUserForm, status: int = 200) -> Any:
    with runtime.transaction(read_only=True) as db:
        form.fill_choices(municipality_choices(db))
    return render_template("accounts/new.html", form=form), status


@blueprint.route("/ny", methods=["GET", "POST"])
@admin_only
def new() -> Any:
    form = NewUserForm()
    with runtime.transaction(read_only=True) as db:
        form.fill_choices(municipality_choices(db))
    if not form.validate_on_submit():
        return _new_page(form, 400 if form.is_submitted() else 200)
    done = attempt(
        form,
        lambda db: accounts.invite_user(
            db,
            actor=runtime.actor(),
            email=form.email.data,
            name=form.name.data,
            role=cast(Role, form.role.data),
            municipality_id=form.municipality.data,
            external_identity=form.external_identity.data,
            now=runtime.now(),
        ),
    )
    if not done.ok or done.value is None:
        return _new_page(form, 400)
    user, token = done.value
    return _invited_page(user.id, user.name, user.email, token)


def _invited_page(user_id: int, name: str, email: str, token: str) -> Any:
    link = url_for("invitation.accept", token=token, _external=True)
    return render_template(
        "accounts/invited.html", user_id=user_id, name=name, email=email, link=link
    )


def _detail(user_id: int, forms: dict[str, Form] | None = None, status: int = 200) -> Any:
    actor = runtime.actor()
    with runtime.transaction(read_only=True) as db:
        user = accounts.get_user(db, actor=actor, user_id=user_id)
        change = (forms or {}).get("change")
        if change is None:
            change = UserForm(
                formdata=None,
                data={
                    "name": user.name,
                    "role": user.role,
                    "municipality": user.municipality_id,
                    "external_identity": user.external_identity or "",
                },
            )
        change.fill_choices(municipality_choices(db))
        slack = (forms or {}).get("slack") or SlackUserForm(formdata=None)
        html = render_template(
            "accounts/detail.html",
            user=user,
            change=change,
            slack=slack,
            is_me=user.id == actor.user_id,
            codes_left=second_factor.recovery_codes_left(db, user_id=user.id),
            sessions=len(
                web_sessions.sessions_of(
                    db, user_id=user.id, now=runtime.now(), limits=web_sessions.Limits()
                )
            ),
            history=_history(db, accounts.account_history(db, actor=actor, user_id=user.id)),
        )
    return html, status


@blueprint.get("/<int:user_id>")
@admin_only
def detail(user_id: int) -> Any:
    return _detail(user_id)


@blueprint.post("/<int:user_id>/andra")
@admin_only
def change(user_id: int) -> Any:
    form = UserForm()
    with runtime.transaction() as db:
        form.fill_choices(municipality_choices(db))
    if form.validate():
        done = attempt(
            form,
            lambda db: accounts.change_user(
                db,
                actor=runtime.actor(),
                user_id=user_id,
                name=form.name.data,
                role=cast(Role, form.role.data),
                municipality_id=form.municipality.data,
                external_identity=form.external_identity.data,
                now=runtime.now(),
            ),
        )
        if done.ok:
            flash(
                locales.gettext("The account has been changed.")
                if done.value
                else locales.gettext("Nothing was changed."),
                "success",
            )
            return redirect(url_for("accounts.detail", user_id=user_id))
    return _detail(user_id, {"change": form}, 400)


SIMPLE = {
    "deactivate": (
        accounts.deactivate,
        N_("The account has been deactivated and all its sessions have ended."),
    ),
    "reactivate": (accounts.reactivate, N_("The account has been reactivated.")),
    "unlock": (accounts.unlock, N_("The account's failed logins have been forgotten.")),
    "reset_second_factor": (
        accounts.reset_second_factor,
        N_("The second factor has been reset; the next login sets up a new one."),
    ),
    "unlink_slack": (accounts.unlink_slack_user, N_("The link to Slack has been removed.")),
}


# The address of each simple action, in Swedish like every other address of the site.
SLUGS = {
    "inaktivera": "deactivate",
    "aktivera": "reactivate",
    "las-upp": "unlock",
    "aterstall-tvastegsverifiering": "reset_second_factor",
    "ta-bort-slack": "unlink_slack",
}


@blueprint.post("/<int:user_id>/<slug>")
@admin_only
def act(user_id: int, slug: str) -> Any:
    if slug not in SLUGS:
        abort(404)
    use_case, message = SIMPLE[SLUGS[slug]]
    form = Form()
    done = attempt(
        form, lambda db: use_case(db, actor=runtime.actor(), user_id=user_id, now=runtime.now())
    )
    if not done.ok:
        flash(form.problems()[0].message, "error")
    else:
        flash(locales.gettext(message), "success")
    return redirect(url_for("accounts.detail", user_id=user_id))


@blueprint.post("/<int:user_id>/aterstall-losenord")
@admin_only
def reset_password(user_id: int) -> Any:
    with runtime.transaction() as db:
        token = accounts.reset_password(
            db, actor=runtime.actor(), user_id=user_id, now=runtime.now()
        )
        user = db.get(User, user_id)
        assert user is not None
        name, email = user.name, user.email
    return _invited_page(user_id, name, email, token)


@blueprint.post("/<int:user_id>/slack")
@admin_only
def link_slack(user_id: int) -> Any:
    form = SlackUserForm()
    if form.validate():
        done = attempt(
            form,
            lambda db: accounts.link_slack_user(
                db,
                actor=runtime.actor(),
                user_id=user_id,
                slack_user_id=form.slack_user.data,
                now=runtime.now(),
            ),
        )
        if done.ok:
            flash(locales.gettext("The Slack user has been linked."), "success")
            return redirect(url_for("accounts.detail", user_id=user_id))
    return _detail(user_id, {"slack": form}, 400)


@blueprint.get("/historik")
@admin_only
def history() -> Any:
    with runtime.transaction(read_only=True) as db:
        rows = _history(db, accounts.account_history(db, actor=runtime.actor()))
    return render_template("accounts/history.html", rows=rows)
