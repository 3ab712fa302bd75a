"""E-mail to each municipality contact who chose it, once per item, when their municipality's
work becomes late: a request waiting past the limit, a placement behind schedule (the rules
of domain.deadlines, as the daily digest shows them). In chat the same items are in the
municipality's daily digest.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from digest.settings import DigestSchedule
from digest.text import late_line, waiting_line
from domain.notices import NoticeKind
from locales import gettext as _
from notices.message import Message, context, link, section
from notices.recipients import by_email_only, contacts_of
from services.digest import build_digest
from storage.models import Municipality
from transports.channels import to_email
from transports.slack.settings import ChatSettings


def _late_message(line: str, code: str, settings: ChatSettings) -> Message:
    text = _("Late: %(item)s", item=line)
    web = link(settings.referral_url(code), _("Open the referral on the web site"))
    return Message(parts=[section(text), context(web)], text=_("Late: %(code)s", code=code))


def enqueue_late_notices(
    session: Session,
    *,
    today: date,
    now: datetime,
    settings: ChatSettings,
    schedule: DigestSchedule,
) -> int:
    """Queues the e-mails; an item is told once (the key is the claim). Returns how many."""
    queued = 0
    for municipality in session.scalars(select(Municipality).order_by(Municipality.name)):
        people = by_email_only(contacts_of(session, NoticeKind.LATE, municipality.id))
        if not people:
            continue
        digest = build_digest(
            session,
            today=today,
            since=now,
            municipality_id=municipality.id,
            settings=schedule.content,
        )
        items = [
            (f"late:{w.reference_code}:waiting", w.reference_code, waiting_line(w))
            for w in digest.waiting
            if w.overdue
        ]
        items += [
            (f"late:{i.reference_code}:{i.slip.value}", i.reference_code, late_line(i))
            for i in digest.late
        ]
        for key, code, line in items:
            message = _late_message(line, code, settings)
            for person in people:
                if to_email(
                    session,
                    key=key,
                    user_id=person.user_id,
                    address=person.email,
                    message=message,
                    site_url=settings.site_url,
                    now=now,
                ):
                    queued += 1
    return queued
