"""The queue of the help desk: one page of the requests a person may read, filtered,
nearest deadline first, then the oldest. Pages follow each other by the last row seen
(no OFFSET that grows with the page, no COUNT over every request): the sort, the cursor
and the filters read the requests table alone, along the index (next_deadline_at,
created_at) or the one that starts with the status. Each row's topic is taken from the
reference rows this module keeps (below): the page's query joins nothing.

The topics, centres and lawyers that the filters offer are reference rows, the same for
everyone: `reference()` keeps them in the process, per language, with their <option>s
written once, and reads them again only once one of them has changed (`VERSION_KEY` in
the shared cache is replaced on every save or delete, see the receivers at the bottom),
as visits/listing.py does for the report list."""

import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, Q
from django.utils.translation import gettext

from legal.models import HelpRequest, Topic
from move.accounts.models import Membership, Organisation, User
from move.accounts.permissions import Role
from move.centres.models import Centre
from move.written import Condition
from visits.listing import KeptRows, option_tags

PAGE_SIZE = 50
ORDER = (F("next_deadline_at").asc(nulls_last=True), "created_at", "pk")
LISTED = [
    "pk",
    "code",
    "key",
    "subject",
    "language",
    "topic_id",
    "status",
    "channel",
    "requester_kind",
    "created_at",
    "next_deadline_at",
    "first_answer_due",
]
NO_DEADLINE = "-"


@dataclass
class Page:
    requests: list[dict]  # the LISTED values of each row, and its "topic_name"
    following: str | None  # the cursor of the next page, None on the last one


def request_page(user, form, cursor: str | None, size: int = PAGE_SIZE) -> Page:
    requests = form.apply(HelpRequest.objects.visible_to(user))
    requests = _after(requests, cursor)
    # Plain values: 50 model instances cost more than the rest of the page's Python.
    rows = list(requests.order_by(*ORDER).values(*LISTED, answered=_answered())[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    topics = form.reference.topic_names
    for row in rows:
        row["topic_name"] = topics.get(row["topic_id"], "")
    return Page(rows, _cursor(rows[-1]) if more else None)


def _answered() -> Condition:
    """Whether a first answer was given: all the row needs of its moment, which read as
    a timestamp would be parsed in Python (a few microseconds each, 50 rows a page)."""
    return Condition("{0} IS NOT NULL", (), "first_answered_at")


def _cursor(row) -> str:
    deadline = row["next_deadline_at"]
    deadline = deadline.isoformat() if deadline else NO_DEADLINE
    return f"{deadline}_{row['created_at'].isoformat()}_{row['pk']}"


def _after(requests, cursor):
    """The rows after the cursor "<deadline or ->_<asked at>_<pk>", in the queue's order
    (deadlines first, the requests without one last); an unreadable cursor starts over."""
    try:
        deadline, asked, pk = cursor.split("_")
        asked, pk = datetime.fromisoformat(asked), int(pk)
        deadline = None if deadline == NO_DEADLINE else datetime.fromisoformat(deadline)
    except (AttributeError, ValueError):
        return requests
    later = Q(created_at__gt=asked) | Q(created_at=asked, pk__gt=pk)
    if deadline is None:
        # created_at >= asked bounds the index scan among the rows without a deadline.
        return requests.filter(Q(next_deadline_at__isnull=True, created_at__gte=asked), later)
    return requests.filter(
        Q(next_deadline_at__gt=deadline)
        | Q(next_deadline_at=deadline) & later
        | Q(next_deadline_at__isnull=True)
    )


# Reference rows ---------------------------------------------------------------------------

VERSION_KEY = "legal:reference-rows"
OPEN = "open"  # the status filter's value for every request not closed


def lawyers():
    """Those who may be assigned a request: the active lawyers of active organisations."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__role=Role.LEGAL,
            memberships__organisation__active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def user_label(user) -> str:
    return user.get_full_name() or user.email


@dataclass
class Reference:
    """The reference rows in one language, read at `read_at`: each filter's choices
    ((value, label) pairs, "any" first) and their <option>s."""

    choices: dict
    topic_names: dict
    read_at: float
    _options: dict = field(default_factory=dict)

    def options(self, name: str, chosen) -> str:
        return option_tags(self._options, self.choices, name, chosen)


def _read() -> Reference:
    topics = [(topic.pk, topic.name) for topic in Topic.objects.all()]
    any_value = ("", gettext("Any"))
    choices = {
        "status": [
            ("", gettext("Any status")),
            (OPEN, gettext("Open (not closed)")),
            *((value, str(label)) for value, label in HelpRequest.Status.choices),
        ],
        "topic": [any_value, *topics],
        "requester_kind": [
            any_value,
            *((value, str(label)) for value, label in HelpRequest.RequesterKind.choices),
        ],
        "centre": [any_value, *((centre.pk, centre.name) for centre in Centre.objects.all())],
        "assignee": [
            ("", gettext("Anyone")),
            *((person.pk, user_label(person)) for person in lawyers()),
        ],
    }
    return Reference(choices, dict(topics), time.monotonic())


def _sign_in(sender, update_fields=None, **kwargs) -> bool:
    """A sign-in (its last_login saved) changes nothing shown."""
    return sender is User and update_fields is not None and set(update_fields) <= {"last_login"}


_kept_rows = KeptRows(
    VERSION_KEY, _read, (Topic, Centre, Membership, Organisation, User), ignore=_sign_in
)


def reference() -> Reference:
    """The reference rows in the active language (visits.listing.KeptRows)."""
    return _kept_rows.get()
