"""What crosses records in accounts: invitations and memberships. Views, forms, the
admin and commands call these; every one checks the acting user's permission."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from move import outage
from move.accounts import permissions, tasks
from move.accounts.access_changes import acting
from move.accounts.models import Invitation, Membership, Organisation, User
from move.accounts.permissions import Role


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError(_("“%(role)s” is not a role of Move."), params={"role": role})


def invite(
    *, email: str, organisation: Organisation, role: str, language: str, by: User, site_url: str
) -> Invitation:
    """Create an invitation and, once committed, have its link e-mailed. The link's token
    is made by the task that sends it: it travels through no queue, and only its hash is
    stored. `site_url` is where the application answers (https://move.example.org/)."""
    permissions.require_change_access(by, email)
    _check_role(role)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            _("%(email)s already has an account: give them a role in the organisation instead."),
            params={"email": email},
        )
    if Invitation.objects.pending().filter(email__iexact=email).exists():
        raise ValidationError(
            _("An invitation to %(email)s is already waiting. Withdraw it before sending another."),
            params={"email": email},
        )
    invitation = Invitation(
        email=email, organisation=organisation, role=role, language=language, invited_by=by
    )
    invitation.new_token()  # a token nobody will ever see, until the task sends one
    # Its e-mail leaves through Redis: without it, a 503 before anything is saved, or the
    # invitation would wait unsent and block a second one (move/outage.py).
    outage.require_redis()
    with acting(by):
        invitation.save()
    tasks.send_invitation.delay_on_commit(invitation.pk, site_url)
    return invitation


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why this invitation link cannot be used, in the reader's language, or None."""
    if invitation is None:
        return _("This invitation link is not valid. Ask a coordinator for a new one.")
    messages = {
        "accepted": _("This invitation has already been used. Sign in with your e-mail address."),
        "revoked": _("This invitation was withdrawn. Ask a coordinator for a new one."),
        "expired": _("This invitation has expired. Ask a coordinator for a new one."),
    }
    return messages.get(invitation.status)


@transaction.atomic
def accept_invitation(token: str, *, first_name: str, last_name: str, password: str) -> User:
    invitation = Invitation.objects.select_for_update().by_token(token)
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError(problem)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(_("An account with this e-mail address already exists. Sign in."))
    inviter = invitation.invited_by
    user = User.objects.create_user(
        invitation.email,
        password,
        first_name=first_name,
        last_name=last_name,
        language=invitation.language,
    )
    # The access is given by whoever sent the invitation; its acceptance by the person.
    with acting(inviter):
        _add_membership(user, invitation.organisation, invitation.role)
    invitation.accepted_at = timezone.now()
    with acting(user):
        invitation.save(update_fields=["accepted_at"])
    return user


def revoke_invitation(invitation: Invitation, *, by: User) -> None:
    permissions.require_change_access(by, invitation.email)
    if invitation.status != "pending":
        # Used, withdrawn or expired meanwhile: say so rather than "withdrawn".
        raise ValidationError(
            _(
                "The invitation to %(email)s is no longer waiting (%(status)s): "
                "nothing was withdrawn."
            ),
            params={"email": invitation.email, "status": invitation.get_status_display()},
        )
    invitation.revoked_at = timezone.now()
    with acting(by):
        invitation.save(update_fields=["revoked_at"])


def has_totp(user) -> bool:
    """Whether the user has set up TOTP, asked once per request (middleware and pages)."""
    from allauth.mfa.models import Authenticator

    cached = getattr(user, "_move_has_totp", None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._move_has_totp = cached
    return cached


def add_membership(*, email: str, organisation: Organisation, role: str, by: User) -> Membership:
    permissions.require(by, "accounts.manage_organisations")
    _check_role(role)
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise ValidationError(
            _("Nobody has an account with %(email)s: send an invitation instead."),
            params={"email": email},
        )
    permissions.require_change_access(by, user)
    already = _("This person already has this role in this organisation.")
    if Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
        raise ValidationError(already)
    try:
        with transaction.atomic(), acting(by):
            return _add_membership(user, organisation, role)
    except IntegrityError:  # the same form sent twice at once
        raise ValidationError(already) from None


def _add_membership(user: User, organisation: Organisation, role: str) -> Membership:
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    # Object-level shares are granted to the organisation's group (guardian).
    user.groups.add(organisation.group)
    permissions.forget(user)
    return membership


def check_not_last_coordinator(user: User, ending: Membership | None = None) -> None:
    """Refuse to lose the last coordinator, by ending a role (`ending`) or by switching
    off the person. The rows are locked: two coordinators ending each other's role at
    once cannot leave none. Call inside a transaction."""
    if ending is None and not user.memberships.filter(role=Role.COORDINATOR).exists():
        return
    others = Membership.objects.select_for_update(of=("self",)).filter(
        role=Role.COORDINATOR, user__is_active=True
    )
    others = others.exclude(pk=ending.pk) if ending else others.exclude(user=user)
    if not list(others.values_list("pk", flat=True)):
        raise ValidationError(_("This is the last coordinator: appoint another one first."))


@transaction.atomic
def end_membership(membership: Membership, *, by: User) -> None:
    permissions.require_change_access(by, membership.user)
    if membership.role == Role.COORDINATOR:
        check_not_last_coordinator(membership.user, ending=membership)
    user, organisation = membership.user, membership.organisation
    with acting(by):
        membership.delete()
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        user.groups.remove(organisation.group)
    permissions.forget(user)


def save_organisation(form, *, by: User) -> Organisation:
    """An organisation's page or the admin: switching it off or on is refused to its
    own members (it ends or gives back their access)."""
    permissions.require(by, "accounts.manage_organisations")
    if "active" in form.changed_data and form.instance.pk:
        permissions.require_switch_organisation(by, form.instance)
    with acting(by):
        return form.save()
