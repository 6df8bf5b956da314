"""The queue's rows, written out in Python (as visits/templatetags/visits_listing.py):
as template loops, each of the 50 rows cost a dozen variable lookups, a URL reversal,
date formats and lazy translations.

Every value is escaped, and those a template would localise go through
render_value_in_context, as {{ value }} would. A deadline within 48 hours and a first
answer overdue are said in words, first in their cell, not by a colour alone."""

import uuid
from datetime import timedelta
from html import escape

from django import template
from django.template.base import render_value_in_context
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from legal.models import HelpRequest
from visits.templatetags.visits_listing import as_shown, field_div

register = template.Library()

# A key that stands for each row's in the reversed address (keys are UUIDs).
_PLACEHOLDER = str(uuid.UUID(int=0))
NOTHING = "—"
SOON = timedelta(hours=48)


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
    field = HelpRequest._meta.get_field(field_name)
    return {value: str(label) for value, label in field.flatchoices}


def _age(days: int) -> str:
    if days <= 0:
        return gettext("today")
    return ngettext("%(days)s day ago", "%(days)s days ago", days) % {"days": days}


class _Moments(dict):
    """A deadline's last moment as shown: its day, once per day on the page, and its
    hour when it is not the end of a day (a limit counted in hours)."""

    def __init__(self, context, zone):
        super().__init__()
        self.zone = zone
        # As the date filter writes "j M Y" (django.utils.dateformat: MONTHS_3, title
        # case), the month names translated once per page rather than once per day.
        months = {number: str(name).title() for number, name in MONTHS_3.items()}
        self.days = _Shown(context, lambda day: f"{day.day} {months[day.month]} {day.year}")

    def __missing__(self, moment):
        local = moment.astimezone(self.zone)
        shown = self.days[local.date()]
        if (local.hour, local.minute) != (23, 59):
            shown = f"{shown}, {local.hour:02d}:{local.minute:02d}"
        self[moment] = shown
        return shown


def _cells(context) -> str:
    """A row's cells, each with the label a phone shows before it, as a format string
    whose fields are the row's values (translated and escaped once per page)."""
    labels = [
        ("code", gettext("Code")),
        ("subject", gettext("Subject")),
        ("topic", gettext("Topic")),
        ("status", gettext("Status")),
        ("channel", gettext("Came by")),
        ("kind", gettext("Asked by")),
        ("age", gettext("Asked")),
        ("deadline", gettext("Nearest deadline")),
    ]
    label = {
        name: str(render_value_in_context(text, context)).replace("{", "{{").replace("}", "}}")
        for name, text in labels
    }
    address = str(conditional_escape(reverse("legal:request-detail", args=[_PLACEHOLDER])))
    address = address.replace("{", "{{").replace("}", "}}").replace(_PLACEHOLDER, "{key}")
    return (
        "{row}"
        f'<td class="code" data-label="{label["code"]}"><a href="{address}">{{code}}</a></td>'
        f'<td data-label="{label["subject"]}" lang="{{language}}">{{subject}}</td>'
        f'<td data-label="{label["topic"]}">{{topic}}</td>'
        f'<td data-label="{label["status"]}">{{status}}</td>'
        f'<td data-label="{label["channel"]}">{{channel}}</td>'
        f'<td data-label="{label["kind"]}">{{kind}}</td>'
        f'<td data-label="{label["age"]}">{{age}}</td>'
        f'<td data-label="{label["deadline"]}">{{due}}</td>'
        "</tr>\n"
    )


@register.simple_tag(takes_context=True)
def request_rows(context, requests):
    """The rows of templates/legal/request_list.html (legal/listing.py's values)."""
    if not requests:
        return ""
    zone = timezone.get_current_timezone()
    now = timezone.now()
    today = now.astimezone(zone).date()
    shown = _Shown(context)
    ages = _Shown(context, _age)
    moments = _Moments(context, zone)
    line = _cells(context)
    soon = render_value_in_context(gettext("Within 48 hours:"), context)
    passed = render_value_in_context(gettext("Passed:"), context)
    overdue = render_value_in_context(gettext("First answer overdue"), context)
    overdue = f' <strong class="overdue">{overdue}</strong>'
    statuses, channels = _labels("status"), _labels("channel")
    kinds = _labels("requester_kind")
    closed = HelpRequest.Status.CLOSED
    rows = []
    for item in requests:
        key = item["key"]
        if not isinstance(key, uuid.UUID):  # never, but the address must stay safe
            key = escape(str(key))
        status = item["status"]
        status_shown = shown[statuses.get(status, status)]
        due_day = item["first_answer_due"]
        if not item["answered"] and due_day is not None and due_day < today and status != closed:
            status_shown += overdue
        deadline, row = item["next_deadline_at"], "<tr>"
        if deadline is None:
            due = NOTHING
        elif deadline < now:
            due = f'<strong class="due-passed">{passed}</strong> {moments[deadline]}'
            row = '<tr class="due-passed">'
        elif deadline - now <= SOON:
            due = f'<strong class="due-soon">{soon}</strong> {moments[deadline]}'
            row = '<tr class="due-soon">'
        else:
            due = moments[deadline]
        channel, kind = item["channel"], item["requester_kind"]
        rows.append(
            line.format(
                row=row,
                key=key,
                code=escape(item["code"]),
                language=shown[item["language"]],
                subject=escape(item["subject"]),
                topic=shown[item["topic_name"]],
                status=status_shown,
                channel=shown[channels.get(channel, channel)],
                kind=shown[kinds.get(kind, kind)],
                age=ages[(today - item["created_at"].astimezone(zone).date()).days],
                due=due,
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag(takes_context=True)
def request_filters(context, form, select_fields):
    """The filters of templates/legal/request_list.html (a RequestFilterForm and its
    select_fields()), written out in Python as visits_listing.report_filters: as a
    template, a dozen lookups for each field cost a fifth of a millisecond a page."""
    shown = as_shown(context)
    words = form["q"]
    typed = words.value()
    parts = [
        field_div(
            shown,
            words,
            '<input type="search" name="q" id="id_q" maxlength="200" '
            f'value="{shown("" if typed is None else typed)}" placeholder="H-2026-0042"',
        )
    ]
    for field, options in select_fields:
        select = f'<select name="{shown(field.html_name)}" id="{shown(field.auto_id)}"'
        parts.append(field_div(shown, field, select, f"{options}</select>"))
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped
