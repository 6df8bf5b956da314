"""Changes of access (DESIGN.md §3): memberships, roles, invitations, organisations and
object shares. django-auditlog records each with who and when; this module adds to each
record what its sentence needs, frozen as it was then ("Anne (coordinator) added Bob as
visitor of JRS"), so that the page listing them needs no query per row, and has the
organisations concerned told by e-mail.

Higher apps register the models that hold their shares from AppConfig.ready()
(`register_shares`): this app never imports them (DESIGN.md §2)."""

import contextlib
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.db.models import Model
from django.utils.translation import gettext as _

from move.accounts.permissions import Role

CREATE, UPDATE, DELETE = 0, 1, 2  # auditlog's LogEntry.Action

_quiet = ContextVar("move_access_changes_quiet", default=False)


@dataclass(frozen=True)
class Kind:
    # When the change is recorded: what its sentence needs, as plain values, and
    # "organisations" ({pk: short name}), those concerned.
    facts: Callable[[Model, int, dict], dict]
    # When it is read, in the reader's language: facts, action, who → a sentence.
    sentence: Callable[[dict, int, str], str]


_kinds: dict[str, Kind] = {}
_models: list[type] = []


def register(model, *, facts, sentence, only_changes=False, **auditlog_options) -> None:
    """Record every change of `model` with django-auditlog and describe it;
    `only_changes`: not its creation or deletion (an account made or removed gives
    nobody access: its memberships do)."""
    from auditlog.registry import auditlog
    from auditlog.signals import post_log, pre_log

    label = model._meta.label_lower
    if label in _kinds:
        return
    _kinds[label] = Kind(facts, sentence)
    _models.append(model)
    auditlog.register(model, **auditlog_options)
    post_log.connect(_annotate, sender=model, dispatch_uid=f"move-access-change-{label}")
    if only_changes:
        pre_log.connect(_changes_only, sender=model, dispatch_uid=f"move-access-only-{label}")


def _changes_only(sender, instance, action, **kwargs) -> bool:
    """pre_log receiver: False (not recorded) for a creation or a deletion."""
    return action == UPDATE


def register_shares(*models, thing, labels=None) -> None:
    """Models of django-guardian object permissions (direct foreign key), to an
    organisation's group or to a person. `thing` names the shared record
    ("case file %(object)s"); `labels` names what a permission other than viewing it
    shares ({"view_identity": "the identity of case file %(object)s"})."""
    for model in models:
        register(model, facts=_share_facts, sentence=_share_sentence(thing, labels or {}))


def models() -> list[type]:
    return list(_models)


@contextlib.contextmanager
def acting(user):
    """Attribute the changes made inside to `user`. auditlog's set_actor leaves the
    request's own actor unset when it ends; this puts it back."""
    from auditlog.context import auditlog_value, set_actor

    previous = auditlog_value.get(None)
    try:
        with set_actor(user):
            yield
    finally:
        if previous is not None:
            auditlog_value.set(previous)


@contextlib.contextmanager
def without_notifications():
    """Record, but e-mail nobody (the demo data)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def _annotate(sender, instance, action, log_entry=None, changes=None, **kwargs):
    """post_log receiver: the facts of the sentence, and the e-mail once committed."""
    if log_entry is None:
        return
    from move.accounts import tasks

    facts = _kinds[sender._meta.label_lower].facts(instance, action, changes or {})
    notify = facts.pop("notify", True)
    facts["model"] = sender._meta.label_lower
    facts["actor"] = _actor_facts(log_entry.actor)
    log_entry.additional_data = facts
    type(log_entry).objects.filter(pk=log_entry.pk).update(additional_data=facts)
    told = facts["organisations"] or facts.get("old_email")
    if notify and told and not _quiet.get():
        tasks.tell_access_change.delay_on_commit(log_entry.pk)


def _actor_facts(actor) -> dict | None:
    """Who made the change: their name and roles, and the organisations (other than the
    coalition) they are a member of, to name them without their name ("a member of
    JRS") to those who may not know it (`anonymous_actor`)."""
    from move.accounts import permissions
    from move.accounts.models import Organisation

    if actor is None:
        return None
    ids = permissions.organisations_of(actor)
    rows = Organisation.objects.filter(pk__in=ids).exclude(kind=Organisation.Kind.COALITION)
    return {
        "name": str(actor),
        "roles": sorted(permissions.roles_of(actor)),
        "organisations": _organisations(*rows) if ids else {},
    }


# --- Reading ---------------------------------------------------------------------------


def entries():
    """The recorded changes of access, newest first."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    types = ContentType.objects.get_for_models(*_models).values()
    return LogEntry.objects.filter(content_type__in=list(types)).order_by("-timestamp", "-pk")


def concerning(queryset, organisation):
    return queryset.filter(additional_data__organisations__has_key=str(organisation.pk))


def sentence(entry, actor: str | None = None) -> str:
    """What happened, in the active language; `actor` names who made the change in
    place of their name and roles (`anonymous_actor`)."""
    facts = entry.additional_data or {}
    kind = _kinds.get(facts.get("model"))
    if kind is None:
        return entry.object_repr
    return kind.sentence(facts, entry.action, who(facts) if actor is None else actor)


def anonymous_actor(entry) -> str:
    """Who made the change without their name or address, for those who may not learn
    it (partners read reports with the visitors' names hidden, DESIGN.md §3): "a member
    of" the organisation concerned they belong to, else of the coalition."""
    facts = entry.additional_data or {}
    actor = facts.get("actor")
    if actor is None:
        return who(facts)
    concerned = facts.get("organisations", {})
    theirs = actor.get("organisations", {})
    common = sorted(name for pk, name in theirs.items() if pk in concerned)
    if common:
        return _("A member of %(organisation)s") % {"organisation": common[0]}
    return _("A member of the coalition")


def told_anonymously(person) -> bool:
    """Whether `person` is told of changes without who made them: those who do not
    read the internal reports (partners)."""
    from move.accounts import permissions

    return not permissions.learns_who_changed_access(person)


def who(facts) -> str:
    actor = facts.get("actor")
    if actor is None:
        return _("Someone on the server (nobody signed in)")
    roles = ", ".join(_role(role) for role in actor["roles"])
    return f"{actor['name']} ({roles})" if roles else actor["name"]


def organisation_names(entry) -> list[str]:
    return sorted((entry.additional_data or {}).get("organisations", {}).values())


def _role(role: str) -> str:
    return str(Role(role).label).lower() if role in Role.values else role


def _organisations(*organisations) -> dict[str, str]:
    return {str(org.pk): org.short_name for org in organisations if org is not None}


# --- Memberships, invitations, organisations --------------------------------------------


def membership_facts(membership, action, changes) -> dict:
    return {
        "member": str(membership.user),
        "role": membership.role,
        "organisation": membership.organisation.short_name,
        "organisations": _organisations(membership.organisation),
    }


def membership_sentence(facts, action, actor) -> str:
    params = {
        "actor": actor,
        "member": facts["member"],
        "role": _role(facts["role"]),
        "organisation": facts["organisation"],
    }
    if action == CREATE:
        return _("%(actor)s added %(member)s as %(role)s of %(organisation)s") % params
    if action == DELETE:
        return _("%(actor)s removed %(member)s as %(role)s of %(organisation)s") % params
    return _("%(actor)s made %(member)s %(role)s of %(organisation)s") % params


def invitation_facts(invitation, action, changes) -> dict:
    event = "changed"
    if action == CREATE:
        event = "invited"
    elif action == DELETE:
        event = "deleted"
    elif "revoked_at" in changes:
        event = "withdrawn"
    elif "accepted_at" in changes:
        event = "accepted"
    return {
        "event": event,
        "email": invitation.email,
        "role": invitation.role,
        "organisation": invitation.organisation.short_name,
        "organisations": _organisations(invitation.organisation),
        # Its membership, recorded at the same time, tells the organisation.
        "notify": event != "accepted",
    }


def invitation_sentence(facts, action, actor) -> str:
    params = {
        "actor": actor,
        "email": facts["email"],
        "role": _role(facts["role"]),
        "organisation": facts["organisation"],
    }
    sentences = {
        "invited": _("%(actor)s invited %(email)s to join %(organisation)s as %(role)s"),
        "withdrawn": _(
            "%(actor)s withdrew the invitation of %(email)s to join %(organisation)s as %(role)s"
        ),
        "accepted": _("%(email)s accepted the invitation to join %(organisation)s as %(role)s"),
        "deleted": _(
            "%(actor)s deleted the invitation of %(email)s to join %(organisation)s as %(role)s"
        ),
    }
    default = _("%(actor)s changed the invitation of %(email)s to join %(organisation)s")
    return sentences.get(facts["event"], default) % params


def organisation_facts(organisation, action, changes) -> dict:
    return {
        "organisation": organisation.short_name,
        "fields": sorted(changes) if action == UPDATE else [],
        "active": organisation.active,
        "organisations": _organisations(organisation),
    }


def organisation_sentence(facts, action, actor) -> str:
    from move.accounts.models import Organisation

    params = {"actor": actor, "organisation": facts["organisation"]}
    if action == CREATE:
        return _("%(actor)s created the organisation %(organisation)s") % params
    if action == DELETE:
        return _("%(actor)s deleted the organisation %(organisation)s") % params
    said = []
    if "active" in facts["fields"]:
        if facts["active"]:
            switched = _(
                "%(actor)s switched %(organisation)s on: its members have their access back"
            )
        else:
            switched = _("%(actor)s switched %(organisation)s off: its members lose their access")
        said.append(switched % params)
    others = [name for name in facts["fields"] if name != "active"]
    if others:
        labels = ", ".join(_field_label(Organisation, name) for name in others)
        changed = _("%(actor)s changed %(fields)s of %(organisation)s")
        said.append(changed % (params | {"fields": labels}))
    return "; ".join(said)


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except LookupError:
        return name


# --- Accounts: the sign-in address, switched off or on ---------------------------------


def account_facts(user, action, changes) -> dict:
    """A changed sign-in address (followed by a password reset, it would hand the
    account over) or an account switched off or on: its organisations are told, and so
    is the old address."""
    memberships = user.memberships.select_related("organisation")
    facts = {
        "member": str(user),
        "fields": sorted(changes),
        "active": user.is_active,
        "organisations": _organisations(*(each.organisation for each in memberships)),
    }
    if "email" in changes:
        old, new = changes["email"]
        facts |= {"old_email": old, "new_email": new, "member_id": user.pk}
    return facts


def account_sentence(facts, action, actor) -> str:
    params = {"actor": actor, "member": facts["member"]}
    said = []
    if "email" in facts["fields"]:
        changed = _("%(actor)s changed the sign-in address of %(member)s from %(old)s to %(new)s")
        said.append(changed % (params | {"old": facts["old_email"], "new": facts["new_email"]}))
    if "is_active" in facts["fields"]:
        if facts["active"]:
            switched = _("%(actor)s switched on the account of %(member)s")
        else:
            switched = _("%(actor)s switched off the account of %(member)s")
        said.append(switched % params)
    return "; ".join(said)


# --- Object shares (django-guardian) ----------------------------------------------------


def _share_facts(permission_row, action, changes) -> dict:
    from move.accounts.models import Organisation

    shared = permission_row.content_object
    owner = getattr(shared, "organisation", None)
    if hasattr(permission_row, "group_id"):
        target_org = Organisation.objects.filter(group_id=permission_row.group_id).first()
        target = target_org.short_name if target_org else str(permission_row.group)
    else:
        target_org, target = None, str(permission_row.user)
    return {
        "object": str(shared),
        "permission": permission_row.permission.codename,
        "target": target,
        "organisations": _organisations(owner, target_org),
    }


def _share_sentence(thing, labels) -> Callable:
    def sentence(facts, action, actor) -> str:
        what = labels.get(facts["permission"], thing)
        params = {"actor": actor, "target": facts["target"], "thing": what % facts}
        if action == DELETE:
            return _("%(actor)s stopped sharing %(thing)s with %(target)s") % params
        return _("%(actor)s shared %(thing)s with %(target)s") % params

    return sentence


def register_own_models() -> None:
    from move.accounts.models import Invitation, Membership, Organisation, User

    register(Membership, facts=membership_facts, sentence=membership_sentence)
    register(
        User,
        facts=account_facts,
        sentence=account_sentence,
        only_changes=True,
        include_fields=["email", "is_active"],
    )
    register(
        Invitation,
        facts=invitation_facts,
        sentence=invitation_sentence,
        # A new token (each sending) changes nothing of who may do what.
        exclude_fields=["token_hash", "expires_at"],
    )
    register(
        Organisation,
        facts=organisation_facts,
        sentence=organisation_sentence,
        exclude_fields=["version"],
    )


# --- Who is told ------------------------------------------------------------------------


def told_of(entry) -> list:
    """The people told of a change: for each organisation concerned, its coordinators,
    or all its members when it has none; active accounts only, each once."""
    from move.accounts.models import User

    people: dict[int, User] = {}
    for organisation_id in (entry.additional_data or {}).get("organisations", {}):
        people_of = User.objects.filter(is_active=True).distinct()
        # One filter() each: the role and the organisation are those of one membership.
        coordinators = people_of.filter(
            memberships__organisation_id=int(organisation_id),
            memberships__role=Role.COORDINATOR,
        )
        members = people_of.filter(memberships__organisation_id=int(organisation_id))
        chosen = list(coordinators) or list(members)
        people.update((person.pk, person) for person in chosen)
    return sorted(people.values(), key=lambda person: person.email)


def old_address_of(entry):
    """(the person, their address before the change) when the entry changed someone's
    sign-in address: they are told there, in case it was not them who asked."""
    from move.accounts.models import User

    facts = entry.additional_data or {}
    if not facts.get("old_email"):
        return None
    person = User.objects.filter(pk=facts.get("member_id")).first()
    return (person, facts["old_email"]) if person is not None else None
