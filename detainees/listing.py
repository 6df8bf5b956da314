"""The case-file list: one page of the case files a person may see, newest first,
filtered by code, status and the centre where the person is held now. Pages follow each
other by the last row seen. Each row's current centre is a subquery of the one query, its
latest meeting's day is kept on the case file; its organisation and centre are taken from
the reference rows this process keeps (visits/listing.py), so the query joins nothing and
no row is a model instance: building 50 case files cost more than reading them
(`manage.py bench_people`)."""

import json
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django_countries.fields import Country

from detainees.models import Accompaniment, DetentionSpell, Person
from move.accounts.models import Organisation
from move.centres.models import Centre
from visits import listing as reference_rows
from visits.models import Theme

PAGE_SIZE = 50
FULL_CODE = re.compile(r"P-\d{4}-\d{4,}")
# A part of a code that PostgreSQL expects in at most this many case files is looked up
# in the trigram index (migration 0003) and those rows sorted; a commoner one is found by
# reading the newest case files first. Left to itself the planner read the newest first
# whatever the part: "0042", found in 1,159 of 200,000 case files, all of them old, cost
# 160 to 200 ms of reading 157,000 rows (`manage.py bench_people`), 6 ms from the index.
SPARSE_MATCHES = 5000
TRIGRAM = 3  # the shortest part the trigram index can look up

# What a row shows and the cursor needs, in the order of Row.__init__.
LISTED = ["pk", "code", "key", "sex", "birth_year", "nationality", "status"]
LISTED += ["organisation_id", "centre_id", "last_met_on"]


class Row:
    """One case file as the list shows it (templates/detainees/person_list.html)."""

    def __init__(self, values: tuple, known: "_Known"):
        (
            self.pk,
            self.code,
            self.key,
            self.sex,
            self.birth_year,
            nationality,
            self.status,
            self.organisation_id,
            self.centre_id,
            self.last_met,  # the day of the latest visit where the person was met (kept)
        ) = values
        self.organisation = known.organisations[self.organisation_id]
        self.current_centre = known.centres.get(self.centre_id)
        self.status_label, self.sex_label = known.statuses[self.status], known.sexes[self.sex]
        self.nationality_label = known.country(nationality)


@dataclass
class Page:
    rows: list[Row]
    following: int | None  # the pk to read on from, None on the last page
    code: str  # the filters: the code as looked for, the status and centre as given
    status: str
    centre: int | None


def person_page(user, query) -> Page:
    """The page asked for by `query` (the GET parameters: code, status, centre, after)."""
    people = Person.objects.visible_to(user)
    code = query.get("code", "").strip().upper()
    if FULL_CODE.fullmatch(code):
        people = people.filter(code=code)  # along the unique index
    elif code:
        people = people.filter(code__contains=code)
    newest_first = "-pk"
    if code and not FULL_CODE.fullmatch(code) and _sparse(code):
        newest_first = (F("pk") + 0).desc()  # an order the primary key's index cannot give
    status = query.get("status", "")
    if status in Person.Status.values:
        people = people.filter(status=status)
    centre = positive(query.get("centre", ""))
    if centre:
        held = DetentionSpell.objects.filter(centre=centre, end__isnull=True)
        people = people.filter(pk__in=held.values("person_id"))
    after = positive(query.get("after", ""))
    if after:
        people = people.filter(pk__lt=after)
    values = list(
        people.annotate(centre_id=_current_centre())
        .order_by(newest_first)
        .values_list(*LISTED)[: PAGE_SIZE + 1]
    )
    known = _Known(values[:PAGE_SIZE])
    rows = [Row(row, known) for row in values[:PAGE_SIZE]]
    following = rows[-1].pk if len(values) > PAGE_SIZE else None
    return Page(rows, following, code, status, centre)


def _sparse(code: str) -> bool:
    """Whether PostgreSQL expects few case files whose code contains `code`, of those of
    every organisation (its estimate, from EXPLAIN: one short query, no rows read)."""
    if connection.vendor != "postgresql" or len(code) < TRIGRAM:
        return False
    # What Person.objects.filter(code__contains=code).values("pk").explain() asks, written
    # out: the ORM's query cost as much to build as PostgreSQL takes to plan it.
    meta, quote = Person._meta, connection.ops.quote_name
    column = f"{quote(meta.db_table)}.{quote(meta.get_field('code').column)}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN (FORMAT JSON) SELECT {quote(meta.pk.column)} FROM {quote(meta.db_table)} "
            f"WHERE {column}::text LIKE %s",
            [f"%{connection.ops.prep_for_like_query(code)}%"],
        )
        (plan,) = cursor.fetchone()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return plan[0]["Plan"]["Plan Rows"] <= SPARSE_MATCHES


# Each row's current centre, for the rows shown only (PostgreSQL computes it after the
# LIMIT). Written out: as an ORM subquery it cost a sixth of the page to build, every
# time. The latest meeting's day is kept on the case file (Person.last_met_on).


def _current_centre() -> RawSQL:
    spell, person = DetentionSpell._meta, Person._meta
    return RawSQL(
        f"SELECT {_column(spell, 'centre')} FROM {_quote(spell.db_table)} "
        f"WHERE {_column(spell, 'person')} = {_column(person, 'id')} "
        f"AND {_column(spell, 'end')} IS NULL ORDER BY {_column(spell, 'start')} DESC LIMIT 1",
        (),
    )


def _column(meta, field_name: str) -> str:
    return f"{_quote(meta.db_table)}.{_quote(meta.get_field(field_name).column)}"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


class _Known:
    """What the rows name: organisations and centres (reference rows, the others read
    in one query each), labels and countries translated once per page."""

    def __init__(self, values):
        at = {name: n for n, name in enumerate(LISTED)}
        kept = reference_rows.reference()
        self.organisations = reference_rows.by_pk(
            kept.organisation_by_pk, Organisation, {row[at["organisation_id"]] for row in values}
        )
        self.centres = reference_rows.by_pk(
            kept.centre_by_pk, Centre, {row[at["centre_id"]] for row in values} - {None}
        )
        self.statuses, self.sexes = dict(Person.Status.choices), dict(Person.Sex.choices)
        self._countries = {}

    def country(self, code) -> str:
        if code not in self._countries:
            self._countries[code] = Country(code=code).name if code else ""
        return self._countries[code]


def positive(value) -> int | None:
    """A positive number typed in ASCII digits, or None ("²".isdigit() is true)."""
    text = str(value)
    return int(text) if text.isascii() and text.isdecimal() and len(text) < 19 else None


# The filters' options ---------------------------------------------------------------------

_status_options: dict[str, list] = {}  # language → the statuses' (value, <option> parts)


def centre_options(chosen: int | None) -> str:
    """The <option>s of the centres where a person may be held (the active ones), after
    "All", the one chosen selected: written once with the reference rows."""
    kept = reference_rows.reference()
    written = kept.made(
        "detainees:centre-options",
        lambda: _written((centre.pk, centre.name) for centre in kept.centres if centre.active),
    )
    return _options(written, chosen)


def status_options(chosen: str) -> str:
    """The <option>s of the statuses, after "All", the one chosen selected."""
    language = get_language()
    if language not in _status_options:
        _status_options[language] = _written(Person.Status.choices)
    return _options(_status_options[language], chosen)


def _written(choices) -> list[tuple[str, str, str]]:
    return [("", "", conditional_escape(gettext("All")))] + [
        (str(value), conditional_escape(str(value)), conditional_escape(str(label)))
        for value, label in choices
    ]


def _options(written, chosen) -> str:
    chosen = "" if chosen is None else str(chosen)
    return mark_safe(  # noqa: S308 - escaped in _written
        "".join(
            f'<option value="{value}"{" selected" if raw == chosen and raw else ""}>'
            f"{label}</option>"
            for raw, value, label in written
        )
    )


# The meetings of one case file ------------------------------------------------------------


@dataclass
class Meeting:
    """One meeting as templates/detainees/person_detail.html shows it (person_meetings)."""

    pk: int
    date: object  # the day of the visit
    centre: Centre
    actions: str
    next_step: str
    next_step_on: object
    topics: list = field(default_factory=list)  # Theme rows, in their order


MEETING_FIELDS = ("pk", "visit__date", "visit__centre_id", "actions", "next_step", "next_step_on")


def meetings_of(person) -> list[Meeting]:
    """The meetings of `person`, newest visit first, with their topics: two queries of
    plain values. The centres and themes come from the reference rows; as model
    instances with their topics prefetched, 50 meetings cost more than the rest of the
    page (`manage.py bench_people`)."""
    values = list(
        Accompaniment.objects.filter(person=person)
        .order_by("-visit__date", "-pk")
        .values_list(*MEETING_FIELDS)
    )
    if not values:
        return []
    links = list(
        Accompaniment.topics.through.objects.filter(accompaniment__person=person).values_list(
            "accompaniment_id", "theme_id"
        )
    )
    kept = reference_rows.reference()
    centres = reference_rows.by_pk(kept.centre_by_pk, Centre, {row[2] for row in values})
    themes = reference_rows.by_pk(
        {theme.pk: theme for theme in kept.themes}, Theme, {theme for _, theme in links}
    )
    meetings = {
        pk: Meeting(pk, day, centres[centre], actions, next_step, next_on)
        for pk, day, centre, actions, next_step, next_on in values
    }
    for meeting_pk, theme_pk in links:
        meetings[meeting_pk].topics.append(themes[theme_pk])
    for meeting in meetings.values():
        meeting.topics.sort(key=lambda theme: (theme.position, theme.code))
    return list(meetings.values())
