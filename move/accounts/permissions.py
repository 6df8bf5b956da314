"""THE access rules of Move (DESIGN.md §3).

Roles and what each may do are data (ROLE_PERMISSIONS). Views, templates, tasks and
exports ask `has_perm` / `require` and the `visible_to` querysets built from the
helpers here; nothing else holds a rule. An unknown permission name raises, so a typo
cannot silently refuse or allow.

Object-level exceptions (one record shared with another organisation) are
django-guardian permissions on direct-foreign-key models, granted to the
organisation's group; `shared_pks` turns them into a subquery so that a list is
still one SQL query.
"""

from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VISITOR = "visitor", _("Visitor")
    LEGAL = "legal", _("Lawyer")
    COORDINATOR = "coordinator", _("Coordinator")
    ADVOCACY = "advocacy", _("Advocacy")
    WITNESS_POOL = "witness_pool", _("Witness pool")
    PARTNER = "partner", _("Partner")


class UnknownPermission(LookupError):
    """A permission name that is not declared in PERMISSIONS."""


# Every permission the application checks, with what it allows.
PERMISSIONS = {
    "centres.view_centre": _("See the detention centres and their yearly figures"),
    "centres.change_centre": _("Edit centres and their yearly figures"),
    "accounts.manage_organisations": _("Manage organisations, memberships and invitations"),
    "accounts.use_admin": _("Use the administration site"),
    "accounts.view_access_changes": _(
        "Read who changed memberships, roles, invitations, organisations and shares"
    ),
    "visits.view_theme": _("See the themes of observations"),
    "visits.change_theme": _("Edit the themes of observations"),
    "visits.view_visit": _("See the visits planned and done, and the weekly coverage"),
    "visits.plan_visit": _("Plan visits and record them as done or cancelled"),
    "visits.view_submitted_report": _("Read the submitted visit reports"),
    "visits.view_any_draft": _("Read the drafts of every visit report"),
    "visits.read_reports": _("Open the list of visit reports (each shows what its role allows)"),
    "visits.write_report": _("Write the report of a visit one took part in"),
    "visits.view_report_history": _("See every change made to a report after its submission"),
    "detainees.view_person": _("Read case files (coordinators: pseudonymised fields only)"),
    "detainees.change_person": _("Keep the case files of one's organisation"),
    "detainees.view_identity": _("Read the identities held by one's organisation"),
    "privacy.view_access_log": _("Read the access log of personal data"),
    "ops.view_system": _(
        "See the System page: health checks, queues, failed jobs, backups, versions"
    ),
    "legal.view_help_request": _(
        "Open the legal help desk (visitors: their own requests and those shared with them)"
    ),
    "legal.ask_help": _("Ask the coalition's lawyer a legal question"),
    "legal.view_every_help_request": _("Read every request of the legal help desk"),
    "legal.answer_help_request": _(
        "Record, answer, assign, close and reopen the requests of the help desk"
    ),
    "legal.view_internal_notes": _("Read the internal notes of the help desk's requests"),
    "legal.view_contact": _("Read the contacts of outside callers of the help desk"),
    "legal.use_calculator": _("Use the calculator of legal deadlines"),
    "legal.change_deadline_rule": _("Edit the rules of legal deadlines"),
    "legal.view_directory": _("Search the directory of lawyers who practise detention law"),
    "legal.change_directory": _("Keep the lawyer directory, import and export it"),
    "legal.view_jurisprudence": _(
        "Read the jurisprudence, the strategic cases, the trainings and the documents"
    ),
    "legal.change_jurisprudence": _("Keep the jurisprudence, the trainings and the documents"),
    "legal.change_litigation": _("Keep the strategic cases and their hearings"),
    "legal.view_newsletter": _("Read the newsletters, drafts included, and their deliveries"),
    "legal.publish_newsletter": _("Write, publish and send the quarterly newsletter"),
    "advocacy.view_point": _("Read the points of attention and the meetings with the authorities"),
    "advocacy.raise_point": _("Raise an observation of a report as a point of attention"),
    "advocacy.change_point": _(
        "Keep the points of attention and prepare the meetings with the authorities"
    ),
    "advocacy.view_exchange_meeting": _(
        "Read the exchange meetings (partners: those their organisation attended)"
    ),
    "advocacy.view_every_exchange_meeting": _("Read every exchange meeting"),
    "advocacy.change_exchange_meeting": _("Keep the exchange meetings"),
    "advocacy.view_witness": _("Keep the witness pool: witnesses, consents and testimonies"),
    "advocacy.view_witness_contact": _("Read the contacts of witnesses (each read logged)"),
    "advocacy.view_testimony": _("Read testimonies within the scopes their witnesses consented to"),
    "advocacy.record_use": _("Record where a testimony is used"),
    "figures.view_figures": _("Read the coalition's yearly and quarterly figures and export them"),
    "figures.view_contributions": _("See each organisation's contribution to the figures"),
    "figures.view_published_figures": _(
        "Read the published figures only: small numbers suppressed so that nobody can be identified"
    ),
}

# Every internal role reads the directory and the jurisprudence (DESIGN.md §3).
LIBRARY_READERS = frozenset({"legal.view_directory", "legal.view_jurisprudence"})

INTERNAL_ROLES = frozenset(
    {Role.VISITOR, Role.LEGAL, Role.COORDINATOR, Role.ADVOCACY, Role.WITNESS_POOL}
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.VISITOR: frozenset(
        {
            "figures.view_figures",
            "advocacy.view_point",
            "advocacy.raise_point",
            "advocacy.view_exchange_meeting",
            "advocacy.view_every_exchange_meeting",
            "visits.read_reports",
            "visits.write_report",
            "centres.view_centre",
            "visits.view_theme",
            "visits.view_visit",
            "visits.plan_visit",
            "visits.view_submitted_report",
            "detainees.view_person",
            "detainees.change_person",
            "detainees.view_identity",
            "legal.view_help_request",
            "legal.ask_help",
            "legal.use_calculator",
            *LIBRARY_READERS,
        }
    ),
    Role.LEGAL: frozenset(
        {
            "figures.view_figures",
            "figures.view_contributions",
            "advocacy.view_point",
            "advocacy.change_point",
            "advocacy.view_exchange_meeting",
            "advocacy.view_every_exchange_meeting",
            # Case files linked to a help request, pseudonymised (readable_case_files).
            "detainees.view_person",
            "legal.view_help_request",
            "legal.view_every_help_request",
            "legal.answer_help_request",
            "legal.view_internal_notes",
            "legal.view_contact",
            "legal.use_calculator",
            "legal.change_deadline_rule",
            *LIBRARY_READERS,
            "legal.change_directory",
            "legal.change_jurisprudence",
            "legal.change_litigation",
            "legal.view_newsletter",
            "legal.publish_newsletter",
            "visits.read_reports",
            "centres.view_centre",
            "visits.view_theme",
            "visits.view_visit",
            "visits.view_submitted_report",
        }
    ),
    Role.COORDINATOR: frozenset(
        {
            "figures.view_figures",
            "figures.view_contributions",
            "advocacy.view_point",
            "advocacy.raise_point",
            "advocacy.change_point",
            "advocacy.view_exchange_meeting",
            "advocacy.view_every_exchange_meeting",
            "advocacy.change_exchange_meeting",
            "advocacy.view_witness",
            "advocacy.view_witness_contact",
            "advocacy.view_testimony",
            "advocacy.record_use",
            "centres.view_centre",
            "centres.change_centre",
            "accounts.manage_organisations",
            "accounts.use_admin",
            "accounts.view_access_changes",
            "visits.view_theme",
            "visits.change_theme",
            "visits.view_visit",
            "visits.plan_visit",
            "visits.view_submitted_report",
            "visits.view_any_draft",
            "visits.read_reports",
            "visits.view_report_history",
            "detainees.view_person",
            "privacy.view_access_log",
            "ops.view_system",
            "legal.view_help_request",
            "legal.view_every_help_request",
            "legal.view_internal_notes",
            "legal.use_calculator",
            *LIBRARY_READERS,
            "legal.change_directory",
            "legal.change_jurisprudence",
            "legal.view_newsletter",
        }
    ),
    Role.ADVOCACY: frozenset(
        {
            "figures.view_figures",
            "figures.view_contributions",
            "advocacy.view_point",
            "advocacy.view_exchange_meeting",
            "advocacy.view_every_exchange_meeting",
            "advocacy.change_exchange_meeting",
            "advocacy.view_testimony",
            "advocacy.record_use",
            "legal.use_calculator",
            *LIBRARY_READERS,
            "visits.read_reports",
            "centres.view_centre",
            "visits.view_theme",
            "visits.view_visit",
            "visits.view_submitted_report",
        }
    ),
    Role.WITNESS_POOL: frozenset(
        {
            "centres.view_centre",
            "legal.use_calculator",
            *LIBRARY_READERS,
            "advocacy.view_exchange_meeting",
            "advocacy.view_every_exchange_meeting",
            "advocacy.view_witness",
            "advocacy.view_witness_contact",
            "advocacy.view_testimony",
            "advocacy.record_use",
        }
    ),
    # Partners: the reports shared with them, the exchange meetings they attended
    # and the figures with small numbers suppressed (figures/suppression.py).
    Role.PARTNER: frozenset(
        {"visits.read_reports", "advocacy.view_exchange_meeting", "figures.view_published_figures"}
    ),
}

# Roles that see personal data: they must use a second factor (MOVE_REQUIRE_MFA).
MFA_ROLES = frozenset({Role.VISITOR, Role.LEGAL, Role.COORDINATOR, Role.WITNESS_POOL})

# Why a permission can be refused, shown to the person refused.
REFUSAL_REASONS = {
    "centres.change_centre": _("Only coordinators can edit centres."),
    "accounts.manage_organisations": _("Only coordinators can manage organisations and people."),
    "accounts.use_admin": _("Only coordinators can use the administration site."),
    "accounts.view_access_changes": _("Only coordinators read the changes of access."),
    "visits.change_theme": _("Only coordinators can edit the themes."),
    "visits.plan_visit": _("Only visitors and coordinators plan visits."),
    "visits.write_report": _("Only the visitors who took part in a visit write its report."),
    "visits.view_report_history": _("Only coordinators see the history of a report."),
    "detainees.change_person": _(
        "Only the visitors of the organisation that keeps it change a case file."
    ),
    "detainees.view_identity": _(
        "Only the visitors of the organisation that keeps it read an identity."
    ),
    "privacy.view_access_log": _("Only coordinators read the access log."),
    "ops.view_system": _("Only coordinators see the System page."),
    "legal.ask_help": _("Only visitors ask the lawyer from the application."),
    "legal.answer_help_request": _(
        "Only the coalition's lawyer works on the help desk's requests."
    ),
    "legal.change_deadline_rule": _("Only the coalition's lawyer edits the deadline rules."),
    "legal.change_directory": _("Only the lawyer and the coordinators keep the directory."),
    "legal.change_jurisprudence": _(
        "Only the lawyer and the coordinators keep the jurisprudence, trainings and documents."
    ),
    "legal.change_litigation": _("Only the coalition's lawyer keeps the strategic cases."),
    "legal.view_newsletter": _("Only the lawyer and the coordinators read the newsletter drafts."),
    "legal.publish_newsletter": _("Only the coalition's lawyer writes and sends the newsletter."),
    "advocacy.raise_point": _("Only visitors and coordinators raise points of attention."),
    "advocacy.change_point": _(
        "Only coordinators and the lawyer keep the points of attention and the meetings."
    ),
    "advocacy.change_exchange_meeting": _(
        "Only coordinators and the advocacy team keep the exchange meetings."
    ),
    "advocacy.view_witness_contact": _(
        "Only the witness-pool volunteer and coordinators read a witness's contact."
    ),
    "advocacy.record_use": _("Only advocacy and the pool's keepers record uses of testimonies."),
    "figures.view_figures": _("The witness pool's volunteers do not read the figures."),
}

_ROLES_CACHE = "_move_roles"
_GROUPS_CACHE = "_move_groups"


def _check_name(perm: str) -> None:
    if perm not in PERMISSIONS:
        raise UnknownPermission(f"Unknown permission {perm!r}: declare it in PERMISSIONS.")


def memberships_of(user):
    """The (organisation_id, role) pairs of a user, read once per request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, _ROLES_CACHE, None)
    if cached is None:
        # An organisation switched off gives its members no rights any more.
        rows = list(
            user.memberships.filter(organisation__active=True).values_list(
                "organisation_id", "role", "organisation__group_id"
            )
        )
        cached = frozenset((organisation, role) for organisation, role, _group in rows)
        setattr(user, _ROLES_CACHE, cached)
        setattr(user, _GROUPS_CACHE, {organisation: group for organisation, _r, group in rows})
    return cached


def forget(user) -> None:
    """Drop the cached memberships (after they change)."""
    for name in (_ROLES_CACHE, _GROUPS_CACHE):
        if hasattr(user, name):
            delattr(user, name)


def groups_of(user, roles) -> frozenset[int]:
    """Ids of the groups of the organisations where the user holds one of `roles`:
    read with the memberships, so that a share lookup needs no join to find them."""
    organisations = organisations_of(user, roles)
    groups = getattr(user, _GROUPS_CACHE, {})
    return frozenset(groups[organisation] for organisation in organisations)


def roles_of(user) -> frozenset[str]:
    return frozenset(role for _org, role in memberships_of(user))


def organisations_of(user, roles=None) -> frozenset[int]:
    """Ids of the organisations where the user holds one of `roles` (any role if None)."""
    return frozenset(org for org, role in memberships_of(user) if roles is None or role in roles)


def has_role(user, *roles) -> bool:
    return bool(roles_of(user) & set(roles))


def permissions_of(user) -> frozenset[str]:
    if getattr(user, "is_superuser", False) and user.is_active:
        return frozenset(PERMISSIONS)
    granted: set[str] = set()
    for role in roles_of(user):
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


def has_perm(user, perm: str) -> bool:
    _check_name(perm)
    return perm in permissions_of(user)


def roles_with(perm: str) -> frozenset[str]:
    _check_name(perm)
    return frozenset(role for role, perms in ROLE_PERMISSIONS.items() if perm in perms)


def holders(perm: str, roles=None):
    """The people who hold `perm` now, in one query: active, with a membership of an
    active organisation in a role that grants it (what has_perm answers for each);
    `roles` keeps only some of those roles (the witness-pool members among the keepers).
    For the e-mails and the choice lists that name people by what they may do."""
    from django.contrib.auth import get_user_model

    granting = roles_with(perm) if roles is None else roles_with(perm) & frozenset(roles)
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__role__in=sorted(granting),
            memberships__organisation__active=True,
        )
        .distinct()
    )


def require(user, perm: str) -> None:
    """Raise PermissionDenied (a 403) with the reason, unless the user has `perm`."""
    if not has_perm(user, perm):
        raise PermissionDenied(REFUSAL_REASONS.get(perm, _("You are not allowed to do this.")))


def sees_personal_data(user) -> bool:
    """Whether one of the user's roles sees personal data (MFA_ROLES): what the
    two-factor prompts tell them depends on it."""
    return bool(roles_of(user) & MFA_ROLES) or getattr(user, "is_superuser", False)


def requires_mfa(user) -> bool:
    from django.conf import settings

    return settings.MOVE_REQUIRE_MFA and sees_personal_data(user)


def may_change_login_of(actor, target) -> bool:
    """Whether `actor` may change `target`'s e-mail address (the login) or switch the
    account off: not their own, and a superuser's only as a superuser, since a changed
    address followed by a password reset would hand over that account."""
    if target == actor:
        return False
    return not target.is_superuser or getattr(actor, "is_superuser", False)


OWN_ACCESS = _(
    "Nobody creates, changes or ends their own access: ask another coordinator to do it."
)


def may_change_access(actor, target) -> bool:
    """Whether `actor` may create, change or end the memberships of `target` (a person,
    or the e-mail address of someone invited): a coordinator, never for themself, so
    that giving oneself access always takes a second person (DESIGN.md §3)."""
    if not has_perm(actor, "accounts.manage_organisations"):
        return False
    if isinstance(target, str):
        return target.strip().lower() != (actor.email or "").strip().lower()
    return getattr(target, "pk", None) != actor.pk


def require_change_access(actor, target) -> None:
    require(actor, "accounts.manage_organisations")
    if not may_change_access(actor, target):
        raise PermissionDenied(OWN_ACCESS)


def may_switch_organisation(actor, organisation) -> bool:
    """Switching an organisation off or on ends or gives back its members' access: not
    by one of its members (even a membership that gives nothing while it is off)."""
    return has_perm(actor, "accounts.manage_organisations") and not (
        organisation.pk and actor.memberships.filter(organisation=organisation).exists()
    )


def require_switch_organisation(actor, organisation) -> None:
    require(actor, "accounts.manage_organisations")
    if not may_switch_organisation(actor, organisation):
        raise PermissionDenied(OWN_ACCESS)


def readable_reports(qs, user):
    """Visit reports (DESIGN.md §3): drafts to their authors who are still visitors, and
    to coordinators; submitted and shared reports to the internal readers; shared ones
    to the partner organisations they were shared with. One query: the authorship and
    the partner shares are subqueries, not joins (no duplicate rows, no DISTINCT)."""
    drafts, submitted = (
        has_perm(user, "visits.view_any_draft"),
        has_perm(user, "visits.view_submitted_report"),
    )
    if drafts and submitted:
        return qs  # every status (a report has one)
    readable = Q(pk__in=[])
    if drafts:
        readable |= Q(status="draft")
    elif has_role(user, Role.VISITOR):
        # Drafts of one's own organisation only: an author who left it (and is a
        # visitor elsewhere) no longer reads them.
        readable |= Q(
            status="draft",
            organisation__in=organisations_of(user, {Role.VISITOR}),
            pk__in=_written_by(qs.model, user),
        )
    if submitted:
        readable |= ~Q(status="draft")
    partners = groups_of(user, {Role.PARTNER})
    if partners:
        readable |= Q(status="shared") & _shared_report(qs.model, partners)
    return qs.filter(readable)


def _shared_report(model, groups):
    """Whether a shared report was shared with one of these groups, in the form that
    lets PostgreSQL find a page of them fastest. When the groups hold at least half of
    the shared reports, each report met along the list's index is asked in turn
    (`shared_probe`) until the page is full: the partner's search at 100,000 reports
    took 0.8 ms of SQL this way instead of 2.1 ms (EXPLAIN ANALYZE on `make bench`'s
    rows). Otherwise the groups' shares are read first (`shared_pks`): a partner given
    few of the shared reports would have the probe ask every shared report in turn. The
    counts are kept in the process (visits.listing.report_shares); a stale count only
    chooses the slower form, never other rows."""
    if connection.vendor == "postgresql":
        from visits.listing import report_shares

        shares = report_shares()
        if shares.most_are_shared_with(groups):
            return shared_probe(model, groups, "view_visitreport", shares.permission)
    return Q(pk__in=shared_pks(model, groups, "view_visitreport"))


def _written_by(model, user) -> RawSQL:
    """The pks of the reports `user` is an author of, as a subquery written out."""
    through = model.authors.through._meta
    quote = connection.ops.quote_name
    report = quote(through.get_field("visitreport").column)
    author = quote(through.get_field("user").column)
    return RawSQL(f"SELECT {report} FROM {quote(through.db_table)} WHERE {author} = %s", (user.pk,))


def may_edit_report(user, report) -> bool:
    """Drafts by their authors; submitted and shared reports also by coordinators
    (each change is kept in the history)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    # An author who is no longer a visitor (membership ended, organisation switched off)
    # has no more say over the report.
    is_author = has_role(user, Role.VISITOR) and _is_author(user, report)
    if report.status == "draft":
        return is_author
    return is_author or has_role(user, Role.COORDINATOR)


def may_start_report(user, visit) -> bool:
    """The visitors who took part in the visit write its report."""
    return has_perm(user, "visits.write_report") and visit.visitors.filter(pk=user.pk).exists()


def report_organisations(user) -> frozenset[int]:
    """The organisations a visitor writes reports for: those where they are a visitor."""
    return organisations_of(user, {Role.VISITOR})


def may_share_report(user, report) -> bool:
    """Its authors and the coordinators (a draft is refused later, with its reason)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if has_role(user, Role.COORDINATOR):
        return True
    return has_role(user, Role.VISITOR) and _is_author(user, report)


def with_authorship(reports, user):
    """Reports annotated with whether `user` wrote them: the rules below then need no
    query of their own."""
    written = reports.model.authors.through.objects.filter(
        visitreport_id=models.OuterRef("pk"), user_id=getattr(user, "pk", None)
    )
    return reports.annotate(
        _author_pk=models.Value(getattr(user, "pk", None)), _is_author=models.Exists(written)
    )


def _is_author(user, report) -> bool:
    """An author who is still a visitor of the report's organisation."""
    if report.organisation_id not in organisations_of(user, {Role.VISITOR}):
        return False
    if getattr(report, "_author_pk", None) == user.pk and hasattr(report, "_is_author"):
        return report._is_author
    return report.authors.filter(pk=user.pk).exists()


def readable_case_files(qs, user):
    """Case files and families (DESIGN.md §3): those of the organisations where the user
    is a visitor, those shared with such an organisation, every one, pseudonymised, for
    coordinators, and for legal those linked to a help request (pseudonymised too).
    Nobody else sees any. One query (shares and links are subqueries)."""
    if has_perm(user, "detainees.view_person") and has_role(user, Role.COORDINATOR):
        return qs
    if not has_perm(user, "detainees.view_person"):
        return qs.none()
    family = qs.model._meta.model_name == "family"
    orgs = organisations_of(user, {Role.VISITOR})
    condition = Q(pk__in=[])
    if orgs:
        if family:
            # A family is read through its members' files when shared.
            condition = Q(organisation__in=orgs) | Q(
                members__in=shared_pks(
                    _person_model(), groups_of(user, {Role.VISITOR}), "view_person"
                )
            )
        else:
            condition = Q(organisation__in=orgs) | Q(
                pk__in=shared_pks(qs.model, groups_of(user, {Role.VISITOR}), "view_person")
            )
    if has_perm(user, "legal.answer_help_request"):
        linked = _help_request_model().objects.filter(person__isnull=False).values("person_id")
        condition |= Q(members__in=linked) if family else Q(pk__in=linked)
    elif not orgs:
        return qs.none()
    readable = qs.filter(condition)
    return readable.distinct() if family else readable


def _help_request_model():
    from django.apps import apps

    return apps.get_model("legal", "HelpRequest")


def _person_model():
    from django.apps import apps

    return apps.get_model("detainees", "Person")


def may_change_person(user, person) -> bool:
    """Only the visitors of the owning organisation write a case file."""
    return has_perm(user, "detainees.change_person") and person.organisation_id in organisations_of(
        user, {Role.VISITOR}
    )


def reads_identities_of(user, organisation_id) -> bool:
    """Whether the user reads the identities an organisation keeps: its visitors."""
    return has_perm(user, "detainees.view_identity") and organisation_id in organisations_of(
        user, {Role.VISITOR}
    )


def may_read_identity(user, person) -> bool:
    """The owning organisation's visitors, and those of an organisation the identity
    was explicitly shared with. Never coordinators: they see pseudonymised files."""
    if reads_identities_of(user, person.organisation_id):
        return True
    return has_perm(user, "detainees.view_identity") and is_shared_with_user(
        person, user, {Role.VISITOR}, "view_identity"
    )


def case_file_share_targets(person):
    """The organisations a case file may be shared with (a transfer to a centre they
    visit): active members of the coalition other than the owner, never a partner."""
    from move.accounts.models import Organisation

    return Organisation.objects.filter(
        active=True,
        kind__in=[Organisation.Kind.FOUNDING_MEMBER, Organisation.Kind.MEMBER],
    ).exclude(pk=person.organisation_id)


def require_change_person(user, person) -> None:
    if not may_change_person(user, person):
        raise PermissionDenied(REFUSAL_REASONS["detainees.change_person"])


def require_identity(user, person) -> None:
    if not may_read_identity(user, person):
        raise PermissionDenied(REFUSAL_REASONS["detainees.view_identity"])


# --- Querysets -------------------------------------------------------------------------


def all_if(qs, user, perm: str):
    """Everything to those who hold `perm`, nothing to others: for reference data."""
    return qs if has_perm(user, perm) else qs.none()


def owned_or_shared(qs, user, roles, perm_codename: str, owner_field: str = "organisation"):
    """Records owned by an organisation where the user holds one of `roles`, plus
    records shared (guardian `perm_codename`) with such an organisation: one query."""
    orgs = organisations_of(user, roles)
    if not orgs:
        return qs.none()
    condition = Q(**{f"{owner_field}__in": orgs}) | Q(
        pk__in=shared_pks(qs.model, groups_of(user, roles), perm_codename)
    )
    return qs.filter(condition)


# --- Object-level shares (django-guardian, direct-FK models) -----------------------------


def _group_perm_model(model):
    from guardian.utils import get_group_obj_perms_model

    perm_model = get_group_obj_perms_model(model)
    field = perm_model._meta.get_field("content_object")
    if not isinstance(field, models.ForeignKey):
        raise TypeError(f"{model.__name__} has no direct-FK group permission model.")
    return perm_model


def shared_pks(model, group_ids, perm_codename: str) -> RawSQL:
    """The pks of `model` shared with any of these groups (their ids), as a subquery
    written out, for `pk__in=`. The groups and the permission are plain values for the
    planner: joined through group, organisation and content type, PostgreSQL expected
    one shared row where there were thousands and chose a plan 100 times slower
    (measured at 100,000). Built with the ORM at each request, the same subquery made
    building and compiling a visitor's case-file query take 1.26 ms instead of 0.41 ms.
    The SQL is the same whatever the groups (on PostgreSQL, one array parameter)."""
    table, column, groups, groups_params = _share_table(model, group_ids)
    permission = _permission_pk(model, perm_codename)
    sql = (
        f"SELECT {column('content_object')} FROM {table} "
        f"WHERE {groups} AND {column('permission')} = ({permission.sql})"
    )
    return RawSQL(sql, (*groups_params, *permission.params))


def _share_table(model, group_ids):
    """The table of `model`'s group shares (quoted), a function giving its columns by
    field name, and the condition "shared with one of these groups" with its
    parameters: what `shared_pks` and `shared_probe` write their SQL with."""
    meta, quote = _group_perm_model(model)._meta, connection.ops.quote_name

    def column(name):
        return f"{quote(meta.db_table)}.{quote(meta.get_field(name).column)}"

    groups, groups_params = _any_of(column("group"), sorted(group_ids))
    return quote(meta.db_table), column, groups, groups_params


def shared_probe(model, group_ids, perm_codename: str, permission_pk: int):
    """Whether each row is shared with any of these groups (their ids) under the
    permission `perm_codename`, whose pk is `permission_pk`, asked row by row: a scalar
    subquery on the share table's own index (group, permission, row), which PostgreSQL
    keeps a question asked of the rows met rather than a join with every share read
    first (`shared_pks`).

    Written as "(SELECT 1 … LIMIT 1) IS NOT NULL" rather than EXISTS: PostgreSQL
    estimates that an EXISTS keeps half of the rows, and then priced the walk along the
    list's index within a few percent of reading every match and sorting them; which of
    the two it chose changed with ANALYZE's sample (2 times in 8 at 100,000 reports, the
    slower one 2.1 ms of SQL against 0.8). IS NOT NULL on a subquery is estimated to hold
    for nearly every row, as it does where this form is used (the groups hold most of
    the shared reports): the walk then costs about half as much as the other plan, in 8
    ANALYZE samples out of 8.

    The pk is a plain number: looked up inside the subquery, its cost was counted for
    each row. It is checked once per query against the permission looked up (a one-time
    filter, 0.1 ms): a pk kept from another database, or from before the tables were
    made again, opens nothing. PostgreSQL only, as the plans it is written for."""
    from move.written import Condition

    table, column, groups, groups_params = _share_table(model, group_ids)
    permission = _permission_pk(model, perm_codename)
    return Condition(
        f"((SELECT 1 FROM {table} WHERE "
        f"{column('content_object')} = {{0}} AND {groups} AND {column('permission')} = %s "
        f"LIMIT 1) IS NOT NULL AND %s = ({permission.sql}))",
        (*groups_params, permission_pk, permission_pk, *permission.params),
        "pk",
    )


def _any_of(column: str, values: list) -> tuple[str, list]:
    """`column` among `values`: one array parameter on PostgreSQL, else a list."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _permission_pk(model, perm_codename: str) -> RawSQL:
    """The pk of the permission `perm_codename` on `model`, as a subquery written out:
    built with the ORM (a filter across the content type), it cost a millisecond of
    every list of case files or reports, a tenth of the page (`make bench`)."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    permission, kind = Permission._meta, ContentType._meta
    quote = connection.ops.quote_name

    def column(meta, name):
        return f"{quote(meta.db_table)}.{quote(meta.get_field(name).column)}"

    sql = (
        f"SELECT {column(permission, 'id')} FROM {quote(permission.db_table)} "
        f"JOIN {quote(kind.db_table)} ON {column(kind, 'id')} = "
        f"{column(permission, 'content_type')} WHERE {column(permission, 'codename')} = %s "
        f"AND {column(kind, 'app_label')} = %s AND {column(kind, 'model')} = %s LIMIT 1"
    )
    return RawSQL(sql, (perm_codename, model._meta.app_label, model._meta.model_name))


def share(obj, organisation, perm_codename: str) -> None:
    """Grant `perm_codename` on `obj` to every member of `organisation` (its group)."""
    from guardian.shortcuts import assign_perm

    # A generic guardian row would be stored but never read by `shared_pks`.
    _group_perm_model(type(obj))
    assign_perm(f"{obj._meta.app_label}.{perm_codename}", organisation.group, obj)


def unshare(obj, organisation, perm_codename: str) -> None:
    from guardian.shortcuts import remove_perm

    _group_perm_model(type(obj))
    remove_perm(f"{obj._meta.app_label}.{perm_codename}", organisation.group, obj)


def is_shared_with_user(obj, user, roles, perm_codename: str) -> bool:
    """Whether `obj` is shared with an organisation where `user` holds one of `roles`."""
    groups = groups_of(user, roles)
    shared = shared_pks(type(obj), groups, perm_codename)
    return bool(groups) and type(obj)._base_manager.filter(pk=obj.pk, pk__in=shared).exists()


# --- Reports corrected by someone who cannot see names (issue 9 §2) ---------------------


def checks_names_in_report(user, report) -> bool:
    """Whether the names held in the report's organisation's identities are looked for
    in what `user` writes or shares: only for its visitors, who may read those names.
    For anyone else (a coordinator) every answer is the same whatever the word typed,
    and their corrections wait for the authors' check instead."""
    return reads_identities_of(user, report.organisation_id)


def may_confirm_report(user, report) -> bool:
    """Who confirms a report awaiting its authors' check (after the full check, names
    included): someone who edits it and reads its organisation's identities."""
    return may_edit_report(user, report) and checks_names_in_report(user, report)


def reads_unchecked_corrections(user, report) -> bool:
    """Those who may edit a report read its corrections before the authors' check;
    every other reader (partners first) reads the version last checked."""
    return may_edit_report(user, report)


def reads_every_unchecked_correction(user) -> bool:
    """Whether `user` reads the corrections of every report before its authors' check
    (the coordinators, who edit every report): a list may then filter on them."""
    return has_perm(user, "visits.view_any_draft")


def learns_who_changed_access(person) -> bool:
    """Whether `person` is told who made a change of access: not those who read reports
    with the visitors' names hidden (partners, DESIGN.md §3)."""
    return has_perm(person, "visits.view_submitted_report")


# --- Who changes a visit (issue 9 §4) ----------------------------------------------------
# `visit.visitors` and `visit.report` are read from what the page loaded when it can
# (prefetch_related, select_related): a list of visits asks no query per row.


def _goes_on(user, visit) -> bool:
    return any(person.pk == user.pk for person in visit.visitors.all())


def _has_report(visit) -> bool:
    return hasattr(visit, "report")


def may_change_visit(user, visit) -> bool:
    """Its own visitors and the coordinators change a visit (its day, centre, status,
    visitors): not a visitor who does not go, who may only join it."""
    if not has_perm(user, "visits.plan_visit"):
        return False
    return has_role(user, Role.COORDINATOR) or _goes_on(user, visit)


def require_change_visit(user, visit) -> None:
    require(user, "visits.plan_visit")
    if not may_change_visit(user, visit):
        raise PermissionDenied(_("Only the visitors of a visit and the coordinators change it."))


def may_join_visit(user, visit) -> bool:
    """A visitor joins a planned visit that has no report yet (adds themself)."""
    return (
        has_perm(user, "visits.write_report")
        and visit.status == "planned"
        and not _has_report(visit)
        and not _goes_on(user, visit)
    )


def require_join_visit(user, visit) -> None:
    if not may_join_visit(user, visit):
        raise PermissionDenied(_("Only a visitor joins a visit, while it is planned."))


def removable_visitors(user, visit) -> frozenset[int]:
    """The visitors `user` may take off the visit: nobody once it has a report (its
    authors went); else a visitor only themself, a coordinator anyone."""
    if not visit.pk or _has_report(visit) or not may_change_visit(user, visit):
        return frozenset()
    going = frozenset(person.pk for person in visit.visitors.all())
    return going if has_role(user, Role.COORDINATOR) else going & {user.pk}


# --- Who changes someone's sign-in address (issue 9 §3) ----------------------------------

KEEPS_OWN_ADDRESS = _(
    "This person holds a role that reads personal data and has a password: their sign-in "
    "address cannot be changed here, since a password reset would then hand their account "
    "to whoever holds the new address. End their membership and invite the new address "
    "instead."
)


def may_change_login_address_of(actor, target) -> bool:
    """Whether `actor` may change `target`'s e-mail address (the login): as
    `may_change_login_of`, and never, once it has a password, for an account with a
    role that reads personal data (MFA_ROLES) in any organisation, even one switched
    off: the membership is ended and the new address invited instead."""
    if not may_change_login_of(actor, target):
        return False
    if not target.pk or not target.has_usable_password():
        return True
    return not target.memberships.filter(role__in=MFA_ROLES).exists()


# --- The legal help desk (DESIGN.md §3) ---------------------------------------------------


def readable_help_requests(qs, user):
    """Legal and coordinators read every request; a visitor those they asked and those
    the lawyer shared with their organisation; nobody else any. One query."""
    if has_perm(user, "legal.view_every_help_request"):
        return qs
    if not has_perm(user, "legal.view_help_request"):
        return qs.none()
    groups = groups_of(user, {Role.VISITOR})
    if not groups:
        return qs.none()
    shared = shared_pks(qs.model, groups, "view_helprequest")
    if _on_postgresql():
        # `id IN (subquery)` made PostgreSQL expect half the table to match and walk the
        # whole queue index (58 ms for 5 requests among 50,000); `id = ANY(ARRAY(…))` is
        # read first, and both sides use their index (0.1 ms).
        array = RawSQL(f"ARRAY({shared.sql})", shared.params)
        return qs.filter(Q(requester=user.pk) | Q(_EqualsAny(models.F("pk"), array)))
    return qs.filter(Q(requester=user.pk) | Q(pk__in=shared))


class _EqualsAny(models.Func):
    """`value = ANY(array)` (PostgreSQL)."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = models.BooleanField()


def _on_postgresql() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def may_answer_help_request(user) -> bool:
    """Record, answer, add notes and deadlines, assign, close, reopen, share: legal."""
    return has_perm(user, "legal.answer_help_request")


def may_add_information(user, help_request) -> bool:
    """Who adds to a request's thread as its asker: the requester, and the visitors of
    an organisation it was shared with (the request must be readable to them: callers
    check `visible_to` first). Whether it is still open is told apart, with its own
    message."""
    if may_answer_help_request(user):
        return True
    return has_perm(user, "legal.ask_help") and (
        help_request.requester_id == user.pk
        or is_shared_with_user(help_request, user, {Role.VISITOR}, "view_helprequest")
    )


def reads_internal_notes(user) -> bool:
    return has_perm(user, "legal.view_internal_notes")


def reads_help_contact(user) -> bool:
    """An outside caller's name, phone and e-mail: legal only, not coordinators."""
    return has_perm(user, "legal.view_contact")


def may_share_help_request(user, help_request) -> bool:
    """The lawyer may share a request with its requester's organisation."""
    return may_answer_help_request(user) and help_request.organisation_id is not None


def require_answer_help_request(user) -> None:
    require(user, "legal.answer_help_request")


# --- Figures (figures/) ------------------------------------------------------------------

FIGURES_FULL = "full"  # the figures and each organisation's contribution
FIGURES_COALITION = "coalition"  # the coalition's figures, without the contributions
FIGURES_PUBLISHED = "published"  # small numbers suppressed (figures/suppression.py)


def figures_variant(user, publication: bool = False) -> str | None:
    """Which figures `user` reads: FIGURES_FULL, FIGURES_COALITION, FIGURES_PUBLISHED, or
    None (refused). `publication` asks for the published variant whatever the reader may
    see (an export "for publication")."""
    perms = permissions_of(user)
    if "figures.view_figures" in perms:
        if publication:
            return FIGURES_PUBLISHED
        return FIGURES_FULL if "figures.view_contributions" in perms else FIGURES_COALITION
    if "figures.view_published_figures" in perms:
        return FIGURES_PUBLISHED
    return None


# From the least to the most a reader sees.
FIGURES_VARIANTS = (FIGURES_PUBLISHED, FIGURES_COALITION, FIGURES_FULL)


def figures_variant_within(user, asked: str) -> str | None:
    """`asked`, or the narrower variant `user` reads by now (a PDF started earlier, its
    file taken later), or None when they read no figures any more."""
    now = figures_variant(user, publication=asked == FIGURES_PUBLISHED)
    if now is None or asked not in FIGURES_VARIANTS:
        return None
    return FIGURES_VARIANTS[min(FIGURES_VARIANTS.index(now), FIGURES_VARIANTS.index(asked))]


def require_figures(user, publication: bool = False) -> str:
    """The variant `user` reads, or PermissionDenied with the reason."""
    variant = figures_variant(user, publication)
    if variant is None:
        raise PermissionDenied(REFUSAL_REASONS["figures.view_figures"])
    return variant
