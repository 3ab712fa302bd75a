"""The history of accounts and municipalities as sentences, for the administrator.

Events about an account carry its id (`subject_user_id`), the role and municipality, which
fields changed, and how a login was made: never a password, code or token.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain.choices import LABELS, Role
from domain.events import EventKind, LoggedEvent
from domain.text import N_, Text

K = EventKind
ACCOUNT_KINDS = frozenset(
    {
        K.USER_ADDED,
        K.INVITED,
        K.USER_CHANGED,
        K.USER_DEACTIVATED,
        K.USER_REACTIVATED,
        K.USER_UNLOCKED,
        K.PASSWORD_SET,
        K.PASSWORD_RESET,
        K.SECOND_FACTOR_ENROLLED,
        K.SECOND_FACTOR_RESET,
        K.RECOVERY_CODES_RENEWED,
        K.CHAT_LINKED,
        K.CHAT_UNLINKED,
        K.SESSIONS_ENDED,
        K.DEMO_REMOVED,
        K.LOGGED_IN,
    }
)
MUNICIPALITY_KINDS = frozenset({K.MUNICIPALITY_ADDED, K.MUNICIPALITY_CHANGED, K.CHAT_CHANNEL_SET})

MESSAGES = {
    K.USER_ADDED: N_("The account was added with the role %(role)s."),
    K.INVITED: N_("An invitation link was made, valid until %(until)s."),
    K.USER_CHANGED: N_("Changed: %(fields)s."),
    K.USER_DEACTIVATED: N_("The account was deactivated."),
    K.USER_REACTIVATED: N_("The account was reactivated."),
    K.USER_UNLOCKED: N_("The account was unlocked after failed logins."),
    K.PASSWORD_SET: N_("A new password was set."),
    K.PASSWORD_RESET: N_("The password was reset; the account needs a new invitation link."),
    K.SECOND_FACTOR_ENROLLED: N_("An authenticator was enrolled as the second factor."),
    K.SECOND_FACTOR_RESET: N_("The second factor was reset; the next login enrols a new one."),
    K.RECOVERY_CODES_RENEWED: N_("New recovery codes were made; the earlier ones stopped working."),
    K.CHAT_LINKED: N_("A Slack user was linked to the account."),
    K.CHAT_UNLINKED: N_("The link to a Slack user was removed."),
    K.SESSIONS_ENDED: N_("Sessions ended: %(count)s."),
    K.DEMO_REMOVED: N_("The demo account was removed: it can no longer log in."),
    K.LOGGED_IN: N_("Logged in (%(method)s)."),
    K.MUNICIPALITY_ADDED: N_("%(municipality)s was added."),
    K.MUNICIPALITY_CHANGED: N_("%(municipality)s was changed: %(fields)s."),
    K.CHAT_CHANNEL_SET: N_("%(municipality)s got a new chat channel."),
}
CHANGED = N_("The account was changed.")

# The names of what can change, for "Changed: …".
ACCOUNT_FIELD_LABELS = {
    "name": N_("name"),
    "role": N_("role"),
    "municipality": N_("municipality"),
    "external_identity": N_("identity at the identity provider"),
    "code": N_("municipality code"),
    "slack_channel": N_("chat channel"),
}
METHODS = {
    "password": N_("password and code"),
    "password_only": N_("password"),
    "recovery": N_("password and recovery code"),
    "oidc": N_("identity provider"),
    "oidc_code": N_("identity provider and code"),
    "oidc_recovery": N_("identity provider and recovery code"),
}


def describe_account_event(event: LoggedEvent, municipality_names: Mapping[int, str]) -> Text:
    msgid = MESSAGES.get(event.kind)
    if msgid is None:
        return Text(CHANGED)
    details = event.details or {}
    params: dict[str, Any] = {}
    if "%(role)s" in msgid:
        role = details.get("role")
        params["role"] = Text(LABELS[Role(role)]) if role in set(Role) else "–"
    if "%(fields)s" in msgid:
        fields = tuple(
            Text(ACCOUNT_FIELD_LABELS[f])
            for f in details.get("fields", [])
            if f in ACCOUNT_FIELD_LABELS
        )
        params["fields"] = fields or "–"
    if "%(until)s" in msgid:
        until = details.get("until")
        params["until"] = datetime.fromisoformat(until) if isinstance(until, str) else "–"
    if "%(count)s" in msgid:
        params["count"] = details.get("count", 0)
    if "%(method)s" in msgid:
        params["method"] = Text(METHODS.get(details.get("method", ""), METHODS["password"]))
    if "%(municipality)s" in msgid:
        known = event.municipality_id in municipality_names if event.municipality_id else False
        params["municipality"] = (
            municipality_names[event.municipality_id] if known and event.municipality_id else "–"
        )
    return Text(msgid, params)
