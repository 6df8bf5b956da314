"""The report list's rows and filter options, written out in Python: as template tags,
each of the 50 rows cost a dozen variable lookups, a URL reversal, a date format and
two lazy translations (`manage.py bench_reports` showed the rows as most of the page).

The output is the HTML the template loops wrote, byte for byte, and every value goes
through render_value_in_context: escaped and localised as {{ value }} would be."""

import uuid

from django import template
from django.template.base import render_value_in_context
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from visits.models import VisitReport

register = template.Library()

# A code that stands for each row's in the reversed address (codes are UUIDs).
_PLACEHOLDER = str(uuid.UUID(int=0))


class _Shown(dict):
    """Each distinct value rendered once per page, as {{ value }} renders it."""

    def __init__(self, context, make=None):
        super().__init__()
        self.context, self.make = context, make

    def __missing__(self, key):
        value = key if self.make is None else self.make(key)
        shown = self[key] = render_value_in_context(value, self.context)
        return shown


def _labels(field_name: str) -> dict:
    """A choice field's labels in the active language, read once per page."""
    field = VisitReport._meta.get_field(field_name)
    return {value: str(label) for value, label in field.flatchoices}


@register.simple_tag(takes_context=True)
def report_rows(context, reports):
    """The rows of templates/visits/report_list.html."""
    if not reports:
        return ""
    shown = _Shown(context)
    days = _Shown(context, lambda day: date_filter(day, "j M Y"))
    # The labels a phone shows in each cell: translated once, not once per row.
    cell = {
        name: render_value_in_context(label, context)
        for name, label in [
            ("visit", gettext("Visit")),
            ("organisation", gettext("Organisation")),
            ("language", gettext("Language")),
            ("status", gettext("Status")),
            ("observations", gettext("Observations")),
        ]
    }
    # The address of one report, for all: codes are UUIDs, nothing to escape in them.
    address = conditional_escape(reverse("visits:report-detail", args=[_PLACEHOLDER]))
    languages, statuses = _labels("language"), _labels("status")
    centres, organisations = {}, {}
    rows = []
    for report in reports:
        visit, code = report.visit, report.code
        if not isinstance(code, uuid.UUID):  # never, but the address must stay safe
            code = conditional_escape(str(code))
        centre = visit.centre
        if centre.pk not in centres:
            centres[centre.pk] = render_value_in_context(centre.name, context)
        organisation = report.organisation
        if organisation.pk not in organisations:
            organisations[organisation.pk] = shown[organisation.short_name]
        language = languages.get(report.language) or report.get_language_display()
        status = statuses.get(report.status) or report.get_status_display()
        rows.append(
            "\n    <tr>\n"
            f'      <td data-label="{cell["visit"]}"><a href="'
            f'{address.replace(_PLACEHOLDER, str(code))}">'
            f"{centres[centre.pk]}, {days[visit.date]}</a></td>\n"
            f'      <td data-label="{cell["organisation"]}">'
            f"{organisations[organisation.pk]}</td>\n"
            f'      <td data-label="{cell["language"]}">'
            f"{shown[language]}</td>\n"
            f'      <td data-label="{cell["status"]}">'
            f"{shown[status]}</td>\n"
            f'      <td data-label="{cell["observations"]}">'
            f"{shown[report.observation_count]}</td>\n"
            "    </tr>\n  "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag(takes_context=True)
def select_options(context, field, choices):
    """The <option>s of one filter, the one given selected
    (templates/visits/report_filters.html)."""
    chosen = field.value()
    chosen = "" if chosen is None else str(chosen)  # as |stringformat:"s" did
    options = []
    for value, label in choices:
        selected = " selected" if str(value) == chosen else ""
        options.append(
            f'<option value="{render_value_in_context(value, context)}"{selected}>'
            f"{render_value_in_context(label, context)}</option>"
        )
    return mark_safe("".join(options))  # noqa: S308 - every value above is escaped
