"""The door of /slack/events: what may reach Bolt.

In this order, before anything is parsed or stored:
1. the signature over the raw bytes (Slack's HMAC, at most five minutes old): else 401;
2. the body, parsed the way Bolt parses it, must be one of the shapes Slack sends, with the
   fields the bot reads of the types it reads them as: else 400 (a line in the log, no
   traceback: a malformed request is the sender's fault, not ours);
3. the workspace (team id) must be the configured one: else 403.

Only then is the request handed to Bolt, which cannot fail on what passed here.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl

from slack_bolt.request import BoltRequest

log = logging.getLogger("mm.chat.inbound")

MAX_AGE = 60 * 5
# Slack's payloads nest a dozen levels at most (a view's blocks, elements, options); deeper
# JSON is refused before it is parsed, as the parser would recurse until it fails.
MAX_DEPTH = 64
# A record id fits a signed 64-bit integer: at most 18 digits, with room to spare.
_ID = re.compile(r"[0-9]{1,18}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")

Check = Callable[[Any], bool]


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _word(value: Any) -> bool:
    """An id: a short non-empty string."""
    return isinstance(value, str) and 0 < len(value) <= 255


def _object(value: Any) -> bool:
    return isinstance(value, dict)


def _objects(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _maybe(check: Check) -> Check:
    return lambda value: value is None or check(value)


def _actions(value: Any) -> bool:
    """block_actions' actions: at least one, each with its action id (and a text value)."""
    return (
        _objects(value)
        and len(value) > 0
        and all(_word(a.get("action_id")) and _maybe(_text)(a.get("value")) for a in value)
    )


def _input_state(value: Any) -> bool:
    """One input's state, with the fields the bot reads of the types Slack documents."""
    return (
        isinstance(value, dict)
        and _maybe(_text)(value.get("value"))
        and _maybe(_text)(value.get("selected_date"))
        and _maybe(_object)(value.get("selected_option"))
        and _maybe(_text)(_path(value, "selected_option.value"))
    )


def _state_values(value: Any) -> bool:
    """view.state.values: {block_id: {action_id: {…}}}."""
    return isinstance(value, dict) and all(
        isinstance(actions, dict) and all(_input_state(v) for v in actions.values())
        for actions in value.values()
    )


def record_id(value: Any) -> int | None:
    """A record's id as a button or a modal carries it (decimal digits), or None for anything
    else, such as a number too large for the database."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _ID.fullmatch(value):
        return None
    return int(value)


def _too_deep(text: str) -> bool:
    """True when the JSON text nests objects and arrays deeper than MAX_DEPTH (strings are
    skipped, escapes and all): a linear scan, no recursion."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _json_parts(text: str, content_type: str | None) -> list[str]:
    """The JSON texts Bolt will parse in this body (slack_bolt.request.internals.parse_body):
    the body itself, or a form's `payload` field."""
    if content_type == "application/json" or text.startswith("{"):
        return [text]
    if "payload" in text:
        return [v for k, v in parse_qsl(text, keep_blank_values=True) if k == "payload"]
    return []


def _path(body: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(body, dict):
            return None
        body = body.get(part)
    return body


Shape = dict[str, Check]

# Fields every request of a kind must have (path -> check); optional ones use _maybe.
COMMAND: Shape = {
    "command": _word,
    "user_id": _word,
    "team_id": _word,
    "text": _maybe(_text),
    "channel_id": _maybe(_text),
    "response_url": _maybe(_text),
    "trigger_id": _maybe(_text),
}
INTERACTION: dict[str, Shape] = {
    "block_actions": {
        "user": _object,
        "user.id": _word,
        "actions": _actions,
        "channel": _maybe(_object),
        "channel.id": _maybe(_word),
        "response_url": _maybe(_text),
        "trigger_id": _maybe(_text),
        "container": _maybe(_object),
        "message": _maybe(_object),
        "view": _maybe(_object),
    },
    "view_submission": {
        "user": _object,
        "user.id": _word,
        "view": _object,
        "view.id": _maybe(_word),
        "view.type": _word,
        "view.callback_id": _text,
        "view.private_metadata": _maybe(_text),
        "view.blocks": _maybe(_objects),
        "view.state": _maybe(_object),
        "view.state.values": _maybe(_state_values),
    },
    "view_closed": {
        "user": _object,
        "user.id": _word,
        "view": _object,
        "view.type": _word,
        "view.callback_id": _text,
    },
    "message_action": {
        "user": _object,
        "user.id": _word,
        "callback_id": _word,
        "channel": _object,
        "channel.id": _word,
        "message": _object,
        "message.ts": _maybe(_text),
        "message.text": _maybe(_text),
        "message.blocks": _maybe(_objects),
        "response_url": _maybe(_text),
        "trigger_id": _maybe(_text),
    },
    "shortcut": {"user": _object, "user.id": _word, "callback_id": _word},
}
EVENT: dict[str, Shape] = {
    "message": {
        "channel": _word,
        "user": _maybe(_word),
        "text": _maybe(_text),
        "channel_type": _maybe(_text),
        "subtype": _maybe(_text),
        "ts": _maybe(_text),
        "thread_ts": _maybe(_text),
        "bot_id": _maybe(_text),
        "message": _maybe(_object),
        "previous_message": _maybe(_object),
    },
    "app_mention": {"channel": _word, "user": _word, "text": _text, "ts": _maybe(_text)},
    "app_home_opened": {"user": _word, "channel": _maybe(_text), "tab": _maybe(_text)},
}


class Headers(Protocol):
    """Request headers, looked up without regard to case (Flask's, for one)."""

    def get(self, key: str) -> str | None: ...

    def items(self) -> Iterable[tuple[str, str]]: ...


class Refused(Exception):
    """The request is not let in; `status` says why (401, 400 or 403)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Admitted:
    """A request let in: Bolt's request, or an answer given here (unknown event types)."""

    request: BoltRequest | None
    answer: tuple[int, str] | None = None


def verify_signature(secret: str, raw: bytes, headers: Headers, now: float) -> None:
    stamp = headers.get("X-Slack-Request-Timestamp") or ""
    signature = headers.get("X-Slack-Signature") or ""
    if not _TIMESTAMP.fullmatch(stamp) or not _SIGNATURE.fullmatch(signature):
        raise Refused(401, "unsigned, or a malformed signature")
    if abs(now - int(stamp)) > MAX_AGE:
        raise Refused(401, "a signature older than five minutes")
    # Slack's scheme (HMAC-SHA256 of "v0:<timestamp>:<body>"), over the bytes as they came:
    # slack_sdk's verifier decodes the body first, which fails on bytes that are not UTF-8.
    expected = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + raw, hashlib.sha256)
    if not hmac.compare_digest("v0=" + expected.hexdigest(), signature):
        raise Refused(401, "a wrong signature")


def _problems(body: Mapping[str, Any], shape: Shape) -> list[str]:
    return [path for path, check in shape.items() if not check(_path(body, path))]


def _checked(body: Mapping[str, Any], shape: Shape, what: str) -> None:
    wrong = _problems(body, shape)
    if wrong:
        raise Refused(400, f"a {what} without a usable {', '.join(wrong)}")


def check_shape(body: Any) -> str | None:
    """Refuses what the bot cannot read; returns the event type of an event callback whose
    type the bot does not handle (acknowledged and ignored), else None."""
    if not isinstance(body, dict):
        raise Refused(400, "a body that is not an object")
    kind = body.get("type")
    if kind == "url_verification":
        _checked(body, {"challenge": _word}, "URL verification")
        return None
    if kind == "ssl_check" or body.get("ssl_check") is not None:
        return None
    if kind == "event_callback":
        _checked(body, {"team_id": _word, "event_id": _word, "event": _object}, "event")
        event = body["event"]
        event_type = event.get("type")
        if not _word(event_type):
            raise Refused(400, "an event without a type")
        if event_type not in EVENT:
            return event_type
        _checked(event, EVENT[event_type], f"{event_type} event")
        return None
    if "command" in body:
        _checked(body, COMMAND, "slash command")
        return None
    if isinstance(kind, str) and kind in INTERACTION:
        _checked(body, INTERACTION[kind], kind)
        return None
    raise Refused(400, f"an unknown kind of request ({str(kind)[:40]!r})")


def admit(
    raw: bytes,
    headers: Headers,
    *,
    secret: str,
    team_id: str,
    now: float | None = None,
) -> Admitted:
    """Lets a request in, or raises Refused. Nothing here touches the database or Slack."""
    verify_signature(secret, raw, headers, time.time() if now is None else now)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "a body that is not UTF-8") from None
    content_type = (headers.get("Content-Type") or "").split(";")[0] or None
    if any(_too_deep(part) for part in _json_parts(text, content_type)):
        raise Refused(400, f"JSON nested deeper than {MAX_DEPTH} levels")
    try:
        request = BoltRequest(
            body=text,
            headers={k: v for k, v in headers.items()},
            mode="http",
        )
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError) as error:
        raise Refused(400, f"a body Bolt cannot parse ({type(error).__name__})") from None
    ignored = check_shape(request.body)
    team = request.context.team_id  # found where Bolt finds it, for the same decision
    kind = request.body.get("type")
    if kind not in ("url_verification", "ssl_check") and team != team_id:
        raise Refused(403, f"a request for another workspace ({str(team)[:20]})")
    if ignored is not None:
        return Admitted(None, (200, ""))
    return Admitted(request)
