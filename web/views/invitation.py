"""/inbjudan/<token>: the person an administrator invited (or whose password was reset)
chooses a password, then sets up the second factor as at any first login."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import logout_user

from domain.errors import RuleViolation
from services import invitations
from web import login_flow, runtime
from web.forms.login import NewPasswordForm

blueprint = Blueprint("invitation", __name__)


@blueprint.route("/inbjudan/<token>", methods=["GET", "POST"])
def accept(token: str) -> Any:
    form = NewPasswordForm()
    try:
        with runtime.transaction(read_only=True) as db:
            user = invitations.invited_user(db, token=token, now=runtime.now())
            name, email = user.name, user.email
    except RuleViolation as error:
        return render_template("account/invitation.html", form=None, problem=error.text), 404
    if form.validate_on_submit():
        try:
            with runtime.transaction() as db:
                user = invitations.accept(
                    db, token=token, password=form.password.data, now=runtime.now()
                )
        except RuleViolation as error:
            form.add_domain_error(error)
        else:
            logout_user()  # whoever was logged in in this browser, it is the invitee now
            return login_flow.begin(user, None)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "account/invitation.html", form=form, problem=None, name=name, email=email
    ), status
