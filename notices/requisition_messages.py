"""The requisition notices (notices.requisitions) as chat and e-mail messages: municipality,
kommunkod, period and amount, and a link to the basis on the web site."""

from __future__ import annotations

from locales import gettext as _
from notices.message import Message, context, link, section
from notices.requisition_notice import RequisitionNotice, Step
from notices.site import Site


def requisition_message(notice: RequisitionNotice, settings: Site) -> Message:
    about = {
        "municipality": notice.municipality,
        "code": notice.municipality_code,
        "period": notice.period,
        "amount": notice.amount,
    }
    if notice.step is Step.SUBMITTED:
        line = _(
            "%(municipality)s (%(code)s) has submitted its requisition basis for %(period)s, "
            "%(amount)s. It waits for your attestation.",
            **about,
        )
    elif notice.step is Step.RETURNED:
        line = _(
            "The requisition basis of %(municipality)s (%(code)s) for %(period)s, %(amount)s, "
            "was returned. The reason is on the web site; correct it and submit it again.",
            **about,
        )
    elif notice.step is Step.ATTESTED:
        line = _(
            "The requisition basis of %(municipality)s (%(code)s) for %(period)s is attested: "
            "%(amount)s to pay.",
            **about,
        )
    else:
        line = _(
            "The requisition basis of %(municipality)s (%(code)s) for %(period)s is paid: "
            "%(amount)s on %(date)s.",
            date=notice.paid_on,
            **about,
        )
    web = link(settings.site_url + notice.path, _("Open the basis on the web site"))
    return Message(parts=[section(line), context(web)], text=line)
