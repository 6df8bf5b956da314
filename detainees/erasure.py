"""Erasing a person (DESIGN.md §4): on request of the owning organisation, everything;
by the retention rules (detainees/retention.py), the identity or all but the figures.

Erasure reaches what was written about the person elsewhere too: the history kept by
django-auditlog (whose deltas hold the old values) and the files generated for them
(subject-access exports, privacy.Job). The access log is kept: it holds codes only,
and is itself the record that the erasure happened.
"""

import logging

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Q

from detainees.models import Accompaniment, DetentionSpell, Family, Identity, Person, Referral
from move.accounts import permissions
from move.privacy import access, jobs
from move.privacy.models import AccessLogEntry, Job

logger = logging.getLogger(__name__)


def forget_history(model, pks) -> int:
    """Delete the audit entries (and so their deltas) of these records."""
    pks = [str(pk) for pk in pks]
    if not pks:
        return 0
    content_type = ContentType.objects.get_for_model(model)
    deleted, _ = LogEntry.objects.filter(content_type=content_type, object_pk__in=pks).delete()
    return deleted


def forget_generated(code: str) -> int:
    """Delete the generated files about a person (whoever asked for them) and their
    job rows. Returns how many jobs were removed."""
    made = list(Job.objects.filter(subject=code))
    for job in made:
        jobs.delete_file(job.file)
    Job.objects.filter(pk__in=[job.pk for job in made]).delete()
    return len(made)


def erase_identity(person: Person) -> bool:
    """Delete the identity, and what holds a copy of it; True if there was one."""
    pks = list(Identity.objects.filter(person=person).values_list("pk", flat=True))
    with disable_auditlog():
        Identity.objects.filter(pk__in=pks).delete()
    forget_history(Identity, pks)
    forget_generated(person.code)
    return bool(pks)


def forget_everything_about(person: Person) -> None:
    """The history and generated files of a person and of all it holds."""
    forget_history(Person, [person.pk])
    forget_history(DetentionSpell, person.spells.values_list("pk", flat=True))
    forget_history(Accompaniment, person.accompaniments.values_list("pk", flat=True))
    forget_history(Referral, person.referrals.values_list("pk", flat=True))
    forget_history(Identity, Identity.objects.filter(person=person).values_list("pk", flat=True))
    forget_generated(person.code)


def held(person: Person) -> dict:
    """What an erasure would delete, counted, for the confirmation page (one query)."""
    counts = Person.objects.filter(pk=person.pk).aggregate(
        spells=Count("spells", distinct=True),
        accompaniments=Count("accompaniments", distinct=True),
        referrals=Count("referrals", distinct=True),
        identity=Count("identity", distinct=True),
        shares=Count(
            "persongroupobjectpermission__group",
            filter=Q(persongroupobjectpermission__permission__codename="view_person"),
            distinct=True,
        ),
    )
    counts["files"] = Job.objects.filter(subject=person.code).count()
    return counts


@transaction.atomic
def erase_person(user, person: Person, page: str) -> str:
    """Delete a person and everything held on them, on request of the owning
    organisation. The access log records the erasure (by code). Returns the code."""
    permissions.require_change_person(user, person)
    person = Person.objects.select_for_update().get(pk=person.pk)
    code, family_id = person.code, person.family_id
    forget_everything_about(person)
    with disable_auditlog():
        person.delete()  # identity, spells, meetings, referrals, shares: cascade
        if family_id:
            # A family left without members says something only about this person.
            Family.objects.filter(pk=family_id, members__isnull=True).delete()
    access.record(user, AccessLogEntry.Action.ERASE, code, page)
    return code
