"""What crosses records in the case files. Views, tasks and commands call these; the
access rules themselves are asked of move.accounts.permissions."""

import json
from datetime import date

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from detainees.models import (
    Accompaniment,
    DetentionSpell,
    Family,
    Identity,
    Person,
    next_code,
)
from move.accounts import permissions
from move.accounts.forms import CONCURRENT_EDIT
from move.accounts.permissions import Role
from move.privacy import access, crypto, pii
from move.privacy.models import AccessLogEntry

IDENTITY_FIELDS = ("surname", "given_names", "date_of_birth", "office_number", "contacts", "notes")
# An ended spell's outcome → the person's status.
STATUS_AFTER = {
    "transferred": Person.Status.DETAINED,
    "new_order": Person.Status.DETAINED,
    "released": Person.Status.RELEASED,
    "removed": Person.Status.REMOVED,
    "transferred_abroad": Person.Status.TRANSFERRED_ABROAD,
    "other": Person.Status.UNKNOWN,
}


# --- Case files --------------------------------------------------------------------------


def likely_duplicates(user, *, birth_year=None, nationality="", centre=None, full_name=""):
    """People of the user's own organisations who may be the same person: same year of
    birth and nationality held in the same centre, or the same name (compared through
    the identity's keyed digest, never in clear)."""
    conditions = Q(pk__in=[])
    if birth_year and nationality and centre is not None:
        conditions |= Q(
            birth_year=birth_year,
            nationality=nationality,
            pk__in=DetentionSpell.objects.filter(centre=centre, end__isnull=True).values(
                "person_id"
            ),
        )
    if full_name.strip():
        conditions |= Q(identity__name_index=crypto.blind_index(full_name))
    organisations = permissions.organisations_of(user, {Role.VISITOR})
    return list(
        Person.objects.filter(organisation__in=organisations)
        .filter(conditions)
        .order_by("code")[:10]
    )


@transaction.atomic
def create_person(
    user, person: Person, identity: dict | None = None, spell: dict | None = None, page: str = ""
):
    """Save a new case file with its code, its identity and its first spell, or nothing."""
    if person.organisation_id not in permissions.organisations_of(user, {Role.VISITOR}):
        raise permissions.PermissionDenied(permissions.REFUSAL_REASONS["detainees.change_person"])
    person.created_by = user
    if spell:
        _check_spell(person, DetentionSpell(person=person, **spell), new_person=True)
    person.code = next_code(Person, "P")
    person.save()
    if spell:
        DetentionSpell.objects.create(person=person, **spell)
    if identity and any(identity.get(field) for field in IDENTITY_FIELDS):
        _write_identity(person, Identity(person=person), identity)
        access.record(user, AccessLogEntry.Action.CHANGE_IDENTITY, person.code, page)
    return person


def visit_panel(request, visit):
    """The people met during a visit, for the visit's page (visits/panels.py)."""
    user = request.user
    if not permissions.has_perm(user, "detainees.view_person"):
        return None
    met = (
        Accompaniment.objects.visible_to(user)
        .filter(visit=visit)
        .select_related("person")
        .order_by("person__code")
    )
    return {
        "people_met": list(met),
        "may_record": permissions.has_perm(user, "detainees.change_person")
        and visit.status != "cancelled",
    }


def known_names(organisation) -> list[str]:
    """The names in an organisation's identities, for the PII scanner's deny-list. The
    scanner runs on every autosave: the list is kept in the cache, encrypted (a cache is
    no place for names in clear), and rebuilt whenever an identity changes."""
    token = cache.get(_names_key(organisation.pk))
    if token is not None:
        try:
            return json.loads(crypto.decrypt(token))
        except crypto.UnreadableData:
            pass  # written with a key since retired: rebuild it
    return _cache_known_names(organisation.pk)


NAMES_SECONDS = 5 * 60


def _names_key(organisation_id) -> str:
    return f"detainees:known-names:{organisation_id}"


def _cache_known_names(organisation_id) -> list[str]:
    identities = Identity.objects.filter(person__organisation_id=organisation_id)
    names = sorted(
        {identity.full_name() for identity in identities.only("surname", "given_names")} - {""}
    )
    # Forgotten at each change of an identity (below) and, whatever happens, after
    # NAMES_SECONDS: a forgetting that Redis could not take during an outage
    # (move/cache.py) does not leave a name unknown to the scanner for longer.
    cache.set(_names_key(organisation_id), crypto.encrypt(json.dumps(names)), NAMES_SECONDS)
    return names


@receiver([post_save, post_delete], sender=Identity)
def _identity_changed(sender, instance, **kwargs):
    organisation = Person.objects.filter(pk=instance.person_id).values_list(
        "organisation_id", flat=True
    )
    for organisation_id in organisation:
        # Forgotten now, rebuilt once the change is committed (not before: a rollback
        # would leave names that were never saved).
        cache.delete(_names_key(organisation_id))
        pii.forget_names()  # nor in the compiled patterns of this process
        transaction.on_commit(lambda pk=organisation_id: _cache_known_names(pk))


def may_take_export(user, job) -> bool:
    """Whether the requester of a subject-access export may still download it: only
    while they keep the case file (an export holds the identity)."""
    person = Person.objects.filter(code=job.subject).first()
    return person is not None and permissions.may_change_person(user, person)


# --- Identities --------------------------------------------------------------------------


def read_identity(user, person: Person, page: str) -> Identity | None:
    """The identity, for those allowed; each read is written to the access log."""
    permissions.require_identity(user, person)
    identity = Identity.objects.filter(person=person).first()
    access.record(user, AccessLogEntry.Action.READ_IDENTITY, person.code, page)
    return identity


class IdentityChanged(ValidationError):
    """Someone saved the identity after the form was opened: nothing was written."""

    def __init__(self, seen: str):
        super().__init__(CONCURRENT_EDIT)
        self.seen = seen


def identity_stamp(identity: Identity | None) -> str:
    """What an identity form remembers of the version it was opened on."""
    return identity.updated_at.isoformat() if identity else ""


@transaction.atomic
def save_identity(
    user, person: Person, data: dict, page: str, seen: str | None = None
) -> Identity | None:
    """Write the identity; with `seen` (identity_stamp when the form was opened), refuse
    if someone saved it meanwhile, rather than write over their changes."""
    permissions.require_change_person(user, person)
    identity = Identity.objects.select_for_update().filter(person=person).first()
    if seen is not None and seen != identity_stamp(identity):
        raise IdentityChanged(identity_stamp(identity))
    if identity is None and not any(data.get(field) for field in IDENTITY_FIELDS):
        return None  # nothing known yet: no empty identity is kept
    identity = identity or Identity(person=person)
    _write_identity(person, identity, data)
    access.record(user, AccessLogEntry.Action.CHANGE_IDENTITY, person.code, page)
    return identity


def _write_identity(person, identity, data):
    for field in IDENTITY_FIELDS:
        if field in data:
            setattr(identity, field, data[field] or "")
    identity.name_index = crypto.blind_index(identity.full_name()) if identity.full_name() else ""
    identity.save()


# --- Detention ---------------------------------------------------------------------------


def _check_spell(person, spell: DetentionSpell, new_person=False, exclude=None) -> None:
    """A spell must start before it ends, not in the future, in a centre open then,
    and not overlap another of the person's spells (a transfer ends one on the day the
    next starts)."""
    errors = {}
    today = timezone.localdate()
    if spell.start and spell.start > today:
        errors["start"] = _("A detention cannot start in the future.")
    if spell.end and spell.start and spell.end < spell.start:
        errors["end"] = _("A spell cannot end before it starts.")
    if spell.end and spell.end > today:
        errors["end"] = _("A detention cannot end in the future.")
    centre = spell.centre
    # Open on the first day and on the last one (today for an ongoing spell).
    for day in (spell.start, spell.end or today):
        if day and not centre.was_open_on(day) and "centre" not in errors:
            errors["centre"] = _("%(centre)s was not open on %(day)s.") % {
                "centre": centre,
                "day": day.strftime("%d/%m/%Y"),
            }
    if errors:
        raise ValidationError(errors)
    if new_person:
        return
    others = person.spells.exclude(pk=exclude)
    # Half-open intervals [start, end): an ongoing spell has no end.
    overlapping = others.filter(Q(end__isnull=True) | Q(end__gt=spell.start))
    if spell.end is not None:
        overlapping = overlapping.filter(start__lt=spell.end)
    clash = overlapping.select_related("centre").first()
    if clash:
        values = {
            "centre": clash.centre,
            "start": clash.start.strftime("%d/%m/%Y"),
            "end": clash.end.strftime("%d/%m/%Y") if clash.end else "",
        }
        if clash.end:
            message = _("This spell overlaps the one in %(centre)s from %(start)s to %(end)s.")
        else:
            message = _("This spell overlaps the one in %(centre)s, ongoing since %(start)s.")
        raise ValidationError(message % values)


@transaction.atomic
def add_spell(user, person: Person, spell: DetentionSpell) -> DetentionSpell:
    permissions.require_change_person(user, person)
    Person.objects.select_for_update().filter(pk=person.pk).first()
    spell.person = person
    _check_spell(person, spell)
    spell.save()
    latest = person.spells.order_by("-start", "-pk").first()
    if latest.pk == spell.pk:
        # The newest spell says where the person is now.
        status = Person.Status.DETAINED if spell.end is None else STATUS_AFTER[spell.outcome]
        _set_status(person, status)
    return spell


def _set_status(person: Person, status: str) -> None:
    """Moves the version on: an edit form opened before this change cannot put the
    old status back without being told (VersionedModelForm)."""
    Person.objects.filter(pk=person.pk).update(status=status, version=F("version") + 1)
    person.status = status


def ongoing_spell(person: Person) -> DetentionSpell | None:
    return person.spells.filter(end__isnull=True).select_related("centre").first()


@transaction.atomic
def transfer(user, person: Person, centre, on: date, new_order: bool = False) -> DetentionSpell:
    """Ends the ongoing spell on `on` and starts one in `centre`: under the same order
    (a transfer, the count goes on) or under a new one (the count starts again)."""
    permissions.require_change_person(user, person)
    Person.objects.select_for_update().filter(pk=person.pk).first()
    current = ongoing_spell(person)
    if current is None:
        raise ValidationError(_("This person is not detained now: record a new detention instead."))
    if centre.pk == current.centre_id and not new_order:
        raise ValidationError({"centre": _("The person is already held in this centre.")})
    if on < current.start:
        raise ValidationError({"on": _("The transfer cannot be before the detention started.")})
    following = DetentionSpell(
        person=person, centre=centre, start=on, ground=current.ground, new_order=new_order
    )
    current.end = on
    current.outcome = (
        DetentionSpell.Outcome.NEW_ORDER if new_order else DetentionSpell.Outcome.TRANSFERRED
    )
    _check_spell(person, current, exclude=current.pk)
    current.save(update_fields=["end", "outcome"])
    _check_spell(person, following)
    following.save()
    return following


@transaction.atomic
def end_detention(user, person: Person, on: date, outcome: str) -> DetentionSpell:
    permissions.require_change_person(user, person)
    Person.objects.select_for_update().filter(pk=person.pk).first()
    current = ongoing_spell(person)
    if current is None:
        raise ValidationError(_("This person is not detained now."))
    if outcome not in STATUS_AFTER or STATUS_AFTER[outcome] == Person.Status.DETAINED:
        raise ValidationError({"outcome": _("Choose how the detention ended.")})
    current.end, current.outcome = on, outcome
    _check_spell(person, current, exclude=current.pk)
    current.save(update_fields=["end", "outcome"])
    _set_status(person, STATUS_AFTER[outcome])
    return current


# --- Meetings ----------------------------------------------------------------------------


def visits_of_organisation(organisation_id):
    """Visits in which a visitor of the organisation took part."""
    from visits.models import Visit

    return Visit.objects.filter(
        visitors__memberships__organisation_id=organisation_id,
        visitors__memberships__role=Role.VISITOR,
    ).exclude(status="cancelled")


@transaction.atomic
def record_accompaniment(user, person: Person, accompaniment: Accompaniment, topics=()):
    permissions.require_change_person(user, person)
    Person.objects.select_for_update().filter(pk=person.pk).first()  # one save at a time
    visit = accompaniment.visit
    if visit.status == "cancelled" or visit.date > timezone.localdate():
        raise ValidationError(
            {"visit": _("Choose a visit that took place: this one was cancelled or is to come.")}
        )
    if not visits_of_organisation(person.organisation_id).filter(pk=visit.pk).exists():
        raise ValidationError(
            {"visit": _("This visit was made by another organisation: choose one of yours.")}
        )
    if (
        Accompaniment.objects.filter(person=person, visit=visit)
        .exclude(pk=accompaniment.pk)
        .exists()
    ):
        raise ValidationError({"visit": _("This meeting is already recorded for this visit.")})
    accompaniment.person = person
    if accompaniment.met_by_id is None:
        accompaniment.met_by = user
    accompaniment.save()
    accompaniment.topics.set(topics)
    return accompaniment


# --- Sharing -----------------------------------------------------------------------------


@transaction.atomic
def share_person(user, person: Person, organisation, with_identity: bool, page: str) -> None:
    permissions.require_change_person(user, person)
    targets = permissions.case_file_share_targets(person)
    if not targets.filter(pk=getattr(organisation, "pk", None)).exists():
        raise ValidationError({"organisation": _("Choose one of the coalition's organisations.")})
    # Named on the access-changes page whether or not a request is behind the call.
    from move.accounts.access_changes import acting

    with acting(user):
        permissions.share(person, organisation, "view_person")
        if with_identity:
            permissions.share(person, organisation, "view_identity")
        else:
            permissions.unshare(person, organisation, "view_identity")
    detail = organisation.short_name + (" +identity" if with_identity else "")
    access.record(user, AccessLogEntry.Action.SHARE, person.code, page, detail)


@transaction.atomic
def unshare_person(user, person: Person, organisation, page: str) -> None:
    from move.accounts.access_changes import acting

    permissions.require_change_person(user, person)
    with acting(user):
        permissions.unshare(person, organisation, "view_person")
        permissions.unshare(person, organisation, "view_identity")
    access.record(user, AccessLogEntry.Action.UNSHARE, person.code, page, organisation.short_name)


def shares_of(person: Person) -> list[dict]:
    """Who a case file is shared with, and whether with its identity."""
    from detainees.models import PersonGroupObjectPermission

    rows = PersonGroupObjectPermission.objects.filter(content_object=person).values_list(
        "group__organisation__pk", "group__organisation__short_name", "permission__codename"
    )
    shares: dict[int, dict] = {}
    for pk, name, codename in rows:
        entry = shares.setdefault(pk, {"pk": pk, "name": name, "identity": False})
        entry["identity"] |= codename == "view_identity"
    return sorted(shares.values(), key=lambda entry: entry["name"])


def new_family(user, organisation, adults: int, children_ages: list[int]) -> Family:
    if organisation.pk not in permissions.organisations_of(user, {Role.VISITOR}):
        raise permissions.PermissionDenied(permissions.REFUSAL_REASONS["detainees.change_person"])
    return Family.objects.create(
        organisation=organisation, adults=adults, children_ages=children_ages
    )
