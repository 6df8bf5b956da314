"""The witness pool's rules for using a testimony (issue 12).

A use on day D is allowed when a consent of the witness valid that day
(Consent.valid_on) covers the scope, the testimony may be used in that scope and was
approved by the witness on or before D, and the use is as protective as that consent or
more (ANONYMITY_ORDER). Several consents valid that day: the most generous one counts.

record_use(testimony, *, scope, used_on, by, publication="", link="", anonymity=None)
    -> Use, or raises django.core.exceptions.ValidationError with the reason (the rule
    that failed), saving nothing.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from advocacy.models import ANONYMITY_ORDER, SCOPES, Anonymity, Consent, Use, Witness
from legal.library import has_code

SCOPE_LABELS = dict(SCOPES)


def scope_label(code: str) -> str:
    return str(SCOPE_LABELS.get(code, code))


def _day(day: date) -> str:
    return date_format(day, "j F Y")


def valid_consents(day: date):
    """Consents valid on `day` (the same rule as Consent.valid_on, as a filter)."""
    return Consent.objects.filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day),
        given_on__lte=day,
        expires_on__gt=day,
    )


def usable_filter(day: date, prefix: str = "") -> Q:
    """Testimonies (or, with prefix "testimony__", uses of testimonies) approved by
    their witness, who has not withdrawn, with a scope that a consent valid on `day`
    covers: one query, an EXISTS per scope."""
    return (
        Q(**{f"{prefix}approved_on__lte": day})
        & Q(**{f"{prefix}witness__withdrawn_on__isnull": True})
        & scope_usable_filter(day, prefix=prefix)
    )


def scope_usable_filter(day: date, scopes=None, prefix: str = "") -> Q:
    """Testimonies with one of `scopes` (every scope by default) among their own and in a
    consent valid on `day`."""
    covered = Q(pk__in=[])
    for code in scopes or [code for code, _label in SCOPES]:
        consent = valid_consents(day).filter(
            has_code("scopes", code), witness=OuterRef(f"{prefix}witness")
        )
        covered |= has_code(f"{prefix}scopes", code) & Q(Exists(consent))
    return covered


def allowed_anonymity(consents, scope: str) -> str | None:
    """The most generous anonymity that the consents covering `scope` allow (None when
    none covers it)."""
    levels = [c.anonymity for c in consents if scope in c.scope_list]
    return min(levels, key=lambda level: ANONYMITY_ORDER[level]) if levels else None


def usable_scopes(testimony, consents, day: date) -> dict[str, str]:
    """{scope: anonymity required} for the testimony's scopes usable on `day`, given the
    witness's consents (any: they are checked here); empty when the testimony is not
    approved by then or the witness withdrew."""
    return usable_in(
        testimony.scope_list,
        testimony.approved_on,
        testimony.witness.withdrawn_on,
        [c for c in consents if c.witness_id == testimony.witness_id],
        day,
    )


def usable_in(scopes, approved_on, withdrawn_on, consents, day: date) -> dict[str, str]:
    """usable_scopes from plain values (a list's rows); `consents` are the witness's."""
    if withdrawn_on and withdrawn_on <= day:
        return {}
    if approved_on is None or approved_on > day:
        return {}
    valid = [c for c in consents if c.valid_on(day)]
    usable = {}
    for scope in scopes:
        level = allowed_anonymity(valid, scope)
        if level:
            usable[scope] = level
    return usable


NOT_COVERED = {
    "website": lambda: _("The consent does not cover the coalition website."),
    "press": lambda: _("The consent does not cover the press."),
    "partners": lambda: _("The consent does not cover partner publications."),
    "video": lambda: _("The consent does not cover video."),
    "parliament": lambda: _("The consent does not cover parliament."),
    "training": lambda: _("The consent does not cover internal training."),
}

ANONYMITY_REFUSALS = {
    (Anonymity.NAMED, Anonymity.FIRST_NAME): lambda: _(
        "Named use: the consent allows first name only."
    ),
    (Anonymity.NAMED, Anonymity.ANONYMOUS): lambda: _(
        "Named use: the consent allows anonymous use only."
    ),
    (Anonymity.FIRST_NAME, Anonymity.ANONYMOUS): lambda: _(
        "Use by first name: the consent allows anonymous use only."
    ),
}


def refusal(testimony, consents, *, scope: str, used_on: date, anonymity: str | None):
    """Why the consent did not allow this use on its day (a ValidationError), or None.
    record_use also refuses every use once the witness withdrew."""
    if used_on > timezone.localdate():
        return ValidationError(_("A use cannot be dated in the future."), code="future")
    witness = testimony.witness
    if witness.withdrawn_on and witness.withdrawn_on <= used_on:
        return _withdrew(witness.withdrawn_on)
    if scope not in SCOPE_LABELS:
        return ValidationError(_("Unknown scope."), code="scope")
    if anonymity is not None and anonymity not in ANONYMITY_ORDER:
        return ValidationError(_("Unknown anonymity level."), code="anonymity")
    if testimony.approved_on is None:
        return ValidationError(_("The witness has not approved this testimony."), code="approval")
    if testimony.approved_on > used_on:
        return ValidationError(
            _("The witness approved this testimony on %(day)s only.")
            % {"day": _day(testimony.approved_on)},
            code="approval",
        )
    if scope not in testimony.scope_list:
        return ValidationError(
            _("This testimony may not be used in: %(scope)s.") % {"scope": scope_label(scope)},
            code="scope",
        )
    return _consent_refusal(consents, scope=scope, used_on=used_on, anonymity=anonymity)


def _withdrew(day):
    return ValidationError(_("The witness withdrew on %(day)s.") % {"day": _day(day)}, "withdrawn")


def _consent_refusal(consents, *, scope, used_on, anonymity):
    given = [c for c in consents if c.given_on <= used_on]
    if not given:
        return ValidationError(
            _("No consent had been given on %(day)s.") % {"day": _day(used_on)}, code="consent"
        )
    valid = [c for c in given if c.valid_on(used_on)]
    if not valid:
        latest = max(given, key=lambda c: (c.given_on, c.pk or 0))
        if latest.withdrawn_on and latest.withdrawn_on <= used_on:
            return _withdrew(latest.withdrawn_on)
        return ValidationError(
            _("The consent expired on %(day)s.") % {"day": _day(latest.expires_on)},
            code="expired",
        )
    allowed = allowed_anonymity(valid, scope)
    if allowed is None:
        return ValidationError(NOT_COVERED[scope](), code="scope")
    if anonymity is not None and ANONYMITY_ORDER[anonymity] < ANONYMITY_ORDER[allowed]:
        return ValidationError(ANONYMITY_REFUSALS[(anonymity, allowed)](), code="anonymity")
    return None


def _check_where(publication: str, link: str) -> None:
    """What the form checks, for callers that skip it: a link shown as one must be a web
    address (never javascript:), the publication must fit its column."""
    if len(publication) > Use._meta.get_field("publication").max_length:
        raise ValidationError(_("The name of the publication is too long."), code="publication")
    if link:
        URLValidator(message=_("The link must be a web address."))(link)


@transaction.atomic
def record_use(testimony, *, scope, used_on, by, publication="", link="", anonymity=None):
    """Record that `testimony` was used in `scope` on `used_on` (by the user `by`), if the
    witness's consent allowed it that day and the witness has not withdrawn since (a use
    is never recorded after a withdrawal, whatever its day); else raise ValidationError
    with the reason and save nothing. `anonymity` None: the level the consent allows."""
    # The witness's row is locked: a withdrawal or a consent recorded meanwhile waits.
    witness = Witness.objects.select_for_update().get(pk=testimony.witness_id)
    testimony.witness = witness
    consents = list(Consent.objects.filter(witness=witness))
    problem = refusal(testimony, consents, scope=scope, used_on=used_on, anonymity=anonymity)
    if witness.withdrawn_on and (problem is None or problem.code != "future"):
        # Once the witness withdrew, no use is recorded any more, even one dated before
        # the withdrawal (which `refusal`, judging that day alone, would allow).
        problem = _withdrew(witness.withdrawn_on)
    if problem:
        raise problem
    _check_where(publication, link)
    if anonymity is None:
        anonymity = allowed_anonymity([c for c in consents if c.valid_on(used_on)], scope)
    return Use.objects.create(
        testimony=testimony,
        publication=publication,
        used_on=used_on,
        scope=scope,
        anonymity=anonymity,
        link=link,
        recorded_by=by,
    )
