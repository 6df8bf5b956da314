"""The case-file list's rows, written out in Python: as template tags, each of the 50
rows cost a dozen variable lookups, one or two URL reversals and a date format
(`manage.py bench_people` showed the rows as most of the page).

The output is the HTML the template loop wrote, and every value goes through
render_value_in_context: escaped and localised as {{ value }} would be."""

import uuid

from django import template
from django.template.base import render_value_in_context
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from detainees import listing
from visits.templatetags.visits_listing import as_shown, day_format

register = template.Library()

# A key that stands for each row's in the reversed addresses (keys are UUIDs).
_PLACEHOLDER = str(uuid.UUID(int=0))
NOTHING = "—"


def _address(name: str) -> str:
    return conditional_escape(reverse(name, args=[_PLACEHOLDER]))


class _Memo(dict):
    """Each value shown once per page, as {{ value }} shows it: the rows repeat a few
    statuses, countries, years, days and organisations."""

    def __init__(self, shown):
        super().__init__()
        self.shown = shown

    def __call__(self, kind: str, key, value) -> str:
        """`value` shown, once for each `key` of its `kind`."""
        if (kind, key) not in self:
            self[kind, key] = self.shown(value)
        return self[kind, key]

    def label(self, value, empty: str = "") -> str:
        """A label shared by the rows that show it (`empty` if it is empty). A lazy
        translation is hashed by translating it: it is kept by identity instead."""
        key = value if isinstance(value, str) else id(value)
        if ("label", key) not in self:
            self["label", key] = self.shown(value or empty)
        return self["label", key]


@register.simple_tag(takes_context=True)
def person_rows(context, people, visit=None):
    """The rows of templates/detainees/person_list.html; with `visit`, each offers to
    record the meeting."""
    if not people:
        return ""

    shown = as_shown(context)
    # The labels a phone shows in each cell: translated once, not once per row.
    label = {
        name: shown(text)
        for name, text in [
            ("code", gettext("Code")),
            ("status", gettext("Status")),
            ("held", gettext("Held in")),
            ("sex", gettext("Sex")),
            ("year", gettext("Year of birth")),
            ("nationality", gettext("Nationality")),
            ("met", gettext("Last met")),
            ("kept", gettext("Kept by")),
            ("actions", gettext("Actions")),
        ]
    }
    detail = _address("detainees:person-detail")
    if visit:
        record = _address("detainees:accompaniment-create") + "?visit=" + shown(visit)
    memo = _Memo(shown)
    day = day_format()
    rows = []
    for person in people:
        key = str(person.key) if isinstance(person.key, uuid.UUID) else shown(str(person.key))
        code = shown(person.code)
        centre = person.current_centre
        centre = memo("centre", centre.pk, centre.name) if centre else NOTHING
        met = person.last_met
        row = (
            "\n    <tr>\n"
            f'      <td data-label="{label["code"]}"><a href="'
            f'{detail.replace(_PLACEHOLDER, key)}">{code}</a></td>\n'
            f'      <td data-label="{label["status"]}">{memo.label(person.status_label)}</td>\n'
            f'      <td data-label="{label["held"]}">{centre}</td>\n'
            f'      <td data-label="{label["sex"]}">{memo.label(person.sex_label)}</td>\n'
            f'      <td data-label="{label["year"]}">'
            f"{memo('year', person.birth_year, person.birth_year or NOTHING)}</td>\n"
            f'      <td data-label="{label["nationality"]}">'
            f"{memo.label(person.nationality_label, NOTHING)}</td>\n"
            f'      <td data-label="{label["met"]}">'
            f"{memo('met', met, day(met) if met else NOTHING)}</td>\n"
            f'      <td data-label="{label["kept"]}">'
            f"{memo('kept', person.organisation_id, person.organisation.short_name)}</td>\n"
        )
        if visit:
            text = gettext("Record the meeting with %(code)s") % {"code": code}
            row += (
                f'      <td data-label="{label["actions"]}"><a href="'
                f'{record.replace(_PLACEHOLDER, key)}">{text}</a></td>\n'
            )
        rows.append(row + "    </tr>\n  ")
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag(takes_context=True)
def person_meetings(context, meetings):
    """The meetings of templates/detainees/person_detail.html, newest first."""

    def shown(value):
        return render_value_in_context(value, context)

    topics_label, actions_label = shown(gettext("Topics:")), shown(gettext("Actions agreed:"))
    next_label = shown(gettext("Next step:"))
    centres, days = {}, {}

    def day(value):
        if value not in days:
            days[value] = shown(date_filter(value, "j F Y"))
        return days[value]

    sections = []
    for meeting in meetings:  # listing.Meeting
        centre = meeting.centre
        if centre.pk not in centres:
            centres[centre.pk] = shown(centre.name)
        title = gettext("%(date)s, %(centre)s") % {
            "date": day(meeting.date),
            "centre": centres[centre.pk],
        }
        parts = [f'\n<section class="panel meeting">\n  <h3>{title}</h3>\n  ']
        topics = meeting.topics
        if topics:
            names = ", ".join(shown(topic.name) for topic in topics)
            parts.append(f"<p>{topics_label} {names}</p>")
        parts.append("\n  ")
        if meeting.actions:
            actions = linebreaksbr(meeting.actions, autoescape=context.autoescape)
            parts.append(f"<p>{actions_label} {actions}</p>")
        parts.append("\n  ")
        if meeting.next_step:
            when = f" ({day(meeting.next_step_on)})" if meeting.next_step_on else ""
            parts.append(f"<p>{next_label} {shown(meeting.next_step)}{when}</p>")
        parts.append("\n</section>\n")
        sections.append("".join(parts))
    return mark_safe("".join(sections))  # noqa: S308 - every value above is escaped


@register.simple_tag
def centre_options(chosen):
    """The centre filter's <option>s (templates/detainees/person_list.html)."""
    return listing.centre_options(chosen)


@register.simple_tag
def status_options(chosen):
    """The status filter's <option>s (templates/detainees/person_list.html)."""
    return listing.status_options(chosen)
