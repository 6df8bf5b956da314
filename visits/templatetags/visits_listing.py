"""The report list's rows and filter options, written out in Python: as template tags,
each of the 50 rows cost a dozen variable lookups, a URL reversal, a date format and
two lazy translations (`manage.py bench_reports` showed the rows as most of the page).

The output is the HTML the template loops wrote, byte for byte, and every value goes
through render_value_in_context: escaped and localised as {{ value }} would be."""

import functools
import uuid

from django import template
from django.template.base import render_value_in_context
from django.urls import reverse
from django.utils import translation
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from visits.models import VisitReport

register = template.Library()

# A code that stands for each row's in the reversed address (codes are UUIDs).
_PLACEHOLDER = str(uuid.UUID(int=0))


def as_shown(context):
    """A function that renders a value as {{ value }} does in `context`: a plain string
    is only escaped (localising leaves it as it is), without the round of checks."""
    autoescape = context.autoescape

    def shown(value) -> str:
        if type(value) is str:
            return conditional_escape(value) if autoescape else value
        return render_value_in_context(value, context)

    return shown


class _Shown(dict):
    """Each distinct value rendered once per page, as {{ value }} renders it."""

    def __init__(self, context, make=None):
        super().__init__()
        self.shown, self.make = as_shown(context), make

    def __missing__(self, key):
        value = key if self.make is None else self.make(key)
        shown = self[key] = self.shown(value)
        return shown


def day_format():
    """|date:"j M Y" for the days of one page: the month names translated once per
    language and process, not once per row (each |date parsed its format again)."""
    months = _months(get_language())
    return lambda day: f"{day.day} {months[day.month]} {day.year:04d}"


def long_day_format():
    """|date:"j F Y" (the month's whole name) for the days of one page, as day_format."""
    months = _long_months(get_language())
    return lambda day: f"{day.day} {months[day.month]} {day.year:04d}"


@functools.cache
def _long_months(language) -> dict[int, str]:
    with translation.override(language):
        return {number: str(MONTHS[number]) for number in MONTHS}


@functools.cache
def _months(language) -> dict[int, str]:
    with translation.override(language):
        return {number: str(MONTHS_3[number]).title() for number in MONTHS_3}


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
    days = _Shown(context, day_format())
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
    # One row with its holes ({}), the labels and the address written in once per page.
    row = "".join(
        [
            "\n    <tr>\n",
            f'      <td data-label="{cell["visit"]}"><a href="',
            address.replace(_PLACEHOLDER, "\0"),
            '">\0, \0</a></td>\n',
            *(
                f'      <td data-label="{cell[name]}">\0</td>\n'
                for name in ("organisation", "language", "status", "observations")
            ),
            "    </tr>\n  ",
        ]
    )
    row = row.replace("{", "{{").replace("}", "}}").replace("\0", "{}")
    languages, statuses = _labels("language"), _labels("status")
    centres, organisations = {}, {}
    rows = []
    for report in reports:
        code = report.code
        if not isinstance(code, uuid.UUID):  # never, but the address must stay safe
            code = conditional_escape(str(code))
        # The report's copies of its visit's centre and day (visits/search.py keeps them).
        centre = report.centre_id
        if centre not in centres:
            centres[centre] = shown[report.centre.name]
        organisation = report.organisation_id
        if organisation not in organisations:
            organisations[organisation] = shown[report.organisation.short_name]
        language = languages.get(report.language) or report.get_language_display()
        status = statuses.get(report.status) or report.get_status_display()
        rows.append(
            row.format(
                code,
                centres[centre],
                days[report.visit_date],
                organisations[organisation],
                shown[language],
                shown[status],
                shown[report.observation_count],
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


def field_div(shown, field, control: str, value: str = "") -> str:
    """One filter with its label and errors, as the filters' templates wrote it:
    `control` is the <input> or <select> without its end, `value` what follows it,
    `shown` renders a value as {{ value }} does (as_shown). Also the help desk's queue
    (legal_listing.request_filters)."""
    errors, auto_id = field.errors, shown(field.auto_id)
    described = f' aria-invalid="true" aria-describedby="{auto_id}_error"' if errors else ""
    listed = (
        f'<ul class="errorlist" id="{auto_id}_error">'
        + "".join(f"<li>{shown(error)}</li>" for error in errors)
        + "</ul>"
        if errors
        else ""
    )
    return (
        f'<div><label for="{auto_id}">{shown(field.label)}:</label>'
        f"{control}{described}>{value}{listed}</div>"
    )


@register.simple_tag(takes_context=True)
def report_filters(context, form):
    """The filters of templates/visits/report_list.html (a ReportFilterForm): as a
    template they cost as much as the 50 rows, a dozen lookups for each field. The
    <option>s come written out with the reference rows (ReportFilterForm.select_fields)."""

    shown = as_shown(context)

    def typed(field, kind: str, extra: str = "") -> str:
        value = field.value()
        return field_div(
            shown,
            field,
            f'<input type="{kind}" name="{shown(field.html_name)}" id="{shown(field.auto_id)}"'
            f'{extra} value="{shown("" if value is None else str(value))}"',
        )

    parts = ["\n", typed(form["q"], "search", ' maxlength="200"'), "\n"]
    for field, options in form.select_fields():
        select = f'<select name="{shown(field.html_name)}" id="{shown(field.auto_id)}"'
        parts += ["\n", field_div(shown, field, select, f"{options}</select>"), "\n"]
    parts.append("\n")
    for name in ("date_from", "date_to"):
        parts += ["\n", typed(form[name], "date"), "\n"]
    raise_only = form["raise_only"]
    checked = " checked" if raise_only.value() else ""
    parts.append(
        f'\n<div><input type="checkbox" name="raise_only" id="id_raise_only"{checked}> '
        f'<label for="id_raise_only">{shown(raise_only.label)}</label></div>\n\n'
    )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@register.simple_tag(takes_context=True)
def select_options(context, field, choices):
    """The <option>s of one filter, the one given selected (the help desk's queue)."""
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
