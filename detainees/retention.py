"""Retention rules of the case files (DESIGN.md §4), registered with move.privacy:

- an identity is erased MOVE_RETENTION_IDENTITY_MONTHS (12) months after the person's
  last detention ended, or after the file was opened when no detention was recorded;
- the case file of a person gone (released, removed, transferred abroad, unknown) for
  MOVE_RETENTION_CASE_FILE_YEARS (5) years is reduced to what the yearly figures count.

Nobody who is detained now is touched. Each erasure is written to the access log.
"""

from datetime import date

from django.conf import settings
from django.db.models import F, OuterRef, Q, Subquery
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from detainees import erasure
from detainees.clock import add_months
from detainees.models import Accompaniment, DetentionSpell, Person, Referral
from move.privacy import access, retention
from move.privacy.models import AccessLogEntry

IDENTITY_RULE = "detainees.identity"
REDUCTION_RULE = "detainees.case-file"
GONE = [
    Person.Status.RELEASED,
    Person.Status.REMOVED,
    Person.Status.TRANSFERRED_ABROAD,
    Person.Status.UNKNOWN,
]


def left_by(people, cutoff: date):
    """People not detained now whose last detention ended on or before `cutoff`; with
    no detention recorded, whose file was opened by then."""
    ongoing = DetentionSpell.objects.filter(end__isnull=True).values("person_id")
    last_end = (
        DetentionSpell.objects.filter(person=OuterRef("pk")).order_by("-end").values("end")[:1]
    )
    return (
        # Someone recorded as detained keeps everything, with or without a spell.
        people.exclude(pk__in=ongoing)
        .exclude(status=Person.Status.DETAINED)
        .annotate(left_on=Subquery(last_end))
        .filter(Q(left_on__lte=cutoff) | Q(left_on__isnull=True, created_at__date__lte=cutoff))
    )


def identity_due(today: date):
    cutoff = add_months(today, -settings.MOVE_RETENTION_IDENTITY_MONTHS)
    return left_by(Person.objects.filter(identity__isnull=False), cutoff).order_by("code")


def reduction_due(today: date):
    cutoff = add_months(today, -12 * settings.MOVE_RETENTION_CASE_FILE_YEARS)
    people = Person.objects.filter(status__in=GONE, reduced_on__isnull=True)
    return left_by(people, cutoff).order_by("code")


def _still_due(due, person: Person) -> bool:
    """Lock the person, then ask again: a detention recorded since the list was read
    keeps the file."""
    Person.objects.select_for_update().filter(pk=person.pk).first()
    return due.filter(pk=person.pk).exists()


def erase_identity(person: Person, today: date) -> bool:
    if not _still_due(identity_due(today), person):
        return False
    erasure.erase_identity(person)
    Person.objects.filter(pk=person.pk).update(identity_erased_on=today)
    access.record(
        None, AccessLogEntry.Action.RETENTION, person.code, f"retention:{IDENTITY_RULE}", "identity"
    )
    return True


def reduce_case_file(person: Person, today: date) -> bool:
    """Keep the code, organisation, sex, birth year, nationality, languages,
    vulnerabilities, status, family, detentions and the topics of the meetings; blank
    the free texts; delete the identity and the history that holds the old texts."""
    if not _still_due(reduction_due(today), person):
        return False
    erased = {"identity_erased_on": today} if erasure.erase_identity(person) else {}
    Person.objects.filter(pk=person.pk).update(
        notes="", reduced_on=today, version=F("version") + 1, **erased
    )
    meetings = Accompaniment.objects.filter(person=person)
    meetings.update(actions="", next_step="", next_step_on=None)
    referrals = Referral.objects.filter(person=person)
    referrals.update(to_whom="", notes="")
    erasure.forget_history(Person, [person.pk])
    erasure.forget_history(Accompaniment, meetings.values_list("pk", flat=True))
    erasure.forget_history(Referral, referrals.values_list("pk", flat=True))
    erasure.forget_generated(person.code)
    access.record(
        None, AccessLogEntry.Action.RETENTION, person.code, f"retention:{REDUCTION_RULE}", "reduced"
    )
    return True


def _identity_description() -> str:
    return _("Identities, %(months)s months after the last detention ended") % {
        "months": settings.MOVE_RETENTION_IDENTITY_MONTHS
    }


def _reduction_description() -> str:
    return _("Case files of people gone for %(years)s years, reduced to what the figures count") % {
        "years": settings.MOVE_RETENTION_CASE_FILE_YEARS
    }


def _code(person: Person) -> str:
    return person.code


def register() -> None:
    retention.register(
        retention.Rule(
            name=IDENTITY_RULE,
            description=lazy(_identity_description, str)(),
            candidates=identity_due,
            apply=erase_identity,
            label=_code,
        )
    )
    retention.register(
        retention.Rule(
            name=REDUCTION_RULE,
            description=lazy(_reduction_description, str)(),
            candidates=reduction_due,
            apply=reduce_case_file,
            label=_code,
        )
    )
