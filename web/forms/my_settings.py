"""A person's own settings: how they get each kind of notice (domain.notices)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from domain.notices import NOTICE_KIND_LABELS, WAY_LABELS, NoticeKind, NoticeWay
from domain.text import N_
from web.forms.base import Form
from web.forms.fields import RadioChoiceField, Required, enum_of, options


def notices_form(kinds: tuple[NoticeKind, ...], **kwargs: Any) -> Form:
    """One choice (chat, e-mail or both) per kind of notice this person gets."""

    class NoticesForm(Form):
        pass

    for kind in kinds:
        field = RadioChoiceField(
            _l(NOTICE_KIND_LABELS[kind]),
            choices=options((way.value, _l(WAY_LABELS[way])) for way in NoticeWay),
            coerce=enum_of(NoticeWay),
            validators=[Required(N_("Choose how you want this notice."))],
        )
        setattr(NoticesForm, kind.value, field)
    return NoticesForm(**kwargs)
