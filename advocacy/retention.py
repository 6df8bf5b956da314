"""Retention of the witness pool (DESIGN.md §4), registered with move.privacy: a
witness's contact (name and contact) is erased MOVE_RETENTION_WITNESS_CONTACT_MONTHS (3)
months after they withdrew, or after their last consent expired without being renewed.
The code, the consents, the testimonies and their uses are kept. Each erasure is
written to the access log."""

from datetime import date

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from advocacy.models import Consent, Witness
from detainees import erasure
from detainees.clock import add_months
from move.privacy import access, retention
from move.privacy.models import AccessLogEntry

CONTACT_RULE = "advocacy.witness-contact"


def months() -> int:
    return getattr(settings, "MOVE_RETENTION_WITNESS_CONTACT_MONTHS", 3)


def contact_due(today: date):
    """Witnesses still holding a contact who withdrew on or before the cutoff day, or
    whose last consent expired on or before it (and none is valid or to come), or who
    never gave any consent and were recorded on or before it."""
    cutoff = add_months(today, -months())
    still = Consent.objects.filter(witness=OuterRef("pk"), expires_on__gt=cutoff)
    any_consent = Consent.objects.filter(witness=OuterRef("pk"))
    return (
        Witness.objects.filter(contact_erased_on__isnull=True)
        .exclude(name="", contact="")
        .annotate(last_expiry=Max("consents__expires_on"))
        .filter(
            Q(withdrawn_on__lte=cutoff)
            | Q(withdrawn_on__isnull=True, last_expiry__lte=cutoff) & ~Exists(still)
            # Never consented: the contact is kept no longer than after a consent ran out.
            | Q(withdrawn_on__isnull=True, created_at__date__lte=cutoff) & ~Exists(any_consent)
        )
        .order_by("code")
    )


def erase_contact(witness: Witness, today: date) -> bool:
    """Lock the witness, then ask again: a consent renewed since the list was read
    keeps the contact."""
    Witness.objects.select_for_update().filter(pk=witness.pk).first()
    if not contact_due(today).filter(pk=witness.pk).exists():
        return False
    # save() moves updated_at on: a form opened before cannot write the contact back.
    locked = Witness.objects.get(pk=witness.pk)
    locked.name = ""
    locked.contact = ""
    locked.contact_erased_on = today
    locked.save(update_fields=["name", "contact", "contact_erased_on", "updated_at"])
    access.record(
        None, AccessLogEntry.Action.RETENTION, witness.code, f"retention:{CONTACT_RULE}", "contact"
    )
    # The exports made of this witness hold the contact too.
    erasure.forget_generated(witness.code)
    return True


def _description() -> str:
    return _(
        "Contacts of witnesses, %(months)s months after they withdrew or their last consent expired"
    ) % {"months": months()}


def _code(witness: Witness) -> str:
    return witness.code


def register() -> None:
    retention.register(
        retention.Rule(
            name=CONTACT_RULE,
            description=lazy(_description, str)(),
            candidates=contact_due,
            apply=erase_contact,
            label=_code,
        )
    )
