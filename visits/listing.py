"""The report list: one page of the reports a person may read, filtered, newest visit
first. Pages follow each other by the last row seen (no OFFSET that grows with the page
number), on the report's own copies of its visit's day and centre: the sort, the cursor
and the filters read the reports table alone, along the index (visit_date, id) or one
that starts with the status or the centre. Each row's number of observations is a
subquery of the same query, computed for the rows shown only.

The centres, themes and organisations that the filters offer and the rows name are
reference rows, the same for everyone: `reference()` keeps them in the process, per
language, and reads them again only once one of them has changed (`VERSION_KEY` in the
shared cache is replaced on every save or delete, see the receivers at the bottom)."""

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from move import outage, prefetch
from move.accounts.models import Organisation
from move.centres.models import Centre
from visits.models import (
    Observation,
    Theme,
    Visit,
    VisitReport,
    VisitReportGroupObjectPermission,
)

# What a row shows and the cursor needs (the long texts are never read).
LISTED = ["pk", "code", "language", "status", "visit_id", "visit_date", "centre_id"]
LISTED += ["organisation_id", "observation_count"]


class Row:
    """One report as the list shows it: its listed fields, its centre and organisation
    (reference rows), its number of observations. Not a model instance: building 50
    reports and their visits cost more than reading them. `visit` is built on demand
    from the report's copies of its visit's day and centre, without a query."""

    def __init__(self, values: tuple, centres: dict, organisations: dict):
        (
            self.pk,
            self.code,
            self.language,
            self.status,
            self.visit_id,
            self.visit_date,
            self.centre_id,
            self.organisation_id,
            self.observation_count,
        ) = values  # in the order of LISTED
        self.centre = centres[self.centre_id]
        self.organisation = organisations[self.organisation_id]

    @cached_property
    def visit(self) -> Visit:
        # from_db() matches the values to the fields by position: in the fields' order.
        names = [f.attname for f in Visit._meta.concrete_fields if f.attname in VISIT_COPIES]
        visit = Visit.from_db(
            DEFAULT_DB_ALIAS, names, [getattr(self, VISIT_COPIES[name]) for name in names]
        )
        visit.centre = self.centre
        return visit

    def get_language_display(self) -> str:
        return _label(VisitReport, "language", self.language)

    def get_status_display(self) -> str:
        return _label(VisitReport, "status", self.status)


# The visit's fields that the report copies: visit field → report attribute.
VISIT_COPIES = {"id": "visit_id", "date": "visit_date", "centre_id": "centre_id"}


@dataclass
class Page:
    reports: list[Row]
    following: str | None  # the cursor of the next page, None on the last one


def report_page(user, form, cursor: str | None, size: int = 50) -> Page:
    reports = form.apply(VisitReport.objects.visible_to(user))
    reports = _after(reports, cursor)
    values = list(
        reports.annotate(observation_count=_observation_count())
        .order_by("-visit_date", "-pk")
        .values_list(*LISTED)[: size + 1]
    )
    more = len(values) > size
    rows = _rows(values[:size], form.reference)
    following = f"{rows[-1].visit_date.isoformat()}_{rows[-1].pk}" if more else None
    return Page(rows, following)


def _observation_count() -> RawSQL:
    """The observations of each row listed, counted along their report's index. Written
    out: as an ORM subquery (GROUP BY, COALESCE) it cost a third of the page's query to
    build. PostgreSQL computes it after the LIMIT, for the rows shown only."""
    quote = connection.ops.quote_name
    report, observation = VisitReport._meta, Observation._meta
    return RawSQL(
        f"SELECT COUNT(*) FROM {quote(observation.db_table)} "
        f"WHERE {quote(observation.db_table)}.{quote(observation.get_field('report').column)}"
        f" = {quote(report.db_table)}.{quote(report.pk.column)}",
        (),
    )


def _after(reports, cursor):
    """Rows after the cursor "<visit date>_<pk>"; an unreadable cursor starts over."""
    try:
        day, pk = cursor.split("_")
        day, pk = date.fromisoformat(day), int(pk)
    except (AttributeError, ValueError):
        return reports
    # visit_date <= day bounds the index scan; the rest drops that day's rows already seen.
    return reports.filter(Q(visit_date__lte=day), Q(visit_date__lt=day) | Q(pk__lt=pk))


def _rows(values, known) -> list[Row]:
    """The rows, their centre and organisation taken from the reference rows. The page's
    query thus joins nothing: with joins, PostgreSQL misjudged some filters and read all
    the visits (measured at 100,000 reports with `manage.py bench_reports`)."""
    at = {name: n for n, name in enumerate(LISTED)}
    centres = by_pk(known.centre_by_pk, Centre, {row[at["centre_id"]] for row in values})
    organisations = by_pk(
        known.organisation_by_pk, Organisation, {row[at["organisation_id"]] for row in values}
    )
    return [Row(row, centres, organisations) for row in values]


def by_pk(found: dict, model, wanted: set) -> dict:
    """The wanted rows among those already read (`found`, by pk), the others (usually
    none) in one more query."""
    missing = wanted - found.keys()
    return found | model.objects.in_bulk(missing) if missing else found


def _label(model, field_name: str, value) -> str:
    """What get_<field>_display() gives: the choice's label, or the value itself."""
    return str(dict(model._meta.get_field(field_name).flatchoices).get(value, value))


# Reference rows ---------------------------------------------------------------------------

VERSION_KEY = "visits:reference-rows"
# Changes that send no signal (a QuerySet.update(), SQL by hand) show after this long.
LONGEST_SECONDS = 60
EMPTY_LABEL = "---------"  # a ModelChoiceField's


@dataclass
class Reference:
    """The reference rows in one language (their order depends on it), read at `read_at`,
    with what the filters make of them: their choices and <option>s."""

    centres: list[Centre]  # all of them, as the centre filter offers them
    themes: list[Theme]  # the active ones
    organisations: list[Organisation]  # those that write reports (not the partners)
    read_at: float
    centre_by_pk: dict = field(init=False)
    organisation_by_pk: dict = field(init=False)
    choices: dict = field(init=False)  # filter name → its (value, label) pairs
    _options: dict = field(init=False, default_factory=dict)
    _made: dict = field(init=False, default_factory=dict)

    def __post_init__(self):
        self.centre_by_pk = {centre.pk: centre for centre in self.centres}
        self.organisation_by_pk = {org.pk: org for org in self.organisations}
        self.choices = {
            name: [("", EMPTY_LABEL), *((row.pk, str(row)) for row in rows)]
            for name, rows in [
                ("centre", self.centres),
                ("theme", self.themes),
                ("organisation", self.organisations),
            ]
        }
        self.choices["status"] = [("", gettext("Any")), *VisitReport.Status.choices]

    def made(self, name: str, make):
        """What another list makes of these rows (its options), made once with them."""
        if name not in self._made:
            self._made[name] = make()
        return self._made[name]

    def options(self, name: str, chosen) -> str:
        return option_tags(self._options, self.choices, name, chosen)


def option_tags(written: dict, choices: dict, name: str, chosen) -> str:
    """The <option>s of the filter `name` ((value, label) pairs in `choices[name]`), the
    one whose value is `chosen` selected. Each is escaped once, as {{ value }} and
    {{ label }} would be, and kept in `written` (the reference rows' own dict) for the
    next page. The help desk's queue (legal/listing.py) writes its filters with it too."""
    if name not in written:
        written[name] = [
            (str(value), conditional_escape(str(value)), conditional_escape(str(label)))
            for value, label in choices[name]
        ]
    chosen = "" if chosen is None else str(chosen)
    return mark_safe(  # noqa: S308 - escaped above
        "".join(
            f'<option value="{value}"{" selected" if raw == chosen else ""}>{label}</option>'
            for raw, value, label in written[name]
        )
    )


_request = threading.local()  # the versions seen by this thread's request, if in one


class KeptRows:
    """Reference rows, the same for everyone, kept in the process per language: `read()`
    (an object with a `read_at` from time.monotonic()) is called again only once one of
    `models` was saved or deleted (a version token under `key` in the shared cache,
    replaced at once and again on commit) or LONGEST_SECONDS after. The version is read
    once per request, with the session (move/prefetch.py); while Redis cannot be reached
    it is unknown and the rows are read again, once a request (move/outage.py). The
    report list, the help desk's queue (legal/listing.py) and the lawyer directory
    (legal/directory_forms.py) keep theirs with it, and the partners' shares are counted
    with it (`report_shares`). `ignore(sender, **kwargs)` tells a
    save that changes nothing shown (a sign-in saving last_login)."""

    def __init__(self, key: str, read, models, ignore=None):
        self.key, self.read, self.ignore = key, read, ignore
        self._kept: dict[str, tuple[str, object]] = {}  # language → (version, its rows)
        prefetch.register(key)  # read with the session (move/prefetch.py)
        for model in models:
            label = model._meta.label
            post_save.connect(self.changed, sender=model, dispatch_uid=f"{key}.saved.{label}")
            post_delete.connect(self.changed, sender=model, dispatch_uid=f"{key}.gone.{label}")

    def get(self):
        version = self._version()
        language = get_language()
        kept = self._kept.get(language)
        if kept and kept[0] == version and time.monotonic() - kept[1].read_at < LONGEST_SECONDS:
            return kept[1]
        rows = self.read()
        self._kept[language] = (version, rows)
        return rows

    def _version(self) -> str:
        versions = getattr(_request, "versions", None)
        if versions is not None and self.key in versions:
            return versions[self.key]
        try:
            version = (
                prefetch.get(self.key)
                or cache.get(self.key)
                or cache.get_or_set(self.key, uuid.uuid4().hex, None)
            )
        except (*outage.REDIS_ERRORS, outage.RedisUnavailable):
            version = None
        if version is None or outage.redis_down():
            # Redis could not tell which rows are current (move/cache.py answers a miss):
            # a version of this request alone, so that they are read again, once.
            version = f"unknown-{uuid.uuid4().hex}"
        if versions is not None:
            versions[self.key] = version
        return version

    def changed(self, sender=None, **kwargs) -> None:
        """A new version at once (this transaction reads its own change) and again once
        committed: a process that read the rows between the two, before the commit, kept
        the old ones under the first version only."""
        if self.ignore is not None and self.ignore(sender, **kwargs):
            return
        versions = getattr(_request, "versions", None)
        if versions is not None:
            versions.pop(self.key, None)  # this request too reads them again
        prefetch.forget(self.key)
        self._replace_version()
        transaction.on_commit(self._replace_version)

    def _replace_version(self) -> None:
        try:
            cache.set(self.key, uuid.uuid4().hex, None)
        except (*outage.REDIS_ERRORS, outage.RedisUnavailable):
            # Redis down: no process can read the version meanwhile, so each reads the rows
            # again; the project's cache deletes the old one when Redis is back.
            pass


@receiver(request_started, dispatch_uid="visits.listing.request_started")
@receiver(request_finished, dispatch_uid="visits.listing.request_finished")
def _request_edge(sender, **kwargs) -> None:
    started = "environ" in kwargs or "scope" in kwargs  # started, not finished
    _request.versions = {} if started else None


def _read() -> Reference:
    return Reference(
        centres=list(Centre.objects.all()),
        themes=list(Theme.objects.filter(active=True)),
        organisations=list(Organisation.objects.exclude(kind=Organisation.Kind.PARTNER)),
        read_at=time.monotonic(),
    )


_kept_rows = KeptRows(VERSION_KEY, _read, (Centre, Theme, Organisation))


def reference() -> Reference:
    """The reference rows in the active language (see KeptRows)."""
    return _kept_rows.get()


# The partners' shares, counted --------------------------------------------------------


@dataclass
class ReportShares:
    """How many reports are shared, and with each group, to choose how a partner's list
    asks for its shares (move.accounts.permissions._shared_report); and the pk of the
    permission a share grants."""

    permission: int | None
    shared: int  # reports whose status is "shared"
    by_group: dict[int, int]  # group id → its shares
    read_at: float

    def most_are_shared_with(self, groups) -> bool:
        """Whether these groups hold at least half of the shared reports (a report
        shared with two of them counts twice: this only chooses a query's form)."""
        held = sum(self.by_group.get(group, 0) for group in groups)
        return self.permission is not None and self.shared > 0 and 2 * held >= self.shared


def _read_shares() -> ReportShares:
    """One query (PostgreSQL, the only database that asks): the permission, looked up
    as the shares' own subqueries look it up, the shared reports and each group's
    shares."""
    from move.accounts.permissions import _permission_pk

    quote = connection.ops.quote_name

    def column(model, name):
        meta = model._meta
        return f"{quote(meta.db_table)}.{quote(meta.get_field(name).column)}"

    share, report = VisitReportGroupObjectPermission, VisitReport
    permission = _permission_pk(report, "view_visitreport")
    looked_up = f"{quote('permission')}.{quote('id')}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {looked_up}, (SELECT COUNT(*) FROM {quote(report._meta.db_table)} "
            f"WHERE {column(report, 'status')} = %s), "
            f"(SELECT ARRAY_AGG(ARRAY[{quote('group')}, {quote('shares')}]) FROM "
            f"(SELECT {column(share, 'group')} AS {quote('group')}, COUNT(*) AS "
            f"{quote('shares')} FROM {quote(share._meta.db_table)} "
            f"WHERE {column(share, 'permission')} = {looked_up} GROUP BY 1) AS {quote('held')}) "
            f"FROM ({permission.sql}) AS {quote('permission')}",
            [VisitReport.Status.SHARED, *permission.params],
        )
        found = cursor.fetchone()
    permission, shared, held = found or (None, 0, None)
    return ReportShares(
        permission=permission,
        shared=shared,
        by_group={group: count for group, count in held or []},
        read_at=time.monotonic(),
    )


# Read again every LONGEST_SECONDS, not at each share: the counts only choose a query's
# form, and a share given or a report's status changing (its autosaves, every few
# seconds) would otherwise cost the next list a query. The permission's pk changes only
# when the tables are made again (post_migrate, below).
_kept_shares = KeptRows("visits:report-shares", _read_shares, ())


def report_shares() -> ReportShares:
    """The shares counted (see ReportShares), kept in the process like the reference
    rows."""
    return _kept_shares.get()


@receiver(post_migrate, dispatch_uid="visits.listing.post_migrate")
def _forget_shares(sender, **kwargs) -> None:
    """Tables flushed and permissions made again (the tests): their pks changed, and no
    save said so (they are made in bulk)."""
    _kept_shares._kept.clear()
