"""The case-file list's rows, written out in Python: as template tags, each of the 50
rows cost a dozen variable lookups, one or two URL reversals and a date format
(`manage.py bench_people` showed the rows as most of the page).

The output is the HTML the template loop wrote, and every value goes through
render_value_in_context: escaped and localised as {{ value }} would be."""

import uuid

from django import template
from django.template.base import render_value_in_context
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from detainees import listing
from visits.templatetags.visits_listing import as_shown, day_format, long_day_format

register = template.Library()

# A key that stands for each row's in the reversed addresses (keys are UUIDs).
_PLACEHOLDER = str(uuid.UUID(int=0))
NOTHING = "—"


def _address(name: str) -> str:
    return conditional_escape(reverse(name, args=[_PLACEHOLDER]))


def _literal(text: str) -> str:
    """`text` as a constant part of a %-format."""
    return text.replace("%", "%%")


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
    # One row's HTML with a %s for each value: the constant parts written once per page.
    cells = ["code", "status", "held", "sex", "year", "nationality", "met", "kept"]
    before, after = _address("detainees:person-detail").split(_PLACEHOLDER)
    row_format = "\n    <tr>\n" + "".join(
        f'      <td data-label="{_literal(label[name])}">'
        + (f'<a href="{_literal(before)}%s{_literal(after)}">%s</a>' if name == "code" else "%s")
        + "</td>\n"
        for name in cells
    )
    if visit:
        before_record, after_record = _address("detainees:accompaniment-create").split(_PLACEHOLDER)
        row_format += (
            f'      <td data-label="{_literal(label["actions"])}"><a href="'
            f'{_literal(before_record)}%s{_literal(after_record + "?visit=" + shown(visit))}">'
            "%s</a></td>\n"
        )
        record = gettext("Record the meeting with %(code)s")
    row_format += "    </tr>\n  "
    # Each value shown once per page, by what it is shown from.
    statuses, sexes, nationalities, centres, years, days, keepers = {}, {}, {}, {}, {}, {}, {}
    day = day_format()
    rows = []
    for person in people:
        key = str(person.key) if isinstance(person.key, uuid.UUID) else shown(str(person.key))
        code = shown(person.code)
        status = statuses.get(person.status)
        if status is None:
            status = statuses[person.status] = shown(person.status_label or "")
        centre = person.current_centre
        if centre is None:
            held = NOTHING
        else:
            held = centres.get(centre.pk)
            if held is None:
                held = centres[centre.pk] = shown(centre.name)
        sex = sexes.get(person.sex)
        if sex is None:
            sex = sexes[person.sex] = shown(person.sex_label or "")
        year = years.get(person.birth_year)
        if year is None:
            year = years[person.birth_year] = shown(person.birth_year or NOTHING)
        nationality = nationalities.get(person.nationality_label)
        if nationality is None:
            nationality = nationalities[person.nationality_label] = shown(
                person.nationality_label or NOTHING
            )
        met = person.last_met
        shown_met = days.get(met)
        if shown_met is None:
            shown_met = days[met] = shown(day(met)) if met else NOTHING
        kept = keepers.get(person.organisation_id)
        if kept is None:
            kept = keepers[person.organisation_id] = shown(person.organisation.short_name)
        values = (key, code, status, held, sex, year, nationality, shown_met, kept)
        if visit:
            values += (key, record % {"code": code})
        rows.append(row_format % values)
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag(takes_context=True)
def person_meetings(context, meetings):
    """The meetings of templates/detainees/person_detail.html, newest first."""

    def shown(value):
        return render_value_in_context(value, context)

    topics_label, actions_label = shown(gettext("Topics:")), shown(gettext("Actions agreed:"))
    next_label = shown(gettext("Next step:"))
    heading = gettext("%(date)s, %(centre)s")  # translated once, not once per meeting
    # Each centre, topic and day shown once per page (a theme's name is a translated
    # field: read through modeltranslation's fallbacks each time).
    centres, names, days = {}, {}, {}
    long_day = long_day_format()  # |date:"j F Y"

    def day(value):
        if value not in days:
            days[value] = shown(long_day(value))
        return days[value]

    sections = []
    for meeting in meetings:  # listing.Meeting
        centre = meeting.centre
        if centre.pk not in centres:
            centres[centre.pk] = shown(centre.name)
        title = heading % {"date": day(meeting.date), "centre": centres[centre.pk]}
        parts = [f'\n<section class="panel meeting">\n  <h3>{title}</h3>\n  ']
        topics = meeting.topics
        if topics:
            for topic in topics:
                if topic.pk not in names:
                    names[topic.pk] = shown(topic.name)
            listed = ", ".join(names[topic.pk] for topic in topics)
            parts.append(f"<p>{topics_label} {listed}</p>")
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
