"""The individual plan and the final documentation as the municipality writes them, by FK's
template (process description: "Försäkringskassan ansvarar för att ta fram mall för vad som
behöver dokumenteras för varje individ"). The template's headings and help texts are program
settings (`[[documentation.plan]]`, `[[documentation.final_report]]`); without them the
default below is used.

Both documents are personal data: shown only to those who may see the participant (each view
audited), purged with the participant, and never sent to chat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.errors import RuleViolation, checked_text
from domain.text import N_

MAX_SECTION = 5000


class DocumentKind(StrEnum):
    PLAN = "plan"
    FINAL_REPORT = "final_report"


DOCUMENT_LABELS = {
    DocumentKind.PLAN: N_("Individual plan"),
    DocumentKind.FINAL_REPORT: N_("Final documentation"),
}


@dataclass(frozen=True)
class TemplateSection:
    key: str
    heading: str
    help: str = ""


@dataclass(frozen=True)
class DocumentTemplate:
    plan: tuple[TemplateSection, ...] = field(default_factory=tuple)
    final_report: tuple[TemplateSection, ...] = field(default_factory=tuple)

    def sections(self, kind: DocumentKind) -> tuple[TemplateSection, ...]:
        return self.plan if kind is DocumentKind.PLAN else self.final_report


# The default: English msgids, translated by the adapters (a program's own template is
# written in Swedish in its settings file and shown as it is).
DEFAULT_TEMPLATE = DocumentTemplate(
    plan=(
        TemplateSection(
            "goals",
            N_("Goals"),
            N_("What the participant wants to reach during the placement, step by step."),
        ),
        TemplateSection(
            "activities",
            N_("Activities"),
            N_("The workplace training, coaching and parallel measures, with hours and support."),
        ),
        TemplateSection(
            "next_follow_up",
            N_("Next follow-up"),
            N_("When the plan is followed up next, and what is followed up then."),
        ),
    ),
    final_report=(
        TemplateSection(
            "steps",
            N_("Steps made"),
            N_("The steps towards work or studies during the placement (stegförflyttningar)."),
        ),
        TemplateSection(
            "assessment",
            N_("Assessment"),
            N_("The municipality's assessment of the participant's ability to work now."),
        ),
        TemplateSection(
            "next_step",
            N_("Recommended next step"),
            N_("What the participant's next step should be, and why."),
        ),
    ),
)


def checked_content(
    template: DocumentTemplate, kind: DocumentKind, content: dict[str, str | None]
) -> dict[str, str]:
    """The text of each of the template's sections as stored (trimmed, within the limit);
    sections the template does not have are not stored. At least one must be written."""
    checked = {
        section.key: checked_text(content.get(section.key), MAX_SECTION, section.key)
        for section in template.sections(kind)
    }
    if not any(checked.values()):
        first = template.sections(kind)[0].key if template.sections(kind) else None
        raise RuleViolation(N_("Write at least one of the parts."), field=first)
    return checked
